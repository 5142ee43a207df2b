"""A lexical (BM25) index over short texts keyed by ``(article_id, index)``, built with bm25s.

Dense retrieval misses what it cannot embed: a rare name, a number and its unit, a term the
model has never seen. BM25 matches those words exactly. The index keeps each article's token
lists, so adding or removing an article is a dict update; the bm25s matrix is rebuilt lazily
on the next search. It is saved as JSON beside the store with the store's *generation* (a
counter the store bumps in the same SQLite transaction as every add/replace/remove), so a
snapshot that does not match the store is detected on open and rebuilt from the store's text.

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
import math
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cache, wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import numpy as np

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
    stem = _stemmer()
    out = []
    for token in _TOKEN.findall(text.lower().replace("’", "'")):
        token = token.rstrip(".,")
        if token and token not in SEARCH_STOP_WORDS:
            out.append(token if token[0].isdigit() else stem(token))
    return out


class BM25Index:
    """BM25 (bm25s, Lucene variant) over ``(article_id, index) -> text`` with per-article updates.

    ``search(..., allowed=)`` restricts results to some articles (filters); ``idf`` gives the
    inverse document frequency of a token (used to find a question's rare words).
    """

    def __init__(self, directory: Path, name: str = "sentences", k1: float = 1.2, b: float = 0.75) -> None:
        self.path = Path(directory) / f"bm25-{name}.json"
        self.k1, self.b = k1, b
        self._docs: dict[str, list[tuple[int, list[str]]]] = {}
        self._df: Counter[str] = Counter()
        self._n = 0
        self._model: Any = None
        self._keys: list[tuple[str, int]] = []
        self._rows: dict[str, np.ndarray] = {}
        self.generation: str | None = None
        self._lock = threading.RLock()

    # -- updates ---------------------------------------------------------------------
    @locked
    def add(self, article_id: str, docs: Iterable[tuple[int, str]]) -> None:
        """Index (or re-index) one article's texts."""
        if article_id in self._docs:
            self.remove(article_id)
        rows = [(int(i), tokenize(text)) for i, text in docs]
        self._docs[article_id] = rows
        for _, tokens in rows:
            self._df.update(set(tokens))
        self._n += len(rows)
        self._model = None

    @locked
    def remove(self, article_id: str) -> None:
        """Forget one article (a no-op when it is not indexed)."""
        rows = self._docs.pop(article_id, None)
        if rows is None:
            return
        for _, tokens in rows:
            self._df.subtract(set(tokens))
        self._df += Counter()  # drop zero counts
        self._n -= len(rows)
        self._model = None

    @locked
    def articles(self) -> set[str]:
        return set(self._docs)

    @locked
    def counts(self) -> dict[str, int]:
        """Article id → texts indexed for it."""
        return {aid: len(rows) for aid, rows in self._docs.items()}

    @locked
    def __len__(self) -> int:
        return self._n

    # -- scoring ---------------------------------------------------------------------
    @locked
    def idf(self, token: str) -> float:
        """BM25's idf of a (tokenized) term; unseen terms get the maximum."""
        df = self._df.get(token, 0)
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def _build(self) -> None:
        import bm25s

        self._keys = [(aid, i) for aid, rows in self._docs.items() for i, _ in rows]
        corpus = [tokens or ["\x00"] for rows in self._docs.values() for _, tokens in rows]
        model = bm25s.BM25(k1=self.k1, b=self.b)
        if corpus:
            model.index(corpus, show_progress=False)
        self._model = model
        self._rows = {}
        position = 0
        for aid, rows in self._docs.items():
            self._rows[aid] = np.arange(position, position + len(rows))
            position += len(rows)

    @locked
    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, int, float]]:
        """The ``k`` best ``(article_id, index, score)`` for ``query`` (score > 0 only)."""
        if self._model is None:
            self._build()
        tokens = [t for t in tokenize(query) if self._df.get(t)]
        if not tokens or not self._keys:
            return []
        vocab = self._model.vocab_dict
        ids = [vocab[t] for t in tokens if t in vocab]
        scores = np.asarray(self._model.get_scores(ids), dtype=np.float32)
        if allowed is not None:
            mask = np.zeros(len(self._keys), dtype=bool)
            for aid in allowed:
                rows = self._rows.get(aid)
                if rows is not None:
                    mask[rows] = True
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(*self._keys[j], float(scores[j])) for j in top if scores[j] > 0]

    # -- persistence -----------------------------------------------------------------
    @locked
    def save(self, generation: str) -> None:
        """Write the token lists with ``generation`` (atomically: temp file, then rename)."""
        data = {"generation": generation, "k1": self.k1, "b": self.b,
                "docs": {aid: [[i, " ".join(t)] for i, t in rows] for aid, rows in self._docs.items()}}  # fmt: skip
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)
        self.generation = generation

    @locked
    def load(self, generation: str) -> bool:
        """Read the saved index if it was saved at ``generation``; False (and empty) otherwise."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if data.get("generation") != generation:
            log.info("%s is stale (generation %s, store %s)", self.path.name, data.get("generation"), generation)
            return False
        self.clear()
        for aid, rows in data["docs"].items():
            parsed = [(int(i), str(t).split()) for i, t in rows]
            self._docs[aid] = parsed
            for _, tokens in parsed:
                self._df.update(set(tokens))
            self._n += len(parsed)
        self.generation = generation
        return True

    @locked
    def clear(self) -> None:
        self._docs.clear()
        self._df.clear()
        self._n = 0
        self._model = None

    @locked
    def rebuild(self, articles: Iterable[tuple[str, Sequence[tuple[int, str]]]], generation: str) -> None:
        """Re-index from scratch (``(article_id, [(index, text), ...])`` pairs) and save."""
        self.clear()
        for aid, docs in articles:
            self.add(aid, docs)
        self.save(generation)
