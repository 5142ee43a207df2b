"""The one place that builds the answer pipeline's components from settings.

:func:`build_pipeline` wires given collaborators (a store, an optional LLM); :func:`open_store`
and :func:`load_llm` make the real ones. ``Assistant.open`` uses all three.

Example:
    >>> import tempfile
    >>> from index.embed import HashEmbedder
    >>> from index.store import SentenceStore
    >>> from assistant.settings import Settings
    >>> settings = Settings(data_dir=tempfile.mkdtemp(), generator="extractive")
    >>> store = SentenceStore(settings.index_dir, HashEmbedder())
    >>> build_pipeline(store, settings).generator_name
    'extractive'
"""

from __future__ import annotations

import logging

from assistant.answer_lead import AnswerLead
from assistant.answering import ExtractiveGenerator
from assistant.condense import FollowUpCondenser
from assistant.errors import ModelUnavailableError
from assistant.generation import LLMAnswerer
from assistant.hybrid import build_check, build_generator, build_retriever
from assistant.judge import LLMJudge
from assistant.llm import LLM, load_llm
from assistant.pipeline import Answerability, AnswerPipeline
from assistant.settings import Settings
from assistant.sources import AttributionAnswerer
from assistant.verify import Verifier
from index.store import SentenceStore

log = logging.getLogger(__name__)

__all__ = ["build_pipeline", "load_llm", "load_llm_or_problem", "open_store"]


def build_pipeline(
    store: SentenceStore,
    settings: Settings,
    llm: LLM | None = None,
    *,
    attributions: bool = False,
    llm_problem: str | None = None,
) -> AnswerPipeline:
    """The pipeline over ``store``: hybrid or dense retrieval and their refusal policy
    (``settings.retrieval``, ``settings.answerability``), the LLM route when
    ``llm`` is given (with the judge when ``settings.verify``), and the attribution route when
    ``attributions`` (the store holds attributions from an extractor). ``llm_problem``: why the
    configured LLM is missing, noted on extractive answers."""
    retriever = build_retriever(store, settings)
    recognizer = AnswerLead()  # spaCy NER, loaded at its first use
    extractive = ExtractiveGenerator(lead=recognizer if settings.answer_lead else None)
    writer = None
    if llm is not None:
        judge = LLMJudge(llm) if settings.verify else None
        writer = LLMAnswerer(build_generator(llm, retriever, store, settings),
                             Verifier(judge, settings.verify_threshold, settings.verify_window_threshold,
                                      settings.verify_answer_threshold, settings.verify_sharpen,
                                      settings.verify_pairs, settings.verify_corroborate), extractive,
                             recognizer if settings.fallback_answer_type else None)  # fmt: skip
    return AnswerPipeline(
        retriever,
        Answerability(settings.refusal_threshold, store.count, build_check(retriever, settings, llm)),
        top_k=settings.top_k,
        attributions=AttributionAnswerer(store, retriever) if attributions else None,
        llm=writer,
        extractive=extractive,
        condenser=FollowUpCondenser(llm),
        llm_problem=llm_problem,
        articles=store.articles,
    )


def load_llm_or_problem(settings: Settings) -> tuple[LLM | None, str | None]:
    """The LLM named by ``settings.generator``; in ``auto`` mode a model that is there but
    unusable gives ``(None, why)`` and answers are extractive (other modes raise)."""
    try:
        return load_llm(settings), None
    except ModelUnavailableError as exc:
        if settings.generator != "auto":
            raise
        log.error("%s Answering without the local model until it is fixed.", exc)
        return None, str(exc)


def open_store(settings: Settings) -> SentenceStore:
    """The store in ``settings.index_dir`` with the real MiniLM embedder, its vectors embedded or on
    the Chroma server of ``settings.store_backend``."""
    from index.embed import MiniLMEmbedder, limit_blas_threads
    from index.embed_cache import CachedEmbedder

    encoder = MiniLMEmbedder(settings.embed_model)
    limit_blas_threads(settings.blas_threads)  # after torch and numpy have loaded theirs
    # sentence text -> vector: syndicated copies and a resumed ingest's sentences are embedded once
    cache = settings.data_dir / "cache" / f"embeddings-{encoder.name}-{encoder.dim}.sqlite3"
    return SentenceStore(settings.index_dir, CachedEmbedder(encoder, cache), settings.backend,
                         settings.sync_interval)  # fmt: skip
