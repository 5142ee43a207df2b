"""The store: typed records in and out, removal, reopening, the embedder check."""

from pathlib import Path

import pytest

from index.attribution import Attribution, Span
from index.embed import HashEmbedder
from index.errors import NotFoundError, StoreError
from index.ingest import ingest
from index.store import SearchHit, SentenceStore
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
