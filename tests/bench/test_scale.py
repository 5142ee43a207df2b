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
