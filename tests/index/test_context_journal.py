"""The BM25/passage journal: an add or remove after the full snapshots is appended, not saved in
full, and a reopened store gets the same indexes back without a rebuild; torn, stale or long
journals fall back to what is safe."""

from __future__ import annotations

from pathlib import Path

import pytest

import index.hybrid as hybrid
from index.embed import HashEmbedder
from index.hybrid import JOURNAL_FILE, ContextIndexes, attach_context_indexes
from index.segment import segment
from index.store import SentenceStore
from index.types import Article

TEXTS = {
    "a1": "The council passed the budget on Monday. The mayor welcomed it.",
    "a2": "Ghana confirmed its first Marburg cases.\n\nThe WHO sent experts to Accra.",
    "a3": "The harbour reopened on Friday. Ships queued outside the port.",
    "a4": "Subway redesigned its menu. Sandwich sales rose in March.",
}
SNAPSHOTS = ("bm25-sentences.npz", "passages.npz", "passages.json")


def _add(store: SentenceStore, aid: str) -> None:
    article = Article(aid, f"Title {aid}", TEXTS[aid])
    store.add(article, segment(article))


def _store(tmp_path: Path) -> tuple[SentenceStore, ContextIndexes]:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    indexes = attach_context_indexes(store)
    _add(store, "a1")
    _add(store, "a2")
    store.flush()
    return store, indexes


def _stamps(directory: Path) -> dict[str, int]:
    return {name: (directory / name).stat().st_mtime_ns for name in SNAPSHOTS if (directory / name).exists()}


def _reopen(store: SentenceStore, killed: bool = False) -> tuple[ContextIndexes, bool]:
    if killed:  # the process dies: nothing more is saved
        store._db.close()
    else:
        store.close()
    again = SentenceStore(store.directory, HashEmbedder())
    indexes = ContextIndexes(again.directory, again.embedder)
    return indexes, indexes.sync(again)


def _state(indexes: ContextIndexes) -> tuple[object, ...]:
    query = indexes.passages.embedder.embed(["harbour ships port"])[0]
    return (indexes.counts(), indexes.sentences.search("harbour ships", 3), indexes.sentences.search("Marburg", 3),
            [(p, round(s, 5)) for p, s in indexes.passages.search_dense(query, 3)],
            indexes.passages.search_lexical("sandwich sales", 2))  # fmt: skip


def test_changes_after_the_snapshots_are_journaled_and_come_back_without_a_rebuild(tmp_path: Path) -> None:
    store, indexes = _store(tmp_path)
    assert (store.directory / "bm25-sentences.npz").exists(), sorted(p.name for p in store.directory.iterdir())
    before = _stamps(store.directory)
    _add(store, "a3")
    store.flush()
    store.remove("a2")
    store.flush()
    _add(store, "a4")
    store.flush()
    assert _stamps(store.directory) == before  # no snapshot rewritten
    assert (store.directory / JOURNAL_FILE).stat().st_size > 0
    expected = _state(indexes)
    again, rebuilt = _reopen(store)
    assert rebuilt is False and _state(again) == expected
    assert again.sentences.search("Marburg", 3) == [] and again.counts()["bm25"].keys() == {"a1", "a3", "a4"}


def test_a_long_journal_is_folded_into_full_snapshots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hybrid, "JOURNAL_LIMIT", 3)  # _store journaled 2 changes already
    store, indexes = _store(tmp_path)
    before = _stamps(store.directory)
    _add(store, "a3")
    store.flush()  # 3 changes: journaled
    assert _stamps(store.directory) == before
    _add(store, "a4")
    store.remove("a1")
    store.flush()  # 5 changes in all: full snapshots, an empty journal
    assert _stamps(store.directory) != before
    assert indexes.journal.read()[0] == store.generation() and indexes.journal.read()[1] == []
    expected = _state(indexes)
    again, rebuilt = _reopen(store)
    assert rebuilt is False and _state(again) == expected


def test_a_torn_journal_tail_is_cut_and_what_was_committed_stays(tmp_path: Path) -> None:
    store, indexes = _store(tmp_path)
    _add(store, "a3")
    store.flush()
    expected = _state(indexes)
    journal = store.directory / JOURNAL_FILE
    size = journal.stat().st_size
    with open(journal, "ab") as out:
        out.write(b"\x40\x00\x00\x00\x00\x00\x00\x00{\"op\": \"add\", \"id\"")  # a kill mid-append
    again, rebuilt = _reopen(store)
    assert rebuilt is False and _state(again) == expected and journal.stat().st_size == size


def test_a_change_the_journal_never_saw_rebuilds(tmp_path: Path) -> None:
    store, _indexes = _store(tmp_path)
    _add(store, "a3")  # committed in the registry; the process dies before the flush
    again, rebuilt = _reopen(store, killed=True)
    assert rebuilt is True and again.counts()["bm25"].keys() == {"a1", "a2", "a3"}
    assert again.sentences.search("harbour ships", 1)[0][0] == "a3"


def test_a_kill_between_the_snapshots_and_the_journal_reset_keeps_the_snapshots(tmp_path: Path) -> None:
    store, indexes = _store(tmp_path)
    _add(store, "a3")
    store.flush()  # journaled
    indexes.sentences.save(store.generation())  # a full save at this generation …
    indexes.passages.save(store.generation())
    indexes.journal.reset("an older generation")  # … whose journal reset never happened
    expected = _state(indexes)
    again, rebuilt = _reopen(store)
    assert rebuilt is False and _state(again) == expected
    assert again.journal.read()[0] == again.saved_generation  # the journal starts again at the snapshots


def test_an_index_from_before_the_journal_loads_and_starts_one(tmp_path: Path) -> None:
    store, indexes = _store(tmp_path)
    indexes.sentences.save(store.generation())
    indexes.passages.save(store.generation())
    (store.directory / JOURNAL_FILE).unlink()
    expected = _state(indexes)
    again, rebuilt = _reopen(store)
    assert rebuilt is False and _state(again) == expected and (store.directory / JOURNAL_FILE).exists()


def test_garbage_instead_of_a_journal_is_read_as_none(tmp_path: Path) -> None:
    store, indexes = _store(tmp_path)
    (store.directory / JOURNAL_FILE).write_bytes(b"not a journal at all")
    assert indexes.journal.read() == (None, [], [])


def test_a_torn_record_right_after_the_snapshots_does_not_hide_later_changes(tmp_path: Path) -> None:
    store, indexes = _store(tmp_path)
    indexes.sentences.save(store.generation())  # full snapshots at this generation …
    indexes.passages.save(store.generation())
    indexes.journal.reset(store.generation())
    with open(indexes.journal.path, "ab") as out:
        out.write(b"\x40\x00\x00\x00")  # … and a record torn by a kill
    again, rebuilt = _reopen(store)
    assert rebuilt is False
    again_store = SentenceStore(store.directory, HashEmbedder())
    again_store.listeners.append(again)
    _add(again_store, "a3")
    again_store.flush()  # journaled after the cut, so readable
    expected = _state(again)
    last, rebuilt = _reopen(again_store)
    assert rebuilt is False and _state(last) == expected
