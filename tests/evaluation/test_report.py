"""Report files: JSON parses, markdown has the tables, PNG plots exist; baseline side by side."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.types import Answer, Citation
from evaluation.gold import load_gold
from evaluation.report import fmt, markdown_table, summary_rows, write_report
from evaluation.runner import EvalResult, ItemResult
from evaluation.scoring import score_item, summarise, summarise_by_tag

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "eval"


def make_result(system: str, good: bool) -> EvalResult:
    items = load_gold(FIXTURES / "tiny-gold.jsonl")
    results = []
    for n, item in enumerate(items):
        if good or n % 2 == 0:
            answer = Answer(text=f"{(item.answers or ['x'])[0]} | said [1].",
                            refused=not item.answerable,
                            citations=(Citation(1, "art", "T", "Khawaja Asif admitted.", 0, 50,
                                                0.9),))
            results.append(ItemResult(item, answer, score_item(item, answer, seconds=0.1 * n)))
        else:
            results.append(ItemResult(item, None, score_item(item, None, error="boom")))
    scores = [r.score for r in results]
    return EvalResult(system=system, items=tuple(results), summary=summarise(scores),
                      by_tag=summarise_by_tag(scores), notes=(f"{system} note",))


def test_report_files(tmp_path: Path) -> None:
    paths = write_report(make_result("sourced", good=False), tmp_path / "out")
    assert set(paths) == {"json", "markdown", "html", "latency", "failures"}
    for name in ("latency", "failures"):
        assert paths[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["baseline"] is None and data["summary"]["n"] == 4
    item = data["items"][1]
    assert set(item) >= {"id", "question", "history", "answer", "refused", "citations",
                         "scores", "failure", "seconds"}
    assert item["failure"] == "error" and item["history"] == ["Who is the BLA?"]
    assert data["items"][0]["citations"][0]["start"] == 0
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "## Summary" in md and "| metric | sourced |" in md
    assert "## Per tag" in md and "| unanswerable |" in md
    assert "![latency](latency.png)" in md and "## Worst items: sourced" in md
    assert "**t2** (error)" in md
    html = paths["html"].read_text(encoding="utf-8")
    assert "<table>" in html and "data:image/png;base64," in html
    assert "&lt;" not in md


def test_baseline_columns_side_by_side(tmp_path: Path) -> None:
    main, base = make_result("sourced", good=True), make_result("llamaindex", good=False)
    paths = write_report(main, tmp_path, baseline=base)
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "| metric | sourced | llamaindex |" in md
    a, b = main.summary.answer_accuracy, base.summary.answer_accuracy
    assert (a, b) == (1.0, 1 / 3)
    assert "| answer_accuracy | 100.0% | 33.3% |" in md
    assert "answer_accuracy (sourced) | answer_accuracy (llamaindex)" in md
    assert "llamaindex: llamaindex note" in md
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["baseline"]["system"] == "llamaindex"
    assert summary_rows([main, base])[0] == ["metric", "sourced", "llamaindex"]


def test_formatting() -> None:
    assert fmt("citation_recall", 0.25) == "25.0%"
    assert fmt("latency_p95_s", 1.5) == "1.500 s"
    assert fmt("errors", 0) == "0" and fmt("recall@1", None) == "–"
    assert markdown_table([["a|b"], ["c"]]) == "| a\\|b |\n|---|\n| c |"
