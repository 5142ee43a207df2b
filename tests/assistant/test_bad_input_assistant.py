"""Bad input through the Assistant: huge articles, huge and empty questions, control characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, InputError
from index.ingest import extract_for_store
from index.segment import segment
from index.types import Article
from tests.conftest import make_fake_assistant


def _write_stream(path: Path, piece: str, size: int, end: str = "") -> None:
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(size // len(piece)):
            handle.write(piece)
        handle.write(end)


def test_a_5_mb_sentence_and_a_6_mb_line_are_refused_naming_the_limit(tmp_path: Path, sample_path: Path) -> None:
    assistant = make_fake_assistant(tmp_path / "data")
    sentence, line = tmp_path / "sentence.txt", tmp_path / "line.txt"
    _write_stream(sentence, "and the minister kept talking ", 5_000_000, "forever.")
    _write_stream(line, "word, ", 6_000_000)
    report = assistant.add([sentence, line, sample_path])
    reasons = dict(report.failed)
    assert len(report.added) == 1  # the good article beside them still goes in
    for path in (sentence, line):
        size = len(path.read_text(encoding="utf-8"))
        assert size > 4_900_000
        assert reasons[str(path)] == (f"article is {size:,} characters long; the limit is 1,000,000 "
                                      "(setting max_article_chars, SOURCED_MAX_ARTICLE_CHARS)")  # fmt: skip


def test_a_long_article_within_the_limit_is_indexed_in_pieces(tmp_path: Path) -> None:
    assistant = make_fake_assistant(tmp_path / "data", max_article_chars=200_000, max_sentence_chars=500)
    path = tmp_path / "long.txt"
    _write_stream(path, "the committee heard testimony about the bridge ", 150_000)
    report = assistant.add(path)
    assert report.added and not report.failed
    sentences = assistant.store.sentences(report.added[0])
    assert len(sentences) >= 300 and max(len(s.text) for s in sentences) <= 500


def test_the_parser_gets_pieces_not_a_raw_e088_error(nlp: object) -> None:
    text = "The minister said " + " ".join(f"item{i}" for i in range(4000)) + " would be built."
    article = Article("a", "t", text)
    records, _ = extract_for_store(article, segment(article, max_sentence_chars=2000))
    assert isinstance(records, list)  # parsed piece by piece; no exception


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Please type a question."),
        ("   \n\t ", "Please type a question."),
        ("\x00\x01\x1b\x7f", "Please type a question."),
        (None, "Please type a question."),
        ("Who said it? " * 8000, "The question is too long (103,999 characters; the limit is 2,000, setting max_question_chars)."),
    ],
)
def test_bad_questions_get_a_clear_message(fake_assistant: Assistant, question: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        fake_assistant.ask(question)  # type: ignore[arg-type]
    assert str(caught.value) == message
    with pytest.raises(InputError):
        fake_assistant.chat().ask(question)  # type: ignore[arg-type]


def test_control_characters_in_a_question_are_neutralised(fake_assistant: Assistant, sample_path: Path) -> None:
    fake_assistant.add(sample_path)
    clean = fake_assistant.ask("Who claimed 280 personnel were killed?")
    dirty = fake_assistant.ask("Who claimed\x00 280\x1b personnel were killed?\x07")
    assert dirty.question == "Who claimed  280  personnel were killed?"
    assert [c.sentence for c in dirty.citations] == [c.sentence for c in clean.citations]


def test_the_question_limit_is_a_setting(tmp_path: Path) -> None:
    assistant = make_fake_assistant(tmp_path / "data", max_question_chars=20)
    with pytest.raises(InputError, match="limit is 20"):
        assistant.ask("x" * 21)
