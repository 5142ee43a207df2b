"""The public entry point: :class:`Assistant`, a thin façade over the store and the answer pipeline."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal, overload

from assistant.browse import ClaimRow, SourceView, claim_rows, mark_spans, search_titles
from assistant.chat import ChatSession
from assistant.errors import InputError, LLMFailedError, ModelUnavailableError
from assistant.factory import build_pipeline, load_llm_or_problem, open_store
from assistant.fusion import Filters
from assistant.llm import LLM
from assistant.pipeline import AnswerPipeline, check_question
from assistant.settings import Settings
from assistant.types import Answer, Citation
from index.ingest import Extractor, IngestReport, extract_for_store, ingest, refresh_attributions
from index.store import ArticleInfo, SentenceStore
from index.types import Article

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions about the indexed articles, citing exact sentences.

    The store and the pipeline are passed in; :meth:`open` builds the real ones from settings,
    :meth:`build` wires a pipeline over a given store (tests use a fake embedder and LLM).

    Example:
        >>> a = Assistant.open("data")                        # doctest: +SKIP
        >>> a.add(["samples/"]).summary()                     # doctest: +SKIP
        '1 added, 0 unchanged, 0 replaced, 0 failed'
        >>> a.ask("Who claimed 280 personnel were killed?").citations[0].n  # doctest: +SKIP
        1
    """

    def __init__(
        self,
        store: SentenceStore,
        pipeline: AnswerPipeline,
        settings: Settings | None = None,
        *,
        extractor: Extractor | None = None,
        llm: LLM | None = None,
        llm_problem: str | None = None,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.settings = settings or Settings()
        self.extractor = extractor
        self.llm = llm
        self.llm_problem = llm_problem  # why the configured LLM is not in use, shown in answers' notes
        self.warming: threading.Thread | None = None  # warm_up's background build of the search indexes

    # -- construction ---------------------------------------------------------------
    @classmethod
    def build(
        cls,
        store: SentenceStore,
        settings: Settings,
        llm: LLM | None = None,
        *,
        extractor: Extractor | None = None,
        llm_problem: str | None = None,
    ) -> Assistant:
        """An assistant over ``store``; the attribution route is on when ``extractor`` is given."""
        pipeline = build_pipeline(store, settings, llm, attributions=extractor is not None, llm_problem=llm_problem)
        return cls(store, pipeline, settings, extractor=extractor, llm=llm, llm_problem=llm_problem)

    @classmethod
    def from_settings(cls, settings: Settings, *, refresh: bool = True) -> Assistant:
        """The real collaborators: MiniLM embedder, Chroma store, dense retriever, spaCy
        attribution extraction, and the LLM named by ``settings.generator`` (if any).

        ``refresh``: re-extract attributions stored by an older extractor now, with a progress
        bar (else they are only reported; :meth:`reindex` does it later)."""
        store = open_store(settings)
        llm, problem = load_llm_or_problem(settings)
        assistant = cls.build(store, settings, llm, extractor=extract_for_store, llm_problem=problem)
        if refresh:
            assistant.reindex(progress=None)
        elif assistant.stale():
            log.warning("The attributions were made by an older extractor; `sourced reindex` refreshes them.")
        return assistant

    @classmethod
    def open(
        cls, data_dir: str | Path | None = None, settings: Settings | None = None, *, refresh: bool = True
    ) -> Assistant:
        """Open (or create) the assistant whose data lives in ``data_dir``."""
        settings = settings or Settings()
        if data_dir is not None:
            settings = settings.updated(data_dir=Path(data_dir))
        return cls.from_settings(settings, refresh=refresh)

    def warm_up(self) -> str | None:
        """Start the model worker now (the app does at launch) so a broken model is reported at
        startup, not at the first question, and build the search indexes in the background
        (:meth:`warm_indexes`). Returns the model's problem, or ``None`` when all is well."""
        self.warming = threading.Thread(target=self._warm_indexes_quietly, name="warm-indexes", daemon=True)
        self.warming.start()
        start = getattr(self.llm, "start", None)
        if start is not None:
            try:
                start()
            except (ModelUnavailableError, LLMFailedError) as exc:
                log.error("%s Questions are answered without it (extractive) until it is fixed.", exc)
                self.llm_problem = str(exc)
        return self.llm_problem

    def warm_indexes(self) -> None:
        """Build the BM25 and passage matrices and the speaker lookup now, not at the first
        question that reads them (at 100k articles: seconds for the matrices, tens of seconds for
        the lookup). A question asked meanwhile waits for the part it needs, as it would anyway."""
        started = time.perf_counter()
        for listener in self.store.listeners:
            warm = getattr(listener, "warm", None)
            if warm is not None:
                warm()
        if self.pipeline.attributions is not None:
            self.pipeline.attributions.lookup.warm()
        log.info("search indexes ready in %.1f s", time.perf_counter() - started)

    def _warm_indexes_quietly(self) -> None:
        try:
            self.warm_indexes()
        except Exception:  # the first question builds what is missing and reports a real problem
            log.warning("could not prepare the search indexes in the background", exc_info=True)

    @property
    def generator_name(self) -> str:
        return self.pipeline.generator_name

    # -- the article collection ----------------------------------------------------------
    def add(self, paths: Sequence[str | Path] | str | Path, *, progress: bool = False) -> IngestReport:
        """Index articles (files, folders, ``.jsonl`` corpora); returns what happened to each."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        if not paths:
            raise InputError("Give at least one file or folder to add.")
        try:
            return ingest(self.store, list(paths), extractor=self.extractor, progress=progress,
                          limits=self.settings.input_limits)
        finally:
            self._attributions_changed()

    def reindex(self, *, progress: bool | None = True) -> list[str]:
        """Re-extract the attributions of every article when the index records another extractor
        version (sentences and vectors stay). Returns the ids refreshed."""
        if self.extractor is None:
            return []
        from index.attribution import extractor_version

        try:
            return refresh_attributions(self.store, self.extractor, extractor_version(), progress=progress)
        finally:
            self._attributions_changed()

    def stale(self) -> bool:
        """True when stored attributions come from another extractor version than this one."""
        from index.attribution import extractor_version

        return self.extractor is not None and bool(self.store.articles()) and (
            self.store.meta("extractor") != extractor_version())

    def articles(self, query: str = "") -> list[ArticleInfo]:
        """The indexed articles, oldest first; with ``query``, those whose title or source has its words."""
        return search_titles(self.store.articles(), query) if query else self.store.articles()

    def article(self, article_id: str) -> Article:
        """One article with its full text (:class:`NotFoundError` if it is not indexed)."""
        return self.store.article(article_id)

    def article_info(self, article_id: str) -> ArticleInfo | None:
        return self.store.article_info(article_id)

    def source(
        self, article_id: str, focus: Iterable[tuple[int, int]] = (), also: Iterable[tuple[int, int]] = ()
    ) -> SourceView:
        """An article opened at character spans: ``focus`` (the citation followed), ``also`` (the
        other spans cited beside it), each marked in the returned segments."""
        article = self.store.article(article_id)
        return SourceView(article, mark_spans(article.text, focus, also))

    def remove(self, article_id: str) -> None:
        self.store.remove(article_id)
        self._attributions_changed()

    def _attributions_changed(self) -> None:
        self.store.flush()  # the BM25/passage snapshots, at the store's new generation
        if self.pipeline.attributions is not None:
            self.pipeline.attributions.invalidate()

    def claim_rows(self, speaker: str | None = None, article_id: str | None = None) -> list[ClaimRow]:
        """The claims as rows (speakers with most claims first), of one speaker and/or one article."""
        infos = {info.id: info for info in self.store.articles()}
        return claim_rows(self.claims(speaker), infos, article_id)

    def claims(self, speaker: str | None = None) -> dict[str, list[Citation]]:
        """Speaker → the claims the attribution index holds for them, each as a citation."""
        if self.pipeline.attributions is None:
            return {}
        table: dict[str, list[Citation]] = {}
        titles = {info.id: info.title for info in self.store.articles()}
        for name, attributions in self.pipeline.attributions.speakers(speaker).items():
            for a in attributions:
                table.setdefault(name, []).append(Citation(
                    n=len(table[name]) + 1, article_id=a.article_id, title=titles.get(a.article_id, ""),
                    sentence=a.content.text, start=a.content.start, end=a.content.end, score=1.0,
                    sentence_index=a.cue_sentence,
                ))  # fmt: skip
        return table

    # -- questions ------------------------------------------------------------------
    @overload
    def ask(self, question: str, *, stream: Literal[False] = False, filters: Filters | None = None) -> Answer: ...

    @overload
    def ask(self, question: str, *, stream: Literal[True], filters: Filters | None = None) -> Iterator[str | Answer]: ...

    def ask(self, question: str, *, stream: bool = False, filters: Filters | None = None) -> Answer | Iterator[str | Answer]:
        """Answer one question. With ``stream=True``, an iterator of text pieces ending with the Answer.
        ``filters`` limit the articles (id, source, dates) and speakers an answer may come from."""
        question = check_question(question, self.settings.max_question_chars)
        if stream:
            return self.pipeline.stream(question, question, None, filters)
        return self.pipeline.respond(question, question, None, filters)

    def chat(
        self,
        history: Sequence[tuple[str, Answer]] = (),
        *,
        top_k: int | None = None,
        extractive: bool = False,
    ) -> ChatSession:
        """A conversation that keeps its history and condenses follow-up questions.

        ``history``: earlier turns to continue from; ``top_k`` and ``extractive`` (quote the
        sentences, no LLM) change this conversation only, not the assistant."""
        pipeline = self.pipeline
        if (top_k is not None and top_k != pipeline.top_k) or (extractive and pipeline.llm is not None):
            pipeline = copy.copy(pipeline)
            pipeline.top_k = top_k or pipeline.top_k
            pipeline.llm = None if extractive else pipeline.llm
        session = ChatSession(pipeline, self.settings.max_question_chars)
        session.history.extend(history)
        return session

    def close(self) -> None:
        self.store.close()
