"""A lexical (BM25) index over short texts keyed by ``(article_id, index)``, updated per article.

Dense retrieval misses what it cannot embed: a rare name, a number and its unit, a term the
model has never seen. BM25 matches those words exactly. Scores are bm25s's Lucene variant
(``idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))``, the same figures to float precision, see
the tests), but computed at query time from term frequencies, with the corpus statistics of the
moment: each article keeps its rows as small arrays (term ids and counts), a search reads a
column-sparse matrix of all rows built on first use, and the articles added since then are
scored from a small matrix of their own (removed ones are masked), until they pass a tenth of
the corpus and the big matrix is rebuilt by concatenating arrays. bm25s rebuilt its whole index
on the first search after any change, which takes minutes at 100k articles. The index is saved as
arrays (``.npz``) beside the store with the store's *generation* (a counter the store bumps in
the same SQLite transaction as every add/replace/remove), so a snapshot that does not match the
store is detected on open and rebuilt from the store's text.

Example:
    >>> import tempfile
    >>> bm = BM25Index(Path(tempfile.mkdtemp()))
    >>> bm.add("a", [(0, "The BLA lost 35 fighters."), (1, "Asif spoke in the National Assembly.")])
    >>> bm.search("How many fighters did the BLA lose?", 1)[0][:2]
    ('a', 0)
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import numpy as np

from index.blocks import Block, Blocks, best
from index.lexicon import SEARCH_STOP_WORDS

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")


P = ParamSpec("P")
R = TypeVar("R")


def locked(method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
    """Run ``method`` under its object's ``_lock``: questions search while an ingest updates
    (a lazily rebuilt matrix and the dicts it is built from must never be read half-changed)."""

    @wraps(method)
    def run(self: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            return method(self, *args, **kwargs)

    return run


@cache
def _stemmer() -> Callable[[str], str]:
    try:
        import Stemmer  # PyStemmer (snowball)

        stem = Stemmer.Stemmer("english").stemWord
        return lambda word: str(stem(word))
    except ImportError:  # pragma: no cover - PyStemmer is a dependency; plain words still work
        return lambda word: word


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words and numbers (``2.9`` and ``19,000`` stay whole).

    Example:
        >>> tokenize("Ford recalled 2.9 million vehicles this week.")
        ['ford', 'recal', '2.9', 'million', 'vehicl']
    """
    if len(_WORDS) > _MAX_WORDS:
        _WORDS.clear()
    words = _TOKEN.findall(text.lower().replace("’", "'"))
    terms = [_WORDS.get(word) for word in words]
    if None in terms:
        terms = [_learn(word) if term is None else term for word, term in zip(words, terms, strict=True)]
    return [term for term in terms if term]


def _learn(word: str) -> str:
    """``word``'s term ("" for a stop word), remembered in ``_WORDS``."""
    token = word.rstrip(".,")
    if not token or token in SEARCH_STOP_WORDS:
        term = ""
    else:
        term = token if token[0].isdigit() else _stemmer()(token)
    _WORDS[word] = term
    return term


#: Each word's term ("" when it is dropped), so that a word is stemmed and checked against the stop
#: words once, not once per occurrence: tokenizing was 8.6 of 74 s of a profiled 1,500-article store
#: when every occurrence was stemmed. Cleared when it grows past ``_MAX_WORDS`` words.
_WORDS: dict[str, str] = {}
_MAX_WORDS = 500_000


class _Rows:
    """One article's texts: sentence indexes, lengths, and per row its distinct term ids and counts."""

    __slots__ = ("counts", "indexes", "lengths", "offsets", "terms")

    def __init__(self, indexes: np.ndarray, lengths: np.ndarray, offsets: np.ndarray, terms: np.ndarray,
                 counts: np.ndarray) -> None:  # fmt: skip
        self.indexes, self.lengths, self.offsets, self.terms, self.counts = indexes, lengths, offsets, terms, counts


