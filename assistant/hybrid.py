"""Builds the hybrid answer path's components from settings (retriever, answerability check,
LLM generator) for :func:`assistant.factory.build_pipeline`.

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

from typing import Any

from assistant.answerability import AnswerabilityCheck, LLMAnswerableJudge
from assistant.context_generation import ContextGenerator
from assistant.context_retrieval import ContextRetriever, RankingConfig
from assistant.retrieval import DenseRetriever
from assistant.settings import Settings
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
    config = RankingConfig(bm25=settings.bm25, passages=settings.passages, dedupe=settings.dedupe,
                           question_dates=settings.question_dates)  # fmt: skip
    return ContextRetriever(store, context_indexes(store), config, window=settings.window)


def build_generator(llm: Any, retriever: Any, store: SentenceStore, settings: Settings) -> Any:
    """The LLM generator: passages around the best sentences (hybrid) or isolated sentences."""
    if isinstance(retriever, ContextRetriever):
        return ContextGenerator(llm, store.sentences, budget=settings.context_budget, around=max(settings.window, 1),
                                max_tokens=min(settings.llm_max_tokens, 80))  # fmt: skip
    from assistant.generation import LLMGenerator

    return LLMGenerator(llm, max_tokens=settings.llm_max_tokens)


def build_check(retriever: Any, settings: Settings, llm: Any | None = None) -> AnswerabilityCheck | None:
    """The answerability check (hybrid retrieval with ``answerability == "check"``), else ``None``
    (the pipeline then refuses below the cosine ``refusal_threshold``)."""
    if not isinstance(retriever, ContextRetriever) or settings.answerability != "check":
        return None
    judge = LLMAnswerableJudge(llm) if llm is not None and settings.answerability_judge else None
    return AnswerabilityCheck(retriever.indexes.sentences.idf, judge=judge)
