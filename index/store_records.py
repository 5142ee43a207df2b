"""The store's plain records and helpers: what :mod:`index.store` and :mod:`index.registry` share.

The records its API speaks (:class:`ArticleInfo`, :class:`SearchHit`, :data:`NewArticle`), the
:class:`StoreListener` protocol of the indexes kept in step with it, and the small helpers that
turn attributions into the registry's JSON and back, hash an article's text and read a vector id.
No SQLite, no Chroma: :mod:`index.store` re-exports every name, so callers import from there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from index.types import Article, Sentence

if TYPE_CHECKING:
    from index.attribution import Attribution


class StoreListener(Protocol):
    """An index kept in step with the store (BM25, passages): ``prepare`` runs before the
    transaction, ``apply_add``/``apply_remove`` inside it, ``save`` after it commits."""

    def prepare(self, article: Article, sentences: Sequence[Sentence], vectors: Any) -> Any: ...

    def apply_add(self, article: Article, sentences: Sequence[Sentence], prepared: Any) -> None: ...

    def apply_remove(self, article_id: str) -> None: ...

    def save(self, generation: str) -> None: ...

    def counts(self) -> dict[str, dict[str, int]]:
        """Per component (``bm25``, ``passages``), article id → sentences it covers (checked by
        :mod:`index.consistency` against the registry)."""
        ...

    def sync(self, store: Any, *, force: bool = False) -> bool:
        """Load or rebuild from ``store`` (``force``: rebuild); True when rebuilt."""
        ...


@dataclass(frozen=True)
class ArticleInfo:
    """A registry row: what ``Assistant.articles()`` lists.

    Example:
        >>> ArticleInfo("a1", "Title", "2026-02-04", "IANS", "a.txt", 12).n_sentences
        12
    """

    id: str
    title: str
    date: str
    source: str
    path: str
    n_sentences: int


@dataclass(frozen=True)
class SearchHit:
    """A sentence found by :meth:`~index.store.SentenceStore.search`: cosine similarity, the
    article's title and date, and the speaker the attribution index credits the sentence to
    (``""`` if none).

    Example:
        >>> SearchHit(Sentence("a1", 0, 0, 6, "Hello."), 0.8, "T", "", "").score
        0.8
    """

    sentence: Sentence
    score: float
    title: str
    date: str
    speaker: str


#: One article for :meth:`~index.store.SentenceStore.add_many`: its sentences, attributions, a
#: speaker per sentence index and the sentences' vectors.
NewArticle = tuple[Article, Sequence[Sentence], Sequence["Attribution"], dict[int, str], Any]
#: One article's Chroma records: ids, a float32 matrix of vectors, flat metadata.
_Records = tuple[list[str], np.ndarray, list[dict[str, str | int]]]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(node_id: str) -> tuple[str, int]:
    """``(article_id, index)`` of a vector id ``<article_id>:<index>`` (an article id may hold ':')."""
    article_id, _, index = str(node_id).rpartition(":")
    return article_id, int(index)


def _attribution_json(attribution: Attribution) -> str:
    """``json.dumps(asdict(attribution))``, written out: ``asdict``'s deep copy took 7.8 of 74 s
    of a profiled 1,500-article store (tests/index/test_store.py checks they are equal)."""
    record = {f.name: getattr(attribution, f.name) for f in fields(attribution)}
    for name in ("source", "cue", "content"):
        span = record[name]
        record[name] = None if span is None else {"start": span.start, "end": span.end, "text": span.text}
    record["content_sentences"] = list(record["content_sentences"])
    return json.dumps(record)


def _attribution_from_json(data: str) -> Attribution:
    from index.attribution import Attribution, Span  # plain records (index.attribution.records), no spaCy

    record = json.loads(data)
    spans = {k: Span(**record[k]) if record.get(k) else None for k in ("source", "cue", "content")}
    return Attribution(
        article_id=record["article_id"], cue_sentence=int(record["cue_sentence"]), source=spans["source"],
        cue=spans["cue"] or Span(0, 0, ""), content=spans["content"] or Span(0, 0, ""),
        speaker=record.get("speaker", ""), speaker_kind=record.get("speaker_kind", "unresolved"),
        content_sentences=tuple(record.get("content_sentences", ())),
    )  # fmt: skip
