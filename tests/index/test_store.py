"""The store: typed records in and out, removal, reopening, the embedder check."""

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from index.attribution import Attribution, Span
from index.embed import HashEmbedder
from index.errors import NotFoundError, StoreError
from index.ingest import ingest
from index.store import (
    NewArticle,
    SearchHit,
    SentenceStore,
    _attribution_from_json,
    _attribution_json,
    _texts_sql,
)
from index.types import Article, Sentence


def test_remove_and_unknown_ids(tmp_path: Path, sample_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    article_id = ingest(store, [sample_path]).added[0]
    store.remove(article_id)
    assert store.articles() == [] and store.count() == 0 and store._collection.count() == 0
    with pytest.raises(NotFoundError, match="No article with id"):
        store.remove(article_id)


def test_index_survives_reopen_and_rejects_another_embedder(tmp_path: Path, sample_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    ingest(store, [sample_path])
    store.close()
    reopened = SentenceStore(tmp_path / "idx", HashEmbedder())
    assert reopened.count() == 33
    hits = reopened.search("BLA lost 35 of its fighters", 1)
    assert hits[0].sentence.text == "The BLA has said that it lost 35 of its fighters."
    with pytest.raises(StoreError, match="dim"):
        SentenceStore(tmp_path / "idx", HashEmbedder(dim=64))


def test_attributions_go_in_and_come_back_as_records(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    text = "Asif said the war was lost. It rained."
    article = Article("a1", "T", text)
    sentences = [Sentence("a1", 0, 0, 27, text[:27]), Sentence("a1", 1, 28, 38, text[28:])]
    said = Attribution("a1", 0, Span(0, 4, "Asif"), Span(5, 9, "said"), Span(10, 26, text[10:26]),
                       "Khawaja Asif", "named", (0,))  # fmt: skip
    unsourced = Attribution("a1", 1, None, Span(28, 28, ""), Span(28, 38, text[28:]), "", "unresolved", (1,))
    store.add(article, sentences, [said, unsourced], {0: "Khawaja Asif"})
    assert store.attributions() == [said, unsourced] and store.attributions("other") == []
    hits = store.search("Asif said the war was lost.", 2)
    assert all(isinstance(h, SearchHit) for h in hits)
    assert [(h.sentence, h.title, h.speaker) for h in hits] == [(sentences[0], "T", "Khawaja Asif"), (sentences[1], "T", "")]


def _articles(*ids: str) -> list[NewArticle]:
    embedder = HashEmbedder()
    items: list[NewArticle] = []
    for aid in ids:
        text = f"Police in {aid} closed the road. It rained in {aid}."
        cut = text.index(".") + 1
        sents = [Sentence(aid, 0, 0, cut, text[:cut]), Sentence(aid, 1, cut + 1, len(text), text[cut + 1 :])]
        items.append((Article(aid, f"Story {aid}", text), sents, [], {}, embedder.embed([s.text for s in sents])))
    return items


class _FailsFor:
    """A store listener whose ``apply_add`` fails for one article (its registry commit then fails)."""

    def __init__(self, bad: str) -> None:
        self.bad, self.added, self.removed = bad, [], []  # type: ignore[var-annotated]

    def prepare(self, article: Article, sentences: object, vectors: object) -> None:
        return None

    def apply_add(self, article: Article, sentences: object, prepared: object) -> None:
        if article.id == self.bad:
            raise RuntimeError("disk full")
        self.added.append(article.id)

    def apply_remove(self, article_id: str) -> None:
        self.removed.append(article_id)


def test_add_many_stores_each_article_on_its_own(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    listener = _FailsFor("Sibi")
    store.listeners.append(listener)  # type: ignore[arg-type]
    errors = store.add_many(_articles("Quetta", "Sibi", "Turbat"))
    assert [type(e).__name__ if e else None for e in errors] == [None, "RuntimeError", None]
    assert sorted(a.id for a in store.articles()) == ["Quetta", "Turbat"] and listener.added == ["Quetta", "Turbat"]
    assert store.count() == 4 and store._collection.count() == 4  # the failed article's vectors are gone too
    assert {h.sentence.article_id for h in store.search("Police in Turbat closed the road.", 1)} == {"Turbat"}


def test_add_many_falls_back_to_one_write_per_article_when_the_batch_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    collection = store._collection
    calls: list[set[str]] = []

    class FailingGwadar:  # the collection, except that a write holding "Gwadar" fails
        def __getattr__(self, name: str) -> object:
            return getattr(collection, name)

        def add(self, ids: list[str], **kwargs: object) -> None:
            calls.append({i.split(":")[0] for i in ids})
            if "Gwadar" in calls[-1]:
                raise ValueError("bad vector")
            collection.add(ids=ids, **kwargs)

    monkeypatch.setattr(store, "_collection", FailingGwadar())
    errors = store.add_many(_articles("Quetta", "Gwadar", "Turbat"))
    assert calls[0] == {"Quetta", "Gwadar", "Turbat"} and len(calls) == 4  # one batch, then one write each
    assert [type(e).__name__ if e else None for e in errors] == [None, "ValueError", None]
    assert sorted(a.id for a in store.articles()) == ["Quetta", "Turbat"] and store._collection.count() == 4


def test_sentence_vectors_of_several_articles_in_one_read(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    store = SentenceStore(tmp_path / "idx", embedder)
    store.add(Article("a:1", "T", "Rain fell. Wind blew."),
              [Sentence("a:1", 0, 0, 10, "Rain fell."), Sentence("a:1", 1, 11, 21, "Wind blew.")])  # fmt: skip
    store.add(Article("b", "T", "Asif spoke."), [Sentence("b", 0, 0, 11, "Asif spoke.")])
    got = store.sentence_vectors([("a:1", 1), ("b", 0), ("a:1", 7), ("b", 0)])
    assert set(got) == {("a:1", 1), ("b", 0)}  # a key with no vector is left out; ids may hold ':'
    assert np.allclose(got[("a:1", 1)], embedder.embed(["Wind blew."])[0], atol=1e-6)
    assert np.allclose(got[("b", 0)], embedder.embed(["Asif spoke."])[0], atol=1e-6)
    assert store.sentence_vectors([]) == {}
    assert np.allclose(store.vectors("a:1", [1, 0])[1], embedder.embed(["Rain fell."])[0], atol=1e-6)



def test_vectors_are_stored_without_a_document_and_hits_read_their_text_from_the_registry(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    store.add_many(_articles("Quetta", "Gwadar"))
    got = store._collection.get(ids=["Quetta:0"], include=["documents", "metadatas"])
    assert got["documents"] == [None]  # the text lives once, in SQLite (no Chroma full-text index of it)
    assert got["metadatas"] == [{"article_id": "Quetta"}]  # what a filter needs; the rest is in the registry
    hit = store.search("Police in Gwadar closed the road.", 1)[0]
    assert (hit.sentence.text, hit.title) == ("Police in Gwadar closed the road.", "Story Gwadar")
    assert hit.sentence == store.sentences("Gwadar")[hit.sentence.index]  # offsets from the registry
    (article, sents, _notes, _speakers, vectors), *_ = _articles("Turbat")
    store.add_many([(article, sents, [], {1: "Asif"}, vectors)])
    assert store._collection.get(ids=["Turbat:1"], include=["metadatas"])["metadatas"] == [{"article_id": "Turbat", "speaker": "Asif"}]
    assert store.search("It rained in Turbat.", 1)[0].speaker == "Asif"
    assert store.speakers([("Turbat", 0), ("Turbat", 1)]) == {("Turbat", 1): "Asif"}
    assert hit.score == pytest.approx(1.0, abs=1e-5)  # cosine, from Chroma's cosine distance


def test_an_index_written_through_llama_index_nodes_is_still_read_and_removed(tmp_path: Path) -> None:
    """Indexes written before the lean records hold a document and a node JSON per vector."""
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    (article, sents, _notes, _speakers, vectors), *_ = _articles("Quetta")
    with store._db:
        store._insert_rows(article, sents, [])
    store._collection.add(
        ids=[f"Quetta:{s.index}" for s in sents], embeddings=vectors, documents=[s.text for s in sents],
        metadatas=[{"article_id": "Quetta", "index": s.index, "start": s.start, "end": s.end, "title": "Story Quetta",
                    "date": "", "speaker": "", "member": store.member, "_node_content": "{}", "document_id": "Quetta",
                    "ref_doc_id": "Quetta", "doc_id": "Quetta", "_node_type": "TextNode"} for s in sents],
    )  # fmt: skip
    assert [h.sentence.index for h in store.search("It rained in Quetta.", 1)] == [1]
    store.replace_attributions("Quetta", [], {1: "Asif"})
    assert store.speakers([("Quetta", 1)]) == {("Quetta", 1): "Asif"}
    store.remove("Quetta")
    assert store._collection.count() == 0 and store.search("It rained in Quetta.", 1) == []


def test_the_sentence_count_follows_adds_and_removes_from_any_connection(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    store.add_many(_articles("Quetta", "Gwadar"))
    assert store.count() == 4
    other = SentenceStore(tmp_path / "idx", HashEmbedder())  # a second connection to the same index
    other.remove("Gwadar")
    assert store.count() == 2
    store.add_many(_articles("Turbat"))
    assert store.count() == 4 and other.count() == 4


def test_hit_texts_are_read_by_primary_key_not_by_a_table_scan(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    store.add_many(_articles("Quetta", "Gwadar"))
    plan = " ".join(str(row[-1]) for row in store._db.execute("EXPLAIN QUERY PLAN " + _texts_sql(2), ["Gwadar", 1, "x", 0]))
    assert "SEARCH s USING INDEX" in plan and "SCAN s" not in plan and "SCAN sentences" not in plan, plan
    assert store._sentence_rows([("Gwadar", 1), ("x", 0)]) == {("Gwadar", 1): (34, 54, "It rained in Gwadar.", "Story Gwadar", "")}


def test_attribution_records_are_written_as_asdict_wrote_them_and_read_back() -> None:
    said = Attribution("a1", 0, Span(0, 4, "Asif"), Span(5, 9, "said"), Span(10, 26, "it was very hard"),
                       "Khawaja Asif", "named", (0, 1))  # fmt: skip
    unsourced = Attribution("a1", 1, None, Span(28, 28, ""), Span(28, 38, "no comment"), "", "unresolved", ())
    for attribution in (said, unsourced):
        assert _attribution_json(attribution) == json.dumps(asdict(attribution))  # as indexes written before
        assert _attribution_from_json(_attribution_json(attribution)) == attribution


def test_the_registry_writes_ahead_and_syncs_at_checkpoints(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.add_many(_articles("Quetta"))
    store.close()
    assert [a.id for a in SentenceStore(tmp_path / "idx", HashEmbedder()).articles()] == ["Quetta"]
