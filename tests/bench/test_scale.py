"""bench.scale's lent title vectors: a synthetic title is answered with its source title's vector,
the rest is encoded, and nothing lent reaches the disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.scale import LentVectors
from index.embed_cache import CachedEmbedder
from tests.index.test_batch_ingest import CountingEmbedder


def test_a_lent_vector_is_served_and_never_written_to_the_cache(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    lent = LentVectors(CachedEmbedder(inner, tmp_path / "cache.sqlite3"))
    source = lent.embed(["Asif spoke (2019)"])
    lent.lend(["Imran spoke (2031)"], source)
    got = lent.embed(["Imran spoke (2031)", "The river rose (2020)", "Imran spoke (2031)"])
    assert np.allclose(got[0], source[0]) and np.allclose(got[2], source[0])
    assert np.allclose(got[1], inner.embed(["The river rose (2020)"])[0])
    assert "Imran spoke (2031)" not in inner.texts and lent.dim == inner.dim
    reopened = CachedEmbedder(CountingEmbedder(), tmp_path / "cache.sqlite3")
    assert not np.allclose(reopened.embed(["Imran spoke (2031)"]), source) and reopened.misses == 1  # not stored
    lent.lend([], source[:0])  # the next batch: earlier loans are gone
    assert not np.allclose(lent.embed(["Imran spoke (2031)"]), source)


def test_names_are_replaced_in_one_pass_longest_first() -> None:
    from bench.scale import _renamer

    rename = _renamer({"Khawaja Asif": "Ada Abara1", "Asif": "Abara1", "Ada": "Brandt2"})
    assert rename("Khawaja Asif said Asif and Ada met.") == "Ada Abara1 said Abara1 and Brandt2 met."  # no chain
    assert _renamer({})("Unchanged.") == "Unchanged."


def test_synthetic_articles_keep_offsets_and_attribution_spans(tmp_path: Path) -> None:
    from bench.scale import synthetic
    from index.attribution import Attribution, Span
    from index.embed import HashEmbedder
    from index.store import SentenceStore
    from index.types import Article, Sentence

    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    text = "Khawaja Asif said the war was hard.\n\nAsif added that Imran Khan agreed, Khan said."
    sents = [Sentence("a", 0, 0, 35, text[:35]), Sentence("a", 1, 37, len(text), text[37:])]
    notes = [Attribution("a", 0, Span(0, 12, "Khawaja Asif"), Span(13, 17, "said"), Span(18, 34, "the war was hard"),
                         "Khawaja Asif", "named", (0,)),
             Attribution("a", 1, Span(37, 41, "Asif"), Span(42, 47, "added"), Span(53, 75, "Imran Khan agreed"),
                         "Khawaja Asif", "named", (1,))]  # fmt: skip
    store.add(Article("a", "Asif on the war", text, "2020-01-01"), sents, notes)
    made = list(synthetic(store, 3))
    assert len({a.text for a, *_ in made}) == 3
    for article, sentences, attributions, vectors in made:
        assert "Asif" not in article.text and "Asif" not in article.title and len(vectors) == 2
        for s in sentences:
            assert article.text[s.start : s.end] == s.text
        for a in attributions:
            assert article.text[a.source.start : a.source.end] == a.source.text  # type: ignore[union-attr]
            assert a.speaker.endswith(a.source.text) and "Asif" not in a.speaker  # type: ignore[union-attr]
            assert article.text[a.content.start : a.content.end] == a.content.text
