"""Passage scoring: a large matrix is scored in slices on several threads, with the same result; the
search matrices follow adds and removes; snapshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import passages
from index.embed import HashEmbedder
from index.passages import Passage, PassageIndex, cosines
from tests.index.churn import churn


def test_sliced_scores_equal_one_product(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((1001, 8)).astype(np.float32)
    vector = rng.standard_normal(8).astype(np.float32)
    monkeypatch.setattr(passages, "SPLIT_ROWS", 100)
    monkeypatch.setattr(passages, "_WORKERS", 3)  # uneven slices: 333, 334, 334 rows
    sliced = cosines(matrix, vector)
    assert sliced.shape == (1001,)
    np.testing.assert_allclose(sliced, matrix @ vector, rtol=1e-6)


def test_small_matrices_are_one_product() -> None:
    matrix = np.eye(4, dtype=np.float32)
    assert cosines(matrix, np.array([0, 0, 2, 0], np.float32)).tolist() == [0.0, 0.0, 2.0, 0.0]


def _prepared(rng: np.random.Generator, aid: str, n: int) -> tuple[list[Passage], np.ndarray, list[str]]:
    vectors = rng.standard_normal((n, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [Passage(aid, j, j, j) for j in range(n)], vectors, [f"{aid} passage {j}" for j in range(n)]


def test_dense_search_equals_a_full_product_through_adds_replaces_and_removes(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    index = PassageIndex(tmp_path, HashEmbedder(dim=8))
    index._blocks.min_rows = 6  # some steps rebuild the big matrix, most do not
    truth: dict[str, np.ndarray] = {}
    builds = 0
    for step, aid, removing in churn(80, lambda: f"a{rng.integers(20)}", rng.random, truth):
        if removing:
            index.remove(aid)
            del truth[aid]
        else:
            prepared = _prepared(rng, aid, int(rng.integers(1, 4)))
            index.add(aid, prepared)
            truth[aid] = prepared[1]
        big = index._blocks.big
        query = rng.standard_normal(8).astype(np.float32)
        allowed = set(list(truth)[::2]) if step % 2 else None
        want = sorted(((float(v @ query), aid, j) for aid, rows in truth.items() for j, v in enumerate(rows)
                       if allowed is None or aid in allowed), reverse=True)[:5]  # fmt: skip
        got = index.search_dense(query, 5, allowed)
        assert [(p.article_id, p.index) for p, _ in got] == [(aid, j) for _, aid, j in want], step
        assert np.allclose([s for _, s in got], [s for s, _, _ in want], atol=1e-5)
        builds += index._blocks.big is not big
    assert 3 < builds < 60  # mostly served from the big matrix plus the recent one


def test_one_matrix_snapshot_and_the_older_per_article_snapshot_load(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    index = PassageIndex(tmp_path, HashEmbedder(dim=8))
    for aid, n in (("a", 2), ("b", 3)):
        index.add(aid, _prepared(rng, aid, n))
    query = rng.standard_normal(8).astype(np.float32)
    want = [(p, round(s, 5)) for p, s in index.search_dense(query, 4)]
    index.save("3")
    again = PassageIndex(tmp_path, HashEmbedder(dim=8))
    assert again.load("3") and [(p, round(s, 5)) for p, s in again.search_dense(query, 4)] == want
    assert again._vectors["b"].base is not None  # rows are views of one matrix
    vectors = [index._vectors["a"], index._vectors["b"]]
    np.savez(tmp_path / "passages.npz", *vectors)  # as snapshots were written before
    older = PassageIndex(tmp_path, HashEmbedder(dim=8))
    assert older.load("3") and [(p, round(s, 5)) for p, s in older.search_dense(query, 4)] == want


def test_passage_tokens_are_those_of_the_heading_and_passage_text(tmp_path: Path) -> None:
    """A passage's BM25 tokens come from its sentences' tokens (each sentence tokenized once), and
    equal tokenizing the heading and the passage text: numbers at sentence ends, curly apostrophes,
    stop words, accents and paragraph breaks included."""
    from index.bm25 import tokenize
    from index.segment import segment
    from index.types import Article

    text = ("The mayor’s office said 2.5 million people voted in 2022. 19,000 more did not.\n\n"
            "Électricité de France isn't the same as EDF, she said. It rose 3.\n\nThe end came at 4.30 p.m. "
            + " ".join(f"Sentence {n} about the river bridge and the council." for n in range(40)))  # fmt: skip
    article = Article("a", "Vote count: 2.5 million", text, "2022-05-01")
    sentences = segment(article)
    index = PassageIndex(tmp_path, HashEmbedder())
    vectors = HashEmbedder().embed([s.text for s in sentences])
    made, _matrix, words = index.prepare(article, sentences, vectors)
    assert len(made) > 2
    head = passages.heading(article)
    for p, tokens in zip(made, words, strict=True):
        body = " ".join(s.text for s in sentences[p.first : p.last + 1])
        assert tokens == tokenize(f"{head} {body}")
    again = index.prepare(article, sentences, vectors, [tokenize(s.text) for s in sentences])[2]
    assert again == words


def test_streamed_snapshot_reads_as_the_concatenated_one(tmp_path: Path) -> None:
    """The passage vectors are streamed into the snapshot article by article (no concatenated copy);
    np.load reads the same arrays np.savez of the concatenation gave, empty included."""
    rng = np.random.default_rng(3)
    big = rng.standard_normal((9, 8)).astype(np.float32)
    for parts in ([big[:4], big[4:5], big[5:], big[::2]], []):
        path = tmp_path / "p.npz"
        passages._write_rows(path, parts, 8)
        with np.load(path) as got:
            expected = np.concatenate(parts) if parts else np.zeros((0, 8), np.float32)
            assert got["vectors"].dtype == np.float32 and np.array_equal(got["vectors"], expected)
            assert got["sizes"].tolist() == [len(p) for p in parts]
