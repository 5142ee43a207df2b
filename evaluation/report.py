"""Write an evaluation as ``report.json``, ``report.md`` and ``report.html`` with PNG plots.

When a baseline ran, summary and per-tag tables show both systems side by side.
"""

from __future__ import annotations

import base64
import html
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evaluation.plots import failure_bars, latency_histogram
from evaluation.runner import EvalResult, ItemResult
from evaluation.scoring import CORRECT, FAILURE_KINDS, Summary

log = logging.getLogger(__name__)

TAG_METRICS = ("n", "accuracy", "answer_accuracy", "citation_precision", "citation_recall",
               "correct_refusal_rate", "false_refusal_rate")
WORST = 12
_SEVERITY = {kind: i for i, kind in enumerate(
    ("error", "missed_refusal", "wrong_answer", "false_refusal", "right_answer_wrong_citation",
     "right_answer_no_citation", CORRECT))}


def fmt(name: str, value: Any) -> str:
    """One table cell: rates as percentages, latencies in seconds, None as a dash.

    Example:
        >>> fmt("answer_accuracy", 0.5), fmt("latency_p50_s", 0.1234), fmt("n", 3), fmt("x", None)
        ('50.0%', '0.123 s', '3', '–')
    """
    if value is None:
        return "–"
    if name.endswith("_s"):
        return f"{value:.3f} s"
    if isinstance(value, float):
        return f"{100 * value:.1f}%"
    return str(value)


def summary_rows(results: Sequence[EvalResult]) -> list[list[str]]:
    """Header row plus one row per metric, one column per system."""
    dicts = [r.summary.as_dict() for r in results]
    rows = [["metric", *(r.system for r in results)]]
    rows += [[name, *(fmt(name, d.get(name)) for d in dicts)] for name in dicts[0]]
    return rows


def tag_rows(results: Sequence[EvalResult]) -> list[list[str]]:
    """Header row plus one row per tag; with several systems each metric gets one column each."""
    multi = len(results) > 1
    header = ["tag"] + [f"{m} ({r.system})" if multi else m
                        for m in TAG_METRICS for r in results]
    rows = [header]
    for tag in sorted({t for r in results for t in r.by_tag}):
        sums: list[Summary | None] = [r.by_tag.get(tag) for r in results]
        rows.append([tag] + [fmt(m, s.as_dict()[m]) if s else "–"
                             for m in TAG_METRICS for s in sums])
    return rows


def markdown_table(rows: list[list[str]]) -> str:
    """Rows (first is the header) as a GitHub-flavoured markdown table.

    Example:
        >>> print(markdown_table([["a", "b"], ["1", "2"]]))
        | a | b |
        |---|---|
        | 1 | 2 |
    """
    cells = [[c.replace("|", "\\|").replace("\n", " ") for c in row] for row in rows]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(lines)


def item_record(r: ItemResult) -> dict[str, Any]:
    """Everything about one item, JSON-ready."""
    a = r.answer
    return {
        "id": r.item.id, "question": r.item.question, "history": r.item.history,
        "tags": r.item.tags, "answerable": r.item.answerable, "gold_answers": r.item.answers,
        "answer": a.text if a else None, "refused": a.refused if a else None,
        "standalone_question": a.standalone_question if a else None,
        "generator": a.generator if a else None,
        "citations": [asdict(c) for c in a.citations] if a else [],
        "retrieved": [{"article_id": h.sentence.article_id, "start": h.sentence.start,
                       "end": h.sentence.end, "text": h.sentence.text, "score": h.score}
                      for h in (a.retrieved[:5] if a else ())],
        "history_answers": [h.text for h in r.history_answers],
        "scores": {k: v for k, v in asdict(r.score).items() if k not in ("id", "tags")},
        "failure": r.score.failure, "seconds": r.score.seconds,
        "timings": dict(a.timings) if a else {}, "notes": list(a.notes) if a else [],
    }


def result_record(result: EvalResult) -> dict[str, Any]:
    """A whole run, JSON-ready: summary, per-tag summaries and every item."""
    return {"system": result.system, "notes": list(result.notes),
            "summary": result.summary.as_dict(),
            "by_tag": {t: s.as_dict() for t, s in result.by_tag.items()},
            "items": [item_record(r) for r in result.items]}


