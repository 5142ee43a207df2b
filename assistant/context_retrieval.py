"""Hybrid, in-context retrieval: sentences ranked with their passage, title and date.

Four rankings are fused by weighted reciprocal rank fusion:

* ``dense`` – sentence cosine (MiniLM),
* ``bm25`` – sentence BM25 (rare names, numbers and units),
* ``passage`` – cosine of the sentence's passage embedded with its article title,
* ``passage_bm25`` – BM25 of the passage with its title and year.

A sentence inherits the rank of its passage, so a sentence in the right story outranks a
similar sentence from another story or year. Syndicated copies collapse into one hit that keeps
every source; filters restrict articles (id, source, dates) and speakers. Each stage can be
switched off (:class:`RankingConfig`).

Example:
    >>> RankingConfig().stages()
    ('dense', 'bm25', 'passage', 'passage_bm25')
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.fusion import Filters, collapse_duplicates, dates_in_question, rrf
from assistant.types import Hit
from index.hybrid import ContextIndexes
from index.store import SentenceStore

log = logging.getLogger(__name__)

Key = tuple[str, int]


@dataclass(frozen=True)
class RankingConfig:
    """Which stages run and how much each counts (weights of the fused rankings)."""

    dense: bool = True
    bm25: bool = True
    passages: bool = True
    dedupe: bool = True
    question_dates: bool = True
    depth: int = 40
    passage_depth: int = 5
    rrf_k: int = 10
    # Measured on news-QA dev and the sample set (bench.retrieval): BM25 over title + year + passage
    # lifts recall@5; the dense passage vector (mean of its sentences plus the title) did not, so
    # it weighs 0 here and serves the answerability check only.
    weights: tuple[tuple[str, float], ...] = (("dense", 1.0), ("bm25", 1.0), ("passage", 0.0), ("passage_bm25", 1.0))

    def stages(self) -> tuple[str, ...]:
        on = {"dense": self.dense, "bm25": self.bm25, "passage": self.passages, "passage_bm25": self.passages}
        return tuple(name for name, _ in self.weights if on[name])


@dataclass(frozen=True)
class Rankings:
    """Each stage's ranking of sentence keys, with the dense cosines of sentences and passages.

    Example:
        >>> Rankings().best_cosine
        -1.0
    """

    lists: dict[str, list[Key]] = field(default_factory=dict)
    cosines: dict[Key, float] = field(default_factory=dict)
    passage_cosines: dict[tuple[str, int], float] = field(default_factory=dict)

    @property
    def best_cosine(self) -> float:
        return max(self.cosines.values(), default=-1.0)

    @property
    def best_passage(self) -> float:
        return max(self.passage_cosines.values(), default=-1.0)


class ContextRetriever:
    """Dense + BM25 over sentences and passages, fused; see the module docstring."""

    def __init__(self, store: SentenceStore, indexes: ContextIndexes, config: RankingConfig | None = None,
                 window: int = 1) -> None:  # fmt: skip
        self.store = store
        self.indexes = indexes
        self.config = config or RankingConfig()
        self.window = window

    def rankings(self, question: str, filters: Filters | None = None) -> Rankings:
        """Each enabled stage's ranking (``config.depth`` sentences, ``passage_depth`` passages)."""
        cfg = self.config
        allowed = (filters or Filters()).allowed(self.store.articles)
        vector = self.store.embed([question])[0]
        out = Rankings()
        if cfg.dense:
            for found in self.store.search(question, cfg.depth, vector=vector, articles=allowed):
                out.cosines[(found.sentence.article_id, found.sentence.index)] = found.score
            out.lists["dense"] = list(out.cosines)
        if cfg.bm25:
            out.lists["bm25"] = [(a, i) for a, i, _ in self.indexes.sentences.search(question, cfg.depth, allowed)]
        if cfg.passages:
            dense_p = self.indexes.passages.search_dense(vector, cfg.passage_depth, allowed)
            out.passage_cosines.update({(p.article_id, p.index): score for p, score in dense_p})
            lexical_p = self.indexes.passages.search_lexical(question, cfg.passage_depth, allowed)
            for name, ranked in (("passage", dense_p), ("passage_bm25", lexical_p)):
                out.lists[name] = [(p.article_id, i) for p, _ in ranked for i in range(p.first, p.last + 1)]
        return out

    def fuse(self, rankings: dict[str, list[Key]]) -> dict[Key, float]:
        """Fused score per sentence key, scaled so a first place in every ranking scores 1. Passage rankings list every sentence of a passage at
        the passage's rank, so they are re-ranked here: rank = position of the passage."""
        cfg = self.config
        weights = dict(cfg.weights)
        scores: dict[Key, float] = rrf({n: r for n, r in rankings.items() if not n.startswith("passage")},
                                       weights, cfg.rrf_k)  # fmt: skip
        for name in ("passage", "passage_bm25"):
            rank, last = 0, None
            for key in rankings.get(name, []):
                passage = self.indexes.passages.passage_of(*key)
                if passage != last:
                    rank, last = rank + 1, passage
                scores[key] = scores.get(key, 0.0) + weights.get(name, 1.0) / (cfg.rrf_k + rank)
        top = sum(weights.get(n, 1.0) for n in rankings) / (cfg.rrf_k + 1)
        return {key: scores[key] / top for key in sorted(scores, key=lambda key: -scores[key])}

    def retrieve(self, question: str, k: int, filters: Filters | None = None) -> list[Hit]:
        """The ``k`` best sentences, copies collapsed, each with its cosine and its passage's.
        A year the question names ("in 2023") limits the articles unless ``filters`` set dates;
        when no article of that year matches, it is dropped again."""
        filters = filters or Filters()
        if self.config.question_dates:
            dated = filters.with_dates_from(dates_in_question(question, latest=""))
            if dated != filters and (hits := self._retrieve(question, k, dated)):
                return hits
        return self._retrieve(question, k, filters)

    def _retrieve(self, question: str, k: int, filters: Filters) -> list[Hit]:
        ranked = self.rankings(question, filters)
        fused = self.fuse(ranked.lists)
        hits = self._hits(list(fused)[: max(k * 4, 20)], fused, ranked, filters)
        if self.config.dedupe:
            hits = [replace(h, duplicates=tuple(c)) for h, c in collapse_duplicates(hits, lambda h: h.sentence.text)]
        return hits[:k]

    def _hits(self, keys: Sequence[Key], fused: dict[Key, float], ranked: Rankings, filters: Filters) -> list[Hit]:
        infos: dict[str, Any] = {}
        speakers = self.store.speakers(keys)
        hits = []
        for aid, index in keys:
            if not filters.speaker_ok(speakers.get((aid, index))):
                continue
            if aid not in infos:
                infos[aid] = self.store.article_info(aid)
            info = infos[aid]
            around = self.store.sentences(aid, index - self.window, index + self.window)
            sentence = next((s for s in around if s.index == index), None)
            if sentence is None or info is None:
                continue
            hits.append(Hit(sentence=sentence, score=round(fused[(aid, index)], 4), title=info.title, date=info.date,
                            speaker=speakers.get((aid, index)) or None, window=" ".join(s.text for s in around),
                            cosine=ranked.cosines.get((aid, index)), passage=self._passage_cosine(ranked, aid, index)))  # fmt: skip
        return hits

    def _passage_cosine(self, ranked: Rankings, article_id: str, index: int) -> float | None:
        passage = self.indexes.passages.passage_of(article_id, index)
        return None if passage is None else ranked.passage_cosines.get((article_id, passage.index))


def sentence_keys(hits: Sequence[Hit]) -> list[Key]:
    """``(article_id, index)`` of each hit and of the copies it absorbed."""
    out: list[Key] = []
    for h in hits:
        out.append((h.sentence.article_id, h.sentence.index))
        out.extend((d.sentence.article_id, d.sentence.index) for d in h.duplicates)
    return out

