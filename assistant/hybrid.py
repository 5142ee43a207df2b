"""Builds the hybrid answer path's components from settings (retriever, refusal policy, LLM
generator, question filters), so the assistant's wiring stays a few lines.

Example:
    >>> import tempfile
    >>> from index.embed import HashEmbedder
    >>> from index.store import SentenceStore
    >>> settings = Settings(data_dir=tempfile.mkdtemp())
    >>> store = SentenceStore(settings.index_dir, HashEmbedder())
    >>> type(build_retriever(store, settings)).__name__
    'ContextRetriever'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.answerability import AnswerabilityCheck, LLMAnswerableJudge
from assistant.context_generation import ContextGenerator
from assistant.context_retrieval import ContextRetriever, RankingConfig
from assistant.fusion import Filters, dates_in_question
from assistant.retrieval import DenseRetriever
from assistant.settings import Settings
from assistant.types import Hit
from index.hybrid import ContextIndexes, attach_context_indexes
from index.store import SentenceStore


def context_indexes(store: SentenceStore) -> ContextIndexes:
    """The store's BM25/passage indexes, attached (and synced) on first use."""
    for listener in store.listeners:
        if isinstance(listener, ContextIndexes):
            return listener
    return attach_context_indexes(store)


def build_retriever(store: SentenceStore, settings: Settings) -> ContextRetriever | DenseRetriever:
    """``settings.retrieval``: the hybrid in-context retriever or the old dense one."""
    if settings.retrieval == "dense":
        return DenseRetriever(store, window=settings.window)
    config = RankingConfig(bm25=settings.bm25, passages=settings.passages, dedupe=settings.dedupe)
    return ContextRetriever(store, context_indexes(store), config, window=settings.window)


def build_generator(llm: Any, retriever: Any, store: SentenceStore, settings: Settings) -> Any:
    """The LLM generator: passages around the best sentences (hybrid) or isolated sentences."""
    if isinstance(retriever, ContextRetriever):
        return ContextGenerator(llm, store.sentences, budget=settings.context_budget, around=max(settings.window, 1),
                                max_tokens=min(settings.llm_max_tokens, 80))  # fmt: skip
    from assistant.generation import LLMGenerator

    return LLMGenerator(llm, max_tokens=settings.llm_max_tokens)


class RefusalPolicy:
    """When to answer "The articles don't say.": the answerability check over the fused evidence
    (``settings.answerability == "check"`` with hybrid retrieval) or the old cosine cut-off.

    Example:
        >>> from assistant.types import Sentence
        >>> policy = RefusalPolicy(None, 0.6, count=lambda: 3)
        >>> policy.refusal_note("Q?", [Hit(Sentence("a", 0, 0, 2, "S."), 0.4)])
        'The closest sentence scored 0.40, below the refusal threshold 0.60.'
    """

    def __init__(self, check: AnswerabilityCheck | None, threshold: float, count: Any) -> None:
        self.check = check
        self.threshold = threshold
        self.count = count

    @classmethod
    def from_settings(cls, retriever: Any, settings: Settings, count: Any, llm: Any | None = None) -> RefusalPolicy:
        check = None
        if isinstance(retriever, ContextRetriever) and settings.answerability == "check":
            judge = LLMAnswerableJudge(llm) if llm is not None and settings.answerability_judge else None
            check = AnswerabilityCheck(retriever.indexes.sentences.idf, judge=judge)
        return cls(check, settings.refusal_threshold, count)

    def refusal_note(self, question: str, hits: Sequence[Hit]) -> str | None:
        """``None`` to answer, else the reason for refusing (shown in the answer's notes)."""
        if not hits:
            return "No articles are indexed yet." if not self.count() else "Nothing relevant was found."
        if self.check is not None:
            verdict = self.check.check(question, hits)
            return None if verdict.answerable else f"Refused: {verdict.reason}."
        best = hits[0].score
        if best >= self.threshold:
            return None
        return f"The closest sentence scored {best:.2f}, below the refusal threshold {self.threshold:.2f}."


def retrieve(retriever: Any, question: str, k: int, filters: Filters | None, settings: Settings) -> list[Hit]:
    """Hits for ``question`` within ``filters``; a year the question names ("in 2023") limits the
    articles unless the filters set dates, and is dropped again when no article of that year matches."""
    if not isinstance(retriever, ContextRetriever):
        return list(retriever.retrieve(question, k))
    filters = filters or Filters()
    if settings.question_dates:
        dated = filters.with_dates_from(dates_in_question(question, latest=""))
        if dated != filters:
            hits = retriever.retrieve(question, k, dated)
            if hits:
                return hits
    return retriever.retrieve(question, k, filters)
