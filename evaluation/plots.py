"""PNG figures for the evaluation report (matplotlib, Agg backend, nothing shown on screen)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation.scoring import ERROR, FAILURE_KINDS

if TYPE_CHECKING:
    from evaluation.runner import EvalResult

log = logging.getLogger(__name__)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, path: str | Path) -> Path:
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out)
    plt.close(fig)
    return out


def latency_histogram(results: Sequence[EvalResult], path: str | Path) -> Path:
    """Histogram of per-question latency (seconds), one series per system.

    Example:
        >>> latency_histogram([result], "out/latency.png")  # doctest: +SKIP
        PosixPath('out/latency.png')
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    series = [[r.score.seconds for r in res.items
               if r.score.seconds is not None and r.score.failure != ERROR] for res in results]
    if any(series):
        upper = max(max(s) for s in series if s)
        bins = [upper * i / 20 for i in range(21)] if upper > 0 else 10
        for res, values in zip(results, series, strict=True):
            if values:
                ax.hist(values, bins=bins, alpha=0.6, label=res.system)
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no timings", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("seconds per question")
    ax.set_ylabel("questions")
    ax.set_title("Answer latency")
    return _save(plt, fig, path)


def failure_bars(results: Sequence[EvalResult], path: str | Path) -> Path:
    """Horizontal bar chart of failure-kind counts, systems side by side.

    Example:
        >>> failure_bars([result], "out/failures.png")  # doctest: +SKIP
        PosixPath('out/failures.png')
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    kinds = list(FAILURE_KINDS)
    height = 0.8 / max(len(results), 1)
    for i, res in enumerate(results):
        counts = [res.summary.failures.get(kind, 0) for kind in kinds]
        positions = [k + i * height for k in range(len(kinds))]
        ax.barh(positions, counts, height=height, label=res.system)
    ax.set_yticks([k + height * (len(results) - 1) / 2 for k in range(len(kinds))])
    ax.set_yticklabels([kind.replace("_", " ") for kind in kinds])
    ax.invert_yaxis()
    ax.set_xlabel("questions")
    ax.set_title("Outcome per question")
    if len(results) > 1:
        ax.legend()
    return _save(plt, fig, path)