def worst_items(result: EvalResult, limit: int = WORST) -> list[ItemResult]:
    """The items most worth reading: errors and missed refusals first, correct ones never."""
    bad = [r for r in result.items if r.score.failure != CORRECT]
    return sorted(bad, key=lambda r: (_SEVERITY.get(r.score.failure, 0),
                                      -(r.score.seconds or 0.0)))[:limit]


def _item_lines(r: ItemResult) -> list[str]:
    a = r.answer
    lines = [f"**{r.item.id}** ({r.score.failure.replace('_', ' ')}) — {r.item.question}"]
    if r.item.history:
        lines.append("history: " + " / ".join(r.item.history))
    lines.append("gold: " + (", ".join(r.item.answers) or "(refusal)"))
    lines.append("answer: " + (a.text if a else f"ERROR {r.score.error}"))
    lines += [f"[{c.n}] {c.sentence}" for c in (a.citations if a else ())]
    return [" ".join(line.split()) for line in lines]


def _sections(results: Sequence[EvalResult]) -> list[tuple[str, Any]]:
    sections: list[tuple[str, Any]] = [("Summary", summary_rows(results)),
                                       ("Per tag", tag_rows(results))]
    notes = [f"{r.system}: {n}" for r in results for n in r.notes]
    if notes:
        sections.append(("Notes", notes))
    for r in results:
        sections.append((f"Worst items: {r.system}", [_item_lines(i) for i in worst_items(r)]))
    return sections


def _markdown(results: Sequence[EvalResult], images: dict[str, Path]) -> str:
    out = ["# Evaluation report", ""]
    for title, body in _sections(results):
        out += [f"## {title}", ""]
        if title in ("Summary", "Per tag"):
            out += [markdown_table(body), ""]
        elif title == "Notes":
            out += [f"- {n}" for n in body] + [""]
        else:
            for lines in body:
                out += ["- " + lines[0]] + [f"  - {line}" for line in lines[1:]]
            out.append("")
        if title == "Per tag":
            out += ["## Plots", ""] + [f"![{k}]({p.name})" for k, p in images.items()] + [""]
    return "\n".join(out)


def _html(results: Sequence[EvalResult], images: dict[str, Path]) -> str:
    esc = html.escape
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>Evaluation report</title>",
           "<style>body{font-family:sans-serif;max-width:70em;margin:auto}td,th{border:1px solid"
           " #ccc;padding:2px 6px}table{border-collapse:collapse}</style></head><body>",
           "<h1>Evaluation report</h1>"]
    for title, body in _sections(results):
        out.append(f"<h2>{esc(title)}</h2>")
        if title in ("Summary", "Per tag"):
            out.append("<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in body[0]) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                    for row in body[1:]]
            out.append("</table>")
        elif title == "Notes":
            out.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in body) + "</ul>")
        else:
            out += [f"<p>{'<br>'.join(esc(line) for line in lines)}</p>" for lines in body]
        if title == "Per tag":
            out.append("<h2>Plots</h2>")
            for name, path in images.items():
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                out.append(f"<img alt='{esc(name)}' src='data:image/png;base64,{data}'>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(result: EvalResult, out_dir: str | Path,
                 baseline: EvalResult | None = None) -> dict[str, Path]:
    """Write report.json/.md/.html and the plots into ``out_dir``; returns their paths by name.

    Example:
        >>> paths = write_report(result, "eval-report")  # doctest: +SKIP
        >>> sorted(paths)                                # doctest: +SKIP
        ['failures', 'html', 'json', 'latency', 'markdown']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = [result] + ([baseline] if baseline else [])
    images = {"latency": latency_histogram(results, out / "latency.png"),
              "failures": failure_bars(results, out / "failures.png")}
    record = result_record(result)
    record["baseline"] = result_record(baseline) if baseline else None
    record["failure_kinds"] = list(FAILURE_KINDS)
    paths = {"json": out / "report.json", "markdown": out / "report.md",
             "html": out / "report.html", **images}
    paths["json"].write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    paths["markdown"].write_text(_markdown(results, images), encoding="utf-8")
    paths["html"].write_text(_html(results, images), encoding="utf-8")
    log.info("report written to %s", out)
    return paths