class _Matrix:
    """The rows of some articles (a :class:`~index.blocks.Block`), column-sparse: term → rows
    holding it, with their counts."""

    def __init__(self, order: list[str], articles: dict[str, _Rows], n_terms: int) -> None:
        from scipy.sparse import csr_matrix

        rows = [articles[aid] for aid in order]
        self.block = Block.of(order, [len(r.indexes) for r in rows])
        self.length = (np.concatenate([r.lengths for r in rows]) if rows else np.zeros(0)).astype(np.float32)
        per_row = np.concatenate([np.diff(r.offsets) for r in rows]) if rows else np.zeros(0, np.int64)
        indptr = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int64)
        terms = np.concatenate([r.terms for r in rows]) if rows else np.zeros(0, np.int32)
        counts = np.concatenate([r.counts for r in rows]) if rows else np.zeros(0, np.float32)
        matrix = csr_matrix((counts.astype(np.float32), terms, indptr), shape=(len(self.length), n_terms)).tocsc()
        self.indptr, self.rows, self.tf = matrix.indptr, matrix.indices, matrix.data
        self.n_terms = n_terms
        self._norms: tuple[tuple[float, float, float], np.ndarray] | None = None

    def scores(self, term_ids: Sequence[int], idf: Mapping[int, float], k1: float, b: float, avgdl: float) -> np.ndarray:
        if self._norms is None or self._norms[0] != (k1, b, avgdl):  # once per change of the corpus
            self._norms = (k1, b, avgdl), (k1 * (1 - b + b * self.length / avgdl)).astype(np.float32)
        norm = self._norms[1]
        out = np.zeros(len(self.length), dtype=np.float32)
        for j in term_ids:
            if j >= self.n_terms:  # a term first seen after this matrix was built
                continue
            start, end = self.indptr[j], self.indptr[j + 1]
            rows, tf = self.rows[start:end], self.tf[start:end]
            out[rows] += idf[j] * tf / (tf + norm[rows])
        return out


