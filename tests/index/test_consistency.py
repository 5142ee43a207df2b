"""The store's repair at open: what a kill mid-ingest or mid-removal can leave is cleared."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.consistency import component_ids, problems, repair
from index.embed import HashEmbedder
from index.hybrid import ContextIndexes, attach_context_indexes
from index.segment import segment
from index.store import SentenceStore
from index.types import Article

ART = Article("a1", "T", "The minister said the bridge would reopen. Engineers disagreed. Work went on.")
ART2 = Article("a2", "U", "The council met on Monday. It voted for the budget.")


def _store(tmp_path: Path) -> SentenceStore:
    store = SentenceStore(tmp_path / "index", HashEmbedder())
    for art in (ART, ART2):
        store.add(art, segment(art))
    return store


def test_a_consistent_store_needs_no_repair(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert problems(store) == [] and repair(store) == []
    assert component_ids(store)["registry"] == component_ids(store)["vectors"] == {"a1", "a2"}


def test_vectors_written_before_a_kill_are_orphans_and_deleted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store._db:  # the kill came after Chroma's write, before the registry commit
        store._db.execute("DELETE FROM articles WHERE id = 'a2'")
        store._db.execute("DELETE FROM sentences WHERE article_id = 'a2'")
    assert any("vectors of a2" in p for p in problems(store))
    assert repair(store) == ["deleted 2 vectors of articles that were never committed"]
    assert problems(store) == [] and component_ids(store)["vectors"] == {"a1"}
    assert {h.sentence.article_id for h in store.search("council budget", 5)} == {"a1"}


def test_an_article_with_lost_vectors_is_removed_for_the_next_ingest(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store._collection.delete(ids=["a1:0"])  # Chroma lost a write
    assert repair(store) == ["removed a1 (incomplete; the next ingest adds it again)"]
    assert problems(store) == [] and component_ids(store)["registry"] == {"a2"}


def test_remove_commits_the_registry_before_deleting_vectors(tmp_path: Path) -> None:
    store = _store(tmp_path)
    calls: list[str] = []
    real = store._delete_vectors

    def spy(article_id: str) -> None:
        calls.append(str(store.has(article_id)))
        real(article_id)

    store._delete_vectors = spy  # type: ignore[method-assign]
    store.remove("a1")
    assert calls == ["False"] and problems(store) == []


# -- BM25 and passages (store listeners) ------------------------------------------------------
def _with_indexes(tmp_path: Path) -> tuple[SentenceStore, ContextIndexes]:
    store = _store(tmp_path)
    return store, attach_context_indexes(store)


def test_bm25_and_passages_agree_with_the_registry_and_are_checked(tmp_path: Path) -> None:
    store, indexes = _with_indexes(tmp_path)
    ids = component_ids(store)
    assert ids["bm25"] == ids["passages"] == ids["registry"] == {"a1", "a2"} and problems(store) == []
    indexes.sentences.remove("a2")  # BM25 lost an article: the check sees it, repair rebuilds it
    assert problems(store) == ["bm25 of a2: 0, registry says 2"]
    assert repair(store) == ["rebuilt bm25 from the registry (2 articles)"]
    assert problems(store) == [] and indexes.sentences.search("council budget", 3)[0][0] == "a2"


def test_a_kill_after_the_commit_leaves_a_stale_snapshot_that_is_rebuilt(tmp_path: Path) -> None:
    store, _ = _with_indexes(tmp_path)
    store.flush()  # snapshot of a1, a2
    art3 = Article("a3", "V", "The harbour reopened on Friday. Ships queued outside.")
    store.add(art3, segment(art3))  # committed; the process dies before the next flush
    store._db.close()
    reopened = SentenceStore(tmp_path / "index", HashEmbedder())
    indexes = ContextIndexes(reopened.directory, reopened.embedder)
    assert indexes.sync(reopened) is True  # the snapshot's generation is older than the registry's
    reopened.listeners.append(indexes)
    assert problems(reopened) == [] and component_ids(reopened)["bm25"] == {"a1", "a2", "a3"}
    assert indexes.sentences.search("harbour ships", 1)[0][0] == "a3"


def test_a_snapshot_at_the_right_generation_but_other_articles_is_rebuilt(tmp_path: Path) -> None:
    store, indexes = _with_indexes(tmp_path)
    indexes.sentences.remove("a1")
    indexes.sentences.save(store.generation())  # a BM25 snapshot that lacks a1, at this generation
    indexes.passages.save(store.generation())
    fresh = ContextIndexes(store.directory, store.embedder)
    assert fresh.sync(store) is True and fresh.counts()["bm25"] == store.registry_counts()
    assert ContextIndexes(store.directory, store.embedder).sync(store) is False  # the rebuilt one is saved


def test_a_failing_listener_leaves_nothing_of_the_article(tmp_path: Path) -> None:
    store, indexes = _with_indexes(tmp_path)
    art3 = Article("a3", "V", "The harbour reopened on Friday. Ships queued outside.")

    def broken(article_id: str, prepared: object) -> None:
        raise RuntimeError("disk full")

    indexes.passages.add = broken  # type: ignore[method-assign,assignment]
    with pytest.raises(RuntimeError):
        store.add(art3, segment(art3))
    assert not store.has("a3") and problems(store) == []
    assert "a3" not in component_ids(store)["vectors"] | component_ids(store)["bm25"]
