"""The store's repair at open: what a kill mid-ingest or mid-removal can leave is cleared."""

from __future__ import annotations

from pathlib import Path

from index.consistency import component_ids, problems, repair
from index.embed import HashEmbedder
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