class BM25Index:
    """BM25 (bm25s's Lucene variant) over ``(article_id, index) -> text`` with per-article updates.

    ``search(..., allowed=)`` restricts results to some articles (filters); ``idf`` gives the
    inverse document frequency of a token (used to find a question's rare words).
    """

    def __init__(self, directory: Path, name: str = "sentences", k1: float = 1.2, b: float = 0.75) -> None:
        self.path = Path(directory) / f"bm25-{name}.npz"
        self._legacy = Path(directory) / f"bm25-{name}.json"  # the bm25s-era snapshot (token lists)
        self.k1, self.b = k1, b
        self._vocab: dict[str, int] = {}
        self._df = np.zeros(0, dtype=np.int64)
        self._articles: dict[str, _Rows] = {}
        self._n = 0
        self._total_length = 0
        self._blocks: Blocks[_Matrix] = Blocks(self._matrix, lambda aid: len(self._articles[aid].indexes))
        self.generation: str | None = None
        self._lock = threading.RLock()

    # -- updates ---------------------------------------------------------------------
    @locked
    def add(self, article_id: str, docs: Iterable[tuple[int, str]]) -> None:
        """Index (or re-index) one article's texts."""
        self.add_tokens(article_id, [(int(i), tokenize(text)) for i, text in docs])

    @locked
    def add_tokens(self, article_id: str, docs: Sequence[tuple[int, list[str]]]) -> None:
        """Index (or re-index) one article's texts, tokenized already (by :func:`tokenize`)."""
        if article_id in self._articles:
            self.remove(article_id)
        docs = [(i, tokens or ["\x00"]) for i, tokens in docs]  # as bm25s indexed an empty text: a placeholder
        lengths = np.array([len(tokens) for _, tokens in docs], np.int64)
        # Term ids of the whole article at once, then one sort for every row's distinct terms and
        # counts, instead of a Counter per row and a method call per term.
        get = self._vocab.get
        ids = [get(token) for _, tokens in docs for token in tokens]
        if None in ids:
            tokens = [token for _, row in docs for token in row]
            ids = [self._term(token) if j is None else j for token, j in zip(tokens, ids, strict=True)]
        width = max(len(self._vocab), 1)
        keys, counts = np.unique(np.repeat(np.arange(len(docs), dtype=np.int64), lengths) * width
                                 + np.array(ids, np.int64), return_counts=True)  # fmt: skip
        row_of, terms = np.divmod(keys, width)
        offsets = np.zeros(len(docs) + 1, np.int64)
        np.cumsum(np.bincount(row_of, minlength=len(docs)), out=offsets[1:])
        rows = _Rows(np.array([i for i, _ in docs], np.int32), lengths.astype(np.int32), offsets,
                     terms.astype(np.int32), counts.astype(np.float32))  # fmt: skip
        np.add.at(self._df, rows.terms, 1)
        self._articles[article_id] = rows
        self._n += len(docs)
        self._total_length += int(lengths.sum())
        self._blocks.added(article_id)

    def _term(self, token: str) -> int:
        j = self._vocab.get(token)
        if j is None:
            j = self._vocab[token] = len(self._vocab)
            if j >= len(self._df):
                self._df = np.concatenate([self._df, np.zeros(max(1024, len(self._df)), dtype=np.int64)])
        return j

    @locked
    def remove(self, article_id: str) -> None:
        """Forget one article (a no-op when it is not indexed)."""
        rows = self._articles.pop(article_id, None)
        if rows is None:
            return
        np.subtract.at(self._df, rows.terms, 1)
        self._n -= len(rows.indexes)
        self._total_length -= int(rows.lengths.sum())
        self._blocks.removed(article_id)

    @locked
    def articles(self) -> set[str]:
        return set(self._articles)

    @locked
    def keys(self) -> set[tuple[str, int]]:
        """Every indexed ``(article_id, index)``."""
        return {(aid, int(i)) for aid, rows in self._articles.items() for i in rows.indexes}

    @locked
    def counts(self) -> dict[str, int]:
        """Article id → texts indexed for it."""
        return {aid: len(rows.indexes) for aid, rows in self._articles.items()}

    @locked
    def __len__(self) -> int:
        return self._n

    # -- scoring ---------------------------------------------------------------------
    def _idf_of(self, df: np.ndarray | int) -> Any:
        return np.log(1 + (self._n - df + 0.5) / (df + 0.5))

    @locked
    def idf(self, token: str) -> float:
        """BM25's idf of a (tokenized) term; unseen terms get the maximum."""
        j = self._vocab.get(token)
        return float(self._idf_of(int(self._df[j]) if j is not None else 0))

    def _matrix(self, order: list[str]) -> tuple[Block, _Matrix]:
        matrix = _Matrix(order, self._articles, len(self._vocab))
        return matrix.block, matrix

    @locked
    def warm(self) -> None:
        """Build what the next search reads (seconds at 100k articles) now, not at that search."""
        if self._n:
            self._blocks.parts(lambda: list(self._articles))

    @locked
    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, int, float]]:
        """The ``k`` best ``(article_id, index, score)`` for ``query`` (score > 0 only)."""
        ids = [j for j in (self._vocab.get(t) for t in tokenize(query)) if j is not None and self._df[j] > 0]
        if not ids or not self._n or k <= 0:
            return []
        unique = np.unique(ids)  # the query's terms only: a vocabulary-sized idf array cost a zero-fill per search
        weights = self._idf_of(self._df[unique].astype(np.float64)).astype(np.float32)
        idf = dict(zip(unique.tolist(), weights.tolist(), strict=True))
        avgdl = self._total_length / self._n
        parts = []
        for block, matrix in self._blocks.parts(lambda: list(self._articles)):
            scores = matrix.scores(ids, idf, self.k1, self.b, avgdl)
            keep = self._blocks.live(block, allowed)
            if keep is not None:
                scores[~keep] = 0.0
            parts.append((block, scores))
        return [(aid, int(self._articles[aid].indexes[offset]), score) for aid, offset, score in best(parts, k, 0.0)]

    # -- persistence -----------------------------------------------------------------
    @locked
    def save(self, generation: str) -> None:
        """Write the rows as arrays with ``generation`` (atomically: temp file, then rename)."""
        rows = list(self._articles.values())
        header = {"generation": generation, "k1": self.k1, "b": self.b, "articles": list(self._articles),
                  "vocab": sorted(self._vocab, key=self._vocab.__getitem__)}  # fmt: skip

        def cat(name: str, dtype: Any) -> np.ndarray:
            return np.concatenate([getattr(r, name) for r in rows]).astype(dtype) if rows else np.zeros(0, dtype)

        tmp = self.path.with_name(self.path.stem + ".tmp.npz")
        with open(tmp, "wb") as out:
            np.savez(out, header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
                     sizes=np.array([len(r.indexes) for r in rows], np.int64), indexes=cat("indexes", np.int32),
                     lengths=cat("lengths", np.int32), per_row=np.concatenate([np.diff(r.offsets) for r in rows])
                     if rows else np.zeros(0, np.int64), terms=cat("terms", np.int32), counts=cat("counts", np.float32))  # fmt: skip
        os.replace(tmp, self.path)
        self._legacy.unlink(missing_ok=True)
        self.generation = generation

    @locked
    def load(self, generation: str) -> bool:
        """Read the saved index if it was saved at ``generation``; False (and empty) otherwise."""
        if not self.path.exists() and self._legacy.exists():
            return self._load_legacy(generation)
        try:
            with np.load(self.path) as data:
                header = json.loads(data["header"].tobytes().decode("utf-8"))
                if header.get("generation") != generation:
                    log.info("%s is stale (generation %s, store %s)", self.path.name, header.get("generation"), generation)
                    return False
                arrays = {name: data[name] for name in ("sizes", "indexes", "lengths", "per_row", "terms", "counts")}
        except (OSError, ValueError, KeyError):
            return False
        self.clear()
        self._vocab = {token: j for j, token in enumerate(header["vocab"])}
        self._df = np.zeros(max(1024, len(self._vocab)), dtype=np.int64)
        row_starts = np.concatenate([[0], np.cumsum(arrays["sizes"])])
        term_starts = np.concatenate([[0], np.cumsum(arrays["per_row"])])
        for a, aid in enumerate(header["articles"]):
            first, last = int(row_starts[a]), int(row_starts[a + 1])
            lo, hi = int(term_starts[first]), int(term_starts[last])
            rows = _Rows(arrays["indexes"][first:last], arrays["lengths"][first:last],
                         term_starts[first : last + 1] - lo, arrays["terms"][lo:hi], arrays["counts"][lo:hi])  # fmt: skip
            self._articles[aid] = rows
        self._df[: len(self._vocab)] = np.bincount(arrays["terms"], minlength=len(self._vocab))
        self._n = int(arrays["sizes"].sum())
        self._total_length = int(arrays["lengths"].sum())
        self.generation = generation
        return True

    def _load_legacy(self, generation: str) -> bool:
        """A snapshot of the token lists as JSON (before the arrays): read once, saved anew later."""
        try:
            data = json.loads(self._legacy.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if data.get("generation") != generation:
            return False
        self.clear()
        for aid, rows in data["docs"].items():
            self.add_tokens(aid, [(int(i), str(t).split()) for i, t in rows])
        self.generation = generation
        return True

    @locked
    def clear(self) -> None:
        self._vocab, self._df = {}, np.zeros(0, dtype=np.int64)
        self._articles.clear()
        self._n = self._total_length = 0
        self._blocks.clear()

    @locked
    def rebuild(self, articles: Iterable[tuple[str, Sequence[tuple[int, str]]]], generation: str) -> None:
        """Re-index from scratch (``(article_id, [(index, text), ...])`` pairs) and save."""
        self.clear()
        for aid, docs in articles:
            self.add(aid, docs)
        self.save(generation)
