"""Passages: runs of consecutive sentences (whole paragraphs where they fit) ranked as a unit.

A sentence alone rarely says which story it belongs to ("The Lightning won the last two
Stanley Cups"); its paragraph and the article's title and date do. Passages are embedded with
the title in front and indexed by BM25 with the title and the year, and every sentence inherits
its passage's rank (in the manner of llama-index's sentence-window / hierarchical retrieval).

Example:
    >>> from index.types import Article, Sentence
    >>> art = Article("a", "Cup final", "One two.\\n\\nThree four.")
    >>> sents = [Sentence("a", 0, 0, 8, "One two."), Sentence("a", 1, 10, 21, "Three four.")]
    >>> [(p.first, p.last) for p in make_passages(art, sents, max_words=3)]
    [(0, 0), (1, 1)]
"""

from __future__ import annotations

import json
import logging
import os
import threading
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from index.blocks import Block, Blocks, best
from index.bm25 import BM25Index, locked, tokenize
from index.embed import Embedder
from index.types import Article, Sentence

log = logging.getLogger(__name__)

MAX_WORDS = 90
TITLE_WEIGHT = 0.5
SPLIT_ROWS = 100_000  # a passage matrix past this many rows is scored in one slice per core
_WORKERS = min(4, os.cpu_count() or 1)


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="passage-scores")


