"""Gold-file loading: valid files, every validation error, and the shipped sample gold set."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from assistant.errors import InputError
from evaluation.gold import GoldFormatError, check_offsets, load_gold

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "eval"
SAMPLE_GOLD = ROOT / "eval" / "sample-gold.jsonl"
SAMPLE_ARTICLE = ROOT / "samples" / "balochistan-ians-2026-02-04.txt"


def write_lines(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "gold.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


OK = {"id": "ok", "question": "Who?", "answers": ["A"]}


def test_tiny_fixture_loads() -> None:
    items = load_gold(FIXTURES / "tiny-gold.jsonl")
    assert [i.id for i in items] == ["t1", "t2", "t3", "t4"]
    assert items[1].history == ["Who is the BLA?"]
    assert items[0].evidence[0].has_offsets and not items[1].evidence[0].has_offsets
    assert items[2].answerable is False and items[2].answers == []


def test_blank_lines_are_skipped_and_line_numbers_count_them() -> None:
    with pytest.raises(GoldFormatError) as err:
        load_gold(FIXTURES / "bad-gold.jsonl")
    assert err.value.line == 3 and err.value.field == "answers"
    assert "bad-gold.jsonl:3: answers:" in str(err.value)


@pytest.mark.parametrize(
    ("record", "field", "words"),
    [
        ('{"id": "x", "question": ', None, "bad JSON"),
        ("[1, 2]", None, "JSON object"),
        ({"id": "x", "answers": ["A"]}, "question", "required"),
        ({"id": "x", "question": "  ", "answers": ["A"]}, "question", "empty"),
        ({"id": "x", "question": "Q", "answers": "A"}, "answers", "list"),
        ({"id": "x", "question": "Q", "answers": []}, "answers", "answerable is true"),
        ({"id": "x", "question": "Q", "answers": ["A"], "answerable": False}, "answers", "false"),
        ({"id": "x", "question": "Q", "answers": ["A"], "evidence": [{"start": 1, "end": 2}]},
         "evidence[0].text", "required"),
        ({"id": "x", "question": "Q", "answers": ["A"],
          "evidence": [{"text": "t", "start": 9, "end": 2}]}, "evidence[0].start", "greater"),
        ({"id": "x", "question": "Q", "answers": ["A"], "evidence": [{"text": "t", "start": 1}]},
         "evidence[0].end", "both"),
        ({"id": "x", "question": "Q", "answers": ["A"], "history": "earlier"}, "history", "list"),
    ],
)
def test_validation_errors_name_line_and_field(
    tmp_path: Path, record: object, field: str | None, words: str
) -> None:
    path = write_lines(tmp_path, OK, record)
    with pytest.raises(GoldFormatError) as err:
        load_gold(path)
    assert isinstance(err.value, InputError)
    assert err.value.line == 2 and err.value.field == field
    message = str(err.value)
    assert message.startswith(f"{path}:2: ")
    assert words in message
    if field:
        assert f": {field}: " in message


def test_duplicate_ids(tmp_path: Path) -> None:
    with pytest.raises(GoldFormatError, match=r":2: id: duplicate id 'ok' \(first on line 1\)"):
        load_gold(write_lines(tmp_path, OK, OK))


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(GoldFormatError, match="file not found"):
        load_gold(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="no questions"):
        load_gold(tmp_path / "empty.jsonl")


def test_missing_id_defaults_to_line_number(tmp_path: Path) -> None:
    items = load_gold(write_lines(tmp_path, {"question": "Q", "answers": ["A"]}))
    assert items[0].id == "line-1"


def test_check_offsets_reports_mismatches() -> None:
    items = load_gold(FIXTURES / "tiny-gold.jsonl")
    problems = check_offsets(items, {"art": "x" * 200})
    assert len(problems) == 2 and "t1: evidence[0]" in problems[0]
    assert "unknown article" in check_offsets(items, {})[0]


def test_sample_gold_set_matches_the_sample_article() -> None:
    data = SAMPLE_ARTICLE.read_bytes()
    article_id = hashlib.sha256(data).hexdigest()[:16]
    assert article_id == "86d868735b54c7d8"
    text = data.decode("utf-8")
    items = load_gold(SAMPLE_GOLD)
    assert check_offsets(items, {article_id: text}) == []
    for item in items:
        for ev in item.evidence:
            assert ev.article_id == article_id and ev.has_offsets
            assert text[ev.start : ev.end] == ev.text
        assert item.tags
    answerable = [i for i in items if i.answerable]
    assert len(answerable) >= 25
    assert all(i.evidence for i in answerable)
    assert sum(not i.answerable for i in items) >= 5
    assert sum(bool(i.history) for i in items) >= 4
    tags = {t for i in items for t in i.tags}
    assert {"attribution", "direct_quote", "factual", "unanswerable", "follow_up", "clean"} <= tags
