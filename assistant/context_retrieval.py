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

from assistant.fusion import Filters, collapse_duplicates, rrf
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
    depth: int = 40
    passage_depth: int = 8
    rrf_k: int = 20
    weights: tuple[tuple[str, float], ...] = (("dense", 1.0), ("bm25", 1.0), ("passage", 1.0), ("passage_bm25", 1.0))

    def stages(self) -> tuple[str, ...]:
        on = {"dense": self.dense, "bm25": self.bm25, "passage": self.passages, "passage_bm25": self.passages}
        return tuple(name for name, _ in self.weights if on[name])


@dataclass(frozen=True)
class Evidence:
    """Hits (best first) and the signals the answerability check reads.

    Example:
        >>> Evidence(hits=[]).best_cosine
        -1.0
    """

    hits: list[Hit]
    best_cosine: float = -1.0
    best_passage: float = -1.0
    rankings: dict[str, list[Key]] = field(default_factory=dict)
    cosines: dict[Key, float] = field(default_factory=dict)


class ContextRetriever:
    """Dense + BM25 over sentences and passages, fused; see the module docstring."""

    def __init__(self, store: SentenceStore, indexes: ContextIndexes, config: RankingConfig | None = None,
                 window: int = 1) -> None:  # fmt: skip
        self.store = store
        self.indexes = indexes
        self.config = config or RankingConfig()
        self.window = window

    def retrieve(self, question: str, k: int, filters: Filters | None = None) -> list[Hit]:
        return self.evidence(question, k, filters).hits

    def rankings(self, question: str, filters: Filters | None = None) -> tuple[dict[str, list[Key]], dict[Key, float], float]:
        """Each stage's ranking of sentence keys, sentence cosines, and the best passage cosine."""
        cfg = self.config
        allowed = (filters or Filters()).allowed(self.store.articles())
        vector = self.store.embedder.embed([question])[0]
        out: dict[str, list[Key]] = {}
        cosines: dict[Key, float] = {}
        best_passage = -1.0
        if cfg.dense:
            for sentence, score, _ in self.store.search(question, cfg.depth, vector=vector, articles=allowed):
                cosines[(sentence.article_id, sentence.index)] = score
            out["dense"] = list(cosines)
        if cfg.bm25:
            out["bm25"] = [(a, i) for a, i, _ in self.indexes.sentences.search(question, cfg.depth, allowed)]
        if cfg.passages:
            dense_p = self.indexes.passages.search_dense(vector, cfg.passage_depth, allowed)
            best_passage = dense_p[0][1] if dense_p else -1.0
            lexical_p = self.indexes.passages.search_lexical(question, cfg.passage_depth, allowed)
            for name, ranked in (("passage", dense_p), ("passage_bm25", lexical_p)):
                out[name] = [(p.article_id, i) for p, _ in ranked for i in range(p.first, p.last + 1)]
        return out, cosines, best_passage

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

    def evidence(self, question: str, k: int, filters: Filters | None = None) -> Evidence:
        filters = filters or Filters()
        rankings, cosines, best_passage = self.rankings(question, filters)
        fused = self.fuse(rankings)
        hits = self._hits(list(fused)[: max(k * 4, 20)], fused, cosines, filters)
        if self.config.dedupe:
            hits = [replace(h, duplicates=tuple(copies)) for h, copies in collapse_duplicates(hits, lambda h: h.sentence.text)]
        best = max(cosines.values(), default=-1.0)
        return Evidence(hits=hits[:k], best_cosine=best, best_passage=best_passage, rankings=rankings, cosines=cosines)

    def _hits(self, keys: Sequence[Key], fused: dict[Key, float], cosines: dict[Key, float],
              filters: Filters) -> list[Hit]:  # fmt: skip
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
                            cosine=cosines.get((aid, index))))  # fmt: skip
        return hits


def sentence_keys(hits: Sequence[Hit]) -> list[Key]:
    """``(article_id, index)`` of each hit and of the copies it absorbed."""
    out: list[Key] = []
    for h in hits:
        out.append((h.sentence.article_id, h.sentence.index))
        out.extend((d.sentence.article_id, d.sentence.index) for d in h.duplicates)
    return out