def cosines(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector``; a large matrix in slices on a thread per core (numpy releases the GIL).

    BLAS runs one thread here (``index.embed.limit_blas_threads``), and a matrix-vector product is
    bound by memory reads: slices on two threads scored 250k x 384 in ~0.5x the time of one product
    (76 -> 39 ms, a micro-benchmark with a bench run beside).

    Example:
        >>> cosines(np.eye(3, dtype=np.float32), np.array([0, 1, 0], np.float32)).tolist()
        [0.0, 1.0, 0.0]
    """
    if len(matrix) < SPLIT_ROWS or _WORKERS < 2:
        return np.asarray(matrix @ vector)
    bounds = np.linspace(0, len(matrix), _WORKERS + 1).astype(int)
    parts = _pool().map(lambda ab: matrix[ab[0] : ab[1]] @ vector, pairwise(bounds))
    return np.concatenate(list(parts))


@dataclass(frozen=True)
class Passage:
    """Sentences ``first..last`` (inclusive) of one article.

    Example:
        >>> Passage("a", 0, 2, 4).size
        3
    """

    article_id: str
    index: int
    first: int
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def make_passages(article: Article, sentences: Sequence[Sentence], max_words: int = MAX_WORDS) -> list[Passage]:
    """Group sentences into passages of at most ``max_words`` words, breaking at paragraph
    ends when the passage is already half full (a longer sentence stands alone)."""
    passages: list[Passage] = []
    first, words = None, 0
    for i, s in enumerate(sentences):
        n = len(s.text.split())
        new_paragraph = i > 0 and "\n" in article.text[sentences[i - 1].end : s.start]
        if first is not None and (words + n > max_words or (new_paragraph and words >= max_words // 2)):
            passages.append(Passage(article.id, len(passages), sentences[first].index, sentences[i - 1].index))
            first, words = None, 0
        if first is None:
            first = i
        words += n
    if first is not None:
        passages.append(Passage(article.id, len(passages), sentences[first].index, sentences[-1].index))
    return passages


def heading(article: Article) -> str:
    """What a passage is embedded and matched with besides its text: title and year."""
    year = article.date[:4] if article.date[:4].isdigit() else ""
    return f"{article.title} ({year})" if year else article.title


class PassageIndex:
    """Dense vectors (title + passage, normalised) and BM25 over passages, per article.

    Vectors are searched as one matrix of every article (rebuilt only once the articles added or
    removed since pass a share of it, :mod:`index.blocks`) plus one of the articles added since;
    each article's rows are views of those. They are saved with the store's generation
    (``passages.npz``: one matrix and the row count per article, + ``passages.json``); BM25 is a
    :class:`BM25Index` saved beside them.
    """

    def __init__(self, directory: Path, embedder: Embedder) -> None:
        self.directory = Path(directory)
        self.embedder = embedder
        self.lexical = BM25Index(directory, "passages")
        self._passages: dict[str, list[Passage]] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._blocks: Blocks[np.ndarray] = Blocks(self._stack, lambda aid: len(self._passages[aid]))
        self._lock = threading.RLock()

    def prepare(self, article: Article, sentences: Sequence[Sentence], vectors: np.ndarray,
                tokens: Sequence[list[str]] | None = None) -> tuple[list[Passage], np.ndarray, list[list[str]]]:  # fmt: skip
        """Passages, their vectors and their BM25 tokens, before the store's transaction.
        ``tokens``: each sentence's :func:`~index.bm25.tokenize` when the caller has them (a
        passage's tokens are its heading's and its sentences', so no text is tokenized twice).

        A passage's vector is the normalised mean of its sentences' vectors (already computed by
        the store) plus ``TITLE_WEIGHT`` times the title's: one extra embedding per article, not
        one per passage, and close to embedding the passage text (MiniLM pools the same way).
        """
        passages = make_passages(article, sentences)
        head = heading(article)
        if tokens is None:
            tokens = [tokenize(s.text) for s in sentences]
        head_tokens = tokenize(head)
        position = {s.index: i for i, s in enumerate(sentences)}
        title = self.embedder.embed([head])[0] if head else np.zeros(self.embedder.dim, np.float32)
        rows = []
        for p in passages:
            mean = np.asarray(vectors[position[p.first] : position[p.last] + 1], dtype=np.float32).mean(axis=0)
            mean /= max(float(np.linalg.norm(mean)), 1e-9)
            row = mean + TITLE_WEIGHT * title
            rows.append(row / max(float(np.linalg.norm(row)), 1e-9))
        matrix = np.array(rows, dtype=np.float32).reshape(len(rows), self.embedder.dim)
        words = [head_tokens + [t for row in tokens[position[p.first] : position[p.last] + 1] for t in row]
                 for p in passages]  # fmt: skip
        return passages, matrix, words

    @locked
    def add(self, article_id: str, prepared: tuple[list[Passage], np.ndarray, list[list[str]]]) -> None:
        passages, vectors, words = prepared
        if article_id in self._passages:
            self.remove(article_id)
        self._passages[article_id] = passages
        self._vectors[article_id] = np.asarray(vectors, dtype=np.float32)
        self.lexical.add_tokens(article_id, [(p.index, w) for p, w in zip(passages, words, strict=True)])
        self._blocks.added(article_id)

    @locked
    def remove(self, article_id: str) -> None:
        if self._passages.pop(article_id, None) is None:
            return
        self._vectors.pop(article_id, None)
        self.lexical.remove(article_id)
        self._blocks.removed(article_id)

    @locked
    def clear(self) -> None:
        self._passages, self._vectors = {}, {}
        self._blocks.clear()
        self.lexical.clear()

    @locked
    def articles(self) -> set[str]:
        return set(self._passages)

    @locked
    def passages(self, article_id: str) -> list[Passage]:
        return self._passages.get(article_id, [])

    @locked
    def passage_of(self, article_id: str, sentence_index: int) -> Passage | None:
        for p in self._passages.get(article_id, []):
            if p.first <= sentence_index <= p.last:
                return p
        return None

    @locked
    def warm(self) -> None:
        """Build the matrices the next searches read now, not at those searches."""
        if self._passages:
            self._blocks.parts(lambda: list(self._passages))
        self.lexical.warm()

    @locked
    def search_dense(self, vector: np.ndarray, k: int, allowed: set[str] | None = None) -> list[tuple[Passage, float]]:
        """The ``k`` passages with the highest cosine to ``vector`` (a normalised query vector)."""
        if not self._passages or k <= 0:
            return []
        parts = []
        for block, matrix in self._blocks.parts(lambda: list(self._passages)):
            scores = cosines(matrix, np.asarray(vector, dtype=np.float32)) if len(block) else np.zeros(0, np.float32)
            keep = self._blocks.live(block, allowed)
            if keep is not None:
                scores[~keep] = -2.0
            parts.append((block, scores))
        return [(self._passages[aid][offset], score) for aid, offset, score in best(parts, k, -2.0)]

    def _stack(self, order: list[str]) -> tuple[Block, np.ndarray]:
        """One matrix of ``order``'s vectors; each article's rows become views of it (no second copy)."""
        matrix = (np.concatenate([self._vectors[aid] for aid in order]) if order
                  else np.zeros((0, self.embedder.dim), np.float32))  # fmt: skip
        block = Block.of(order, [len(self._vectors[aid]) for aid in order])
        for aid in order:
            self._vectors[aid] = matrix[block.starts[aid] : block.starts[aid] + block.sizes[aid]]
        return block, matrix

    @locked
    def search_lexical(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[Passage, float]]:
        out = []
        for aid, index, score in self.lexical.search(query, k, allowed):
            out.append((self._passages[aid][index], score))
        return out

    # -- persistence -------------------------------------------------------------------
    @locked
    def save(self, generation: str) -> None:
        meta = {"generation": generation, "dim": self.embedder.dim,
                "passages": {aid: [[p.first, p.last] for p in ps] for aid, ps in self._passages.items()}}  # fmt: skip
        tmp = self.directory / "passages.tmp.npz"
        order = list(self._passages)
        _write_rows(tmp, [self._vectors[aid] for aid in order], self.embedder.dim)
        os.replace(tmp, self.directory / "passages.npz")
        tmp_json = self.directory / "passages.tmp.json"
        tmp_json.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp_json, self.directory / "passages.json")
        self.lexical.save(generation)

    @locked
    def load(self, generation: str) -> bool:
        try:
            meta = json.loads((self.directory / "passages.json").read_text(encoding="utf-8"))
            if meta.get("generation") != generation or meta.get("dim") != self.embedder.dim:
                return False
            arrays = np.load(self.directory / "passages.npz")
        except (OSError, ValueError):
            return False
        spans = meta["passages"]
        if "vectors" in arrays.files:  # one matrix and the rows of each article
            sizes = arrays["sizes"]
            if len(sizes) != len(spans):
                return False
            starts = np.cumsum(sizes) - sizes
            matrix = arrays["vectors"]
            rows = [matrix[a : a + n] for a, n in zip(starts.tolist(), sizes.tolist(), strict=True)]
        elif sorted(arrays.files) == sorted(f"arr_{i}" for i in range(len(spans))):  # older: one array per article
            rows = [arrays[f"arr_{i}"] for i in range(len(spans))]
        else:
            return False
        self.clear()
        if not self.lexical.load(generation):
            return False
        for (aid, article_spans), vectors in zip(spans.items(), rows, strict=True):
            self._passages[aid] = [Passage(aid, j, a, b) for j, (a, b) in enumerate(article_spans)]
            self._vectors[aid] = vectors
        return True


def _write_rows(path: Path, parts: list[np.ndarray], dim: int) -> None:
    """``np.savez(path, vectors=np.concatenate(parts), sizes=...)`` without the concatenated copy:
    each article's rows are streamed into the archive's ``vectors.npy`` (1.8 GB at 100k articles,
    which the copy held in memory a second time during every save)."""
    n = sum(len(part) for part in parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        with archive.open("vectors.npy", "w", force_zip64=True) as out:
            np.lib.format.write_array_header_1_0(out, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
                                                      "fortran_order": False, "shape": (n, dim)})  # fmt: skip
            for part in parts:
                out.write(np.ascontiguousarray(part, dtype=np.float32).reshape(-1, dim).data)
        with archive.open("sizes.npy", "w") as out:
            np.lib.format.write_array(out, np.array([len(part) for part in parts], np.int64))
