"""The runner with a fake assistant, and the corpus cache of prepare_corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import InputError, SourcedError
from assistant.types import Answer, Citation
from evaluation.gold import load_gold
from evaluation.runner import corpus_key, prepare_corpus, run_eval

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "eval"


class FakeSession:
    def __init__(self, owner: FakeAssistant, number: int) -> None:
        self.owner, self.number = owner, number
        self.turns: list[str] = []

    def ask(self, question: str) -> Answer:
        self.turns.append(question)
        self.owner.log.append((self.number, question))
        if question == "explode":
            raise RuntimeError("boom")
        if "Prime Minister" in question:
            return Answer(text="The articles don't say.", refused=True)
        return Answer(text=f"Khawaja Asif said 35 times [1]. ({len(self.turns)})", refused=False,
                      citations=(Citation(1, "art", "T", "x", 0, 50, 0.9),))


class FakeAssistant:
    def __init__(self) -> None:
        self.sessions: list[FakeSession] = []
        self.log: list[tuple[int, str]] = []

    def chat(self) -> FakeSession:
        self.sessions.append(FakeSession(self, len(self.sessions)))
        return self.sessions[-1]


def test_history_replayed_in_order_with_a_fresh_session_per_item() -> None:
    items = load_gold(FIXTURES / "tiny-gold.jsonl")
    fake = FakeAssistant()
    result = run_eval(items, fake, progress=False, system="fake")
    assert len(fake.sessions) == 4
    assert [s.turns for s in fake.sessions] == [
        [items[0].question],
        ["Who is the BLA?", items[1].question],
        [items[2].question],
        ["first turn", "second turn", items[3].question],
    ]
    assert fake.log == [(n, q) for n, s in enumerate(fake.sessions) for q in s.turns]
    r4 = result.items[3]
    assert [a.text[-3:] for a in r4.history_answers] == ["(1)", "(2)"]
    assert r4.answer is not None and r4.answer.text.endswith("(3)")
    assert result.system == "fake" and result.summary.n == 4
    # t2's cited sentence "x" is not its gold evidence; t4 names no newspaper
    assert [r.score.failure for r in result.items] == [
        "correct", "right_answer_wrong_citation", "correct", "wrong_answer"]
    assert all(r.score.seconds is not None for r in result.items)
    assert set(result.by_tag) == {"attribution", "clean", "factual", "follow_up", "unanswerable"}


def test_limit_and_errors_are_recorded() -> None:
    items = load_gold(FIXTURES / "tiny-gold.jsonl")
    broken = items[0].model_copy(update={"history": ["explode"]})
    result = run_eval([broken, *items[1:]], FakeAssistant(), limit=2, progress=False)
    assert [r.item.id for r in result.items] == ["t1", "t2"]
    assert result.items[0].score.failure == "error" and result.items[0].answer is None
    assert "RuntimeError: boom" in str(result.items[0].score.error)
    assert result.summary.errors == 1


class FakeReport:
    def __init__(self, added: list[str], failed: list[tuple[str, str]] | None = None) -> None:
        self.added, self.failed = added, failed or []
        self.unchanged: list[str] = []
        self.replaced: list[str] = []


class Opener:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[Path, list[Any]]] = []
        self.fail = fail

    def __call__(self, data_dir: Path, settings: Any) -> Opener:
        self.data_dir = data_dir
        return self

    def add(self, paths: list[Any]) -> FakeReport:
        self.calls.append((self.data_dir, list(paths)))
        return FakeReport([] if self.fail else ["a1"], [("x", "bad")] if self.fail else [])


def make_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("First article.", encoding="utf-8")
    (corpus / "b.jsonl").write_text('{"id": "b", "text": "Second."}\n', encoding="utf-8")
    (corpus / ".hidden").write_text("ignored", encoding="utf-8")
    return corpus


def test_corpus_key_changes_when_a_file_changes(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    key = corpus_key([corpus])
    assert key == corpus_key([str(corpus) + "/"])
    assert key == corpus_key([corpus / "b.jsonl", corpus / "a.txt"])
    (corpus / ".hidden").write_text("still ignored", encoding="utf-8")
    assert corpus_key([corpus]) == key
    (corpus / "a.txt").write_text("First articlE.", encoding="utf-8")  # same size, new content
    changed = corpus_key([corpus])
    assert changed != key
    assert corpus_key([corpus], embedder="other") != changed
    (corpus / "c.txt").write_text("Third.", encoding="utf-8")
    assert corpus_key([corpus]) != changed
    with pytest.raises(InputError, match="not found"):
        corpus_key([tmp_path / "missing"])


def test_prepare_corpus_builds_once_and_rebuilds_on_change(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    opener = Opener()
    first = prepare_corpus([corpus], tmp_path / "cache", opener=opener)
    again = prepare_corpus([corpus], tmp_path / "cache", opener=opener)
    assert first == again and len(opener.calls) == 1
    assert opener.calls[0] == (first, [str(corpus)])
    marker = json.loads((first / "eval-corpus.json").read_text(encoding="utf-8"))
    assert marker["key"].startswith(first.name.removeprefix("corpus-"))
    (corpus / "a.txt").write_text("Edited article text.", encoding="utf-8")
    second = prepare_corpus([corpus], tmp_path / "cache", opener=opener)
    assert second != first and len(opener.calls) == 2


def test_prepare_corpus_fails_when_nothing_is_indexed(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    with pytest.raises(SourcedError, match="No article"):
        prepare_corpus([corpus], tmp_path / "cache", opener=Opener(fail=True))
    with pytest.raises(InputError):
        prepare_corpus([], tmp_path / "cache", opener=Opener())
