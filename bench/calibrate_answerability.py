"""Fit the answerability check's logistic weights on the dev features ``bench.retrieval`` saved.

Positives: every answerable set's questions; negatives: questions about absent facts (PolNeAR
train questions asked of the dev articles, news-QA questions with their evidence withheld, the
sample set's unanswerable items). Each set is weighted equally (so 530 PolNeAR questions do not
drown 38 sample ones). Prints the weights and, per threshold, the false- and correct-refusal
rates of every set; picks the threshold with the most correct refusals whose worst answerable
set refuses at most ``--max-false`` of its questions.

    python -m bench.calibrate_answerability reports/bench-retrieval.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

FEATURES = ("cosine", "passage", "coverage", "key_coverage")


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1e-2, steps: int = 50) -> np.ndarray:
    """Weighted L2-regularised logistic regression by Newton's method; returns [bias, *coef]."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xb @ beta, -50, 50)))
        grad = xb.T @ (w * (p - y)) + l2 * np.r_[0, beta[1:]]
        hess = (xb * (w * p * (1 - p))[:, None]).T @ xb + l2 * np.diag(np.r_[0, np.ones(len(beta) - 1)])
        beta -= np.linalg.solve(hess, grad)
    return beta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path)
    parser.add_argument("--max-false", type=float, default=0.03)
    args = parser.parse_args()
    sets = json.loads(args.report.read_text())["features"]
    xs, ys, ws, names = [], [], [], []
    for name, rows in sets.items():
        if not rows:
            continue
        label = 1.0 if name.endswith("answerable") else 0.0
        for row in rows:
            xs.append([row[f] for f in FEATURES])
            ys.append(label)
            ws.append(1.0 / len(rows))
            names.append(name)
    x, y, w = np.array(xs), np.array(ys), np.array(ws)
    beta = fit_logistic(x, y, w * len(sets))
    print("weights:", {"bias": round(float(beta[0]), 3), **{f: round(float(b), 3) for f, b in zip(FEATURES, beta[1:], strict=True)}})
    p = 1 / (1 + np.exp(-(np.hstack([np.ones((len(x), 1)), x]) @ beta)))
    labels = sorted(set(names))
    best: tuple[float, float] | None = None
    print("threshold | " + " | ".join(labels))
    for t in np.arange(0.05, 0.96, 0.05):
        cells, worst_false, mean_correct = [], 0.0, []
        for name in labels:
            mask = np.array([n == name for n in names])
            answered = p[mask] >= t
            if name.endswith("answerable"):
                rate = float((~answered).mean())
                worst_false = max(worst_false, rate)
                cells.append(f"false {rate:5.1%}")
            else:
                rate = float((~answered).mean())
                mean_correct.append(rate)
                cells.append(f"correct {rate:5.1%}")
        print(f"  {t:.2f}    | " + " | ".join(cells))
        score = float(np.mean(mean_correct)) if mean_correct else 0.0
        if worst_false <= args.max_false and (best is None or score > best[1]):
            best = (float(t), score)
    print(f"threshold with worst false refusals <= {args.max_false:.0%}: {best}")


if __name__ == "__main__":
    main()
