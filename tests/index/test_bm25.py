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
from tests.index.churn import churn


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
    return indexes.sentences.keys()


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


def _bm25s_scores(docs: dict[str, list[tuple[int, str]]], query: str) -> dict[tuple[str, int], float]:
    """The reference: a fresh bm25s index (Lucene variant) of ``docs``, as BM25Index once built it."""
    import bm25s

    keys = [(aid, i) for aid, rows in docs.items() for i, _ in rows]
    corpus = [tokenize(t) or ["\x00"] for rows in docs.values() for _, t in rows]
    model = bm25s.BM25(k1=1.2, b=0.75)
    model.index(corpus, show_progress=False)
    ids = [model.vocab_dict[t] for t in tokenize(query) if t in model.vocab_dict]
    scores = model.get_scores(ids)
    return {key: float(s) for key, s in zip(keys, scores, strict=True) if s > 0}


def test_scores_equal_a_fresh_bm25s_index_through_adds_replaces_and_removes(tmp_path: Path) -> None:
    import random

    rng = random.Random(3)
    words = ["mayor", "budget", "storm", "flood", "Ghana", "Marburg", "vaccine", "2.9", "million", "recall", "vote", "court", "fire"]
    docs: dict[str, list[tuple[int, str]]] = {}
    bm = BM25Index(tmp_path)
    bm._blocks.min_rows = 8  # small enough that some steps rebuild the big matrix and some do not
    queries = ["mayor budget vote", "Marburg vaccine in Ghana", "2.9 million recall", "storm storm flood"]
    for step, aid, removing in churn(60, lambda: f"a{rng.randrange(25)}", rng.random, docs):
        if removing:
            bm.remove(aid)
            del docs[aid]
        else:
            rows = [(i, " ".join(rng.choices(words, k=rng.randrange(0, 9)))) for i in range(rng.randrange(1, 5))]
            bm.add(aid, rows)  # new, or a replacement
            docs[aid] = rows
        if step % 3 == 0 and docs:
            for query in queries:
                want = _bm25s_scores(docs, query)
                got = {(a, i): s for a, i, s in bm.search(query, 500)}
                assert got.keys() == want.keys(), (step, query)
                assert all(abs(got[key] - want[key]) < 1e-4 for key in want), (step, query)
                allowed = set(list(docs)[:3])
                assert {(a, i) for a, i, _ in bm.search(query, 500, allowed)} == {k for k in want if k[0] in allowed}
            assert bm.idf("mayor") == pytest.approx(_idf(docs, "mayor"))


def _idf(docs: dict[str, list[tuple[int, str]]], token: str) -> float:
    import math

    rows = [tokenize(t) for r in docs.values() for _, t in r]
    df = sum(token in r for r in rows)
    return math.log(1 + (len(rows) - df + 0.5) / (df + 0.5))


def test_an_add_is_searched_without_rebuilding_the_big_matrix(tmp_path: Path) -> None:
    bm = BM25Index(tmp_path)
    for n in range(50):
        bm.add(f"old{n}", [(0, f"Council meeting number {n} about roads.")])
    assert bm.search("roads", 1)
    big = bm._blocks.big
    bm.add("new", [(0, "Ghana confirmed its first Marburg cases.")])
    bm.remove("old7")
    assert bm.search("Marburg", 1)[0][:2] == ("new", 0)
    assert ("old7", 0) not in {(a, i) for a, i, _ in bm.search("council meeting", 100)}
    assert bm._blocks.big is big  # the new article came from the small matrix; old7 is masked


def test_arrays_snapshot_and_the_older_json_snapshot_load(tmp_path: Path) -> None:
    import json

    bm = BM25Index(tmp_path)
    bm.add("a", [(0, "The minister spoke."), (3, "")])
    bm.add("b", [(1, "Ebola cases rose in Uganda.")])
    bm.save("4")
    again = BM25Index(tmp_path)
    assert again.load("4") and again.keys() == {("a", 0), ("a", 3), ("b", 1)}
    assert again.search("Uganda Ebola", 2) == bm.search("Uganda Ebola", 2)
    assert again.idf("ebola") == bm.idf("ebola")
    legacy = tmp_path / "old"
    legacy.mkdir()
    (legacy / "bm25-sentences.json").write_text(json.dumps(
        {"generation": "9", "docs": {"b": [[1, " ".join(tokenize("Ebola cases rose in Uganda."))]]}}))  # fmt: skip
    old = BM25Index(legacy)
    assert old.load("9") and old.search("Uganda", 1)[0][:2] == ("b", 1)
    old.save("10")  # written as arrays from now on
    assert not (legacy / "bm25-sentences.json").exists() and BM25Index(legacy).load("10")
