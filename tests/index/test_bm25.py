"""BM25 and passage indexes: scoring, per-article updates and consistency with the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.bm25 import BM25Index, tokenize
from index.embed import HashEmbedder
from index.hybrid import attach_context_indexes
from index.ingest import ingest
from index.segment import segment
from index.store import SentenceStore
from index.types import Article


def test_tokens_keep_numbers_and_stem_words() -> None:
    assert tokenize("The Avalanche won 4-2; 19,000 fans, $2.9 billion.") == [
        "avalanch", "won", "4", "2", "19,000", "fan", "2.9", "billion"]  # fmt: skip


def test_rare_name_and_number_rank_first(tmp_path: Path) -> None:
    bm = BM25Index(tmp_path)
    bm.add("a", [(0, "The minister spoke about the budget."), (1, "Seruiratu said climate change is the threat.")])
    bm.add("b", [(0, "The recall covers 2.9 million vehicles."), (1, "The recall covers 1.2 million phones.")])
    assert bm.search("What did Seruiratu say?", 1)[0][:2] == ("a", 1)
    assert bm.search("Which automaker recalled 2.9 million vehicles?", 1)[0][:2] == ("b", 0)
    assert [r[0] for r in bm.search("recall", 5, allowed={"a"})] == []


def test_remove_and_reload(tmp_path: Path) -> None:
    bm = BM25Index(tmp_path)
    bm.add("a", [(0, "Ghana confirmed Marburg virus cases.")])
    bm.add("b", [(0, "Marburg is similar to Ebola.")])
    bm.remove("a")
    assert {r[0] for r in bm.search("Marburg Ghana", 5)} == {"b"} and len(bm) == 1
    bm.save("7")
    again = BM25Index(tmp_path)
    assert not again.load("8")  # a snapshot of another generation is not used
    assert again.load("7") and again.search("Ebola", 1)[0][:2] == ("b", 0)


def _keys(store: SentenceStore) -> set[tuple[str, int]]:
    return {(s.article_id, s.index) for aid in store.article_ids() for s in store.sentences(aid)}


def _bm25_keys(indexes) -> set[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return {(aid, i) for aid, rows in indexes.sentences._docs.items() for i, _ in rows}


def test_indexes_follow_the_store_through_add_replace_remove_and_reopen(tmp_path: Path) -> None:
    directory = tmp_path / "idx"
    store = SentenceStore(directory, HashEmbedder())
    indexes = attach_context_indexes(store)
    doc = tmp_path / "a.txt"
    doc.write_text("The mayor resigned. Nobody knows why.", encoding="utf-8")
    other = tmp_path / "b.txt"
    other.write_text("Ghana confirmed its first Marburg cases.\n\nThe WHO sent experts.", encoding="utf-8")
    ingest(store, [doc, other])
    assert _bm25_keys(indexes) == _keys(store) and indexes.passages.articles() == set(store.article_ids())
    doc.write_text("The mayor resigned on Friday. He cited health reasons. Aides agreed.", encoding="utf-8")
    ingest(store, [doc])  # replaced: new id, old one removed
    assert _bm25_keys(indexes) == _keys(store) and len(_keys(store)) == 5
    store.remove(next(a.id for a in store.articles() if a.path.endswith("b.txt")))
    assert _bm25_keys(indexes) == _keys(store) and indexes.sentences.search("Marburg", 3) == []
    store.close()
    reopened = SentenceStore(directory, HashEmbedder())
    again = attach_context_indexes(reopened)
    assert _bm25_keys(again) == _keys(reopened) and again.saved_generation == reopened.generation()


def test_a_stale_snapshot_is_rebuilt_on_open(tmp_path: Path) -> None:
    directory = tmp_path / "idx"
    store = SentenceStore(directory, HashEmbedder())
    attach_context_indexes(store)
    art = Article("x", "T", "Havering is the cheapest borough. Chelsea is not.")
    store.add(art, segment(art))
    store.flush()
    store.listeners.clear()  # a change the snapshot never saw (as after a crash before the save)
    store.remove("x")
    art2 = Article("y", "T", "Subway redesigned its menu.")
    store.add(art2, segment(art2))
    again = attach_context_indexes(store)
    assert _bm25_keys(again) == {("y", 0)}


def test_failed_listener_leaves_nothing_behind(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    indexes = attach_context_indexes(store)

    def boom(*args: object) -> None:
        raise RuntimeError("disk full")

    indexes.passages.add = boom  # type: ignore[method-assign]
    art = Article("x", "T", "One sentence here.")
    with pytest.raises(RuntimeError):
        store.add(art, segment(art))
    assert store.count() == 0 and not store.has("x") and len(indexes.sentences) == 0


def test_searches_while_an_ingest_adds_and_removes_articles(tmp_path: Path) -> None:
    """Questions search while an ingest updates the index: no half-changed state is ever read."""
    import threading

    from index.passages import PassageIndex

    bm = BM25Index(tmp_path)
    passages = PassageIndex(tmp_path, HashEmbedder())
    errors: list[BaseException] = []
    done = threading.Event()

    def ingest() -> None:
        for n in range(150):
            art = Article(f"a{n}", f"Story {n}", f"The river bridge {n} opened. The council met on day {n}.")
            sents = segment(art)
            bm.add(art.id, [(s.index, s.text) for s in sents])
            passages.add(art.id, passages.prepare(art, sents, HashEmbedder().embed([s.text for s in sents])))
            if n % 3 == 2:
                bm.remove(f"a{n - 1}")
                passages.remove(f"a{n - 1}")
        done.set()

    def ask() -> None:
        vector = HashEmbedder().embed(["river bridge"])[0]
        while not done.is_set():
            try:
                for aid, index, _ in bm.search("river bridge council", 5):
                    assert index in (0, 1) and aid.startswith("a")
                passages.search_lexical("river bridge", 5)
                passages.search_dense(vector, 5)
            except BaseException as exc:  # any error of a reader fails the test
                errors.append(exc)
                return

    threads = [threading.Thread(target=ask) for _ in range(4)] + [threading.Thread(target=ingest)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert errors == [] and len(bm.articles()) == 100
