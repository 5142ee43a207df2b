"""The public entry point: :class:`Assistant` ties the store, retriever and generator together."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answering import Claim, ExtractiveGenerator, compose, refusal
from assistant.citations import parse_answer
from assistant.condense import PRONOUN, LLMCondenser, RuleCondenser, needs_context
from assistant.errors import InputError, LLMFailedError, ModelUnavailableError
from assistant.fusion import Filters
from assistant.generation import is_refusal
from assistant.hybrid import RefusalPolicy, build_generator, build_retriever, retrieve
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.types import Answer, Citation, Hit
from assistant.verify import LLMJudge, verify
from index.ingest import IngestReport, ingest
from index.store import ArticleInfo, SentenceStore

if TYPE_CHECKING:
    from assistant.chat import ChatSession
    from assistant.sources import SourceAnswerer

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


def check_question(question: object) -> str:
    """The question stripped, or an :class:`InputError` a user can act on."""
    if not isinstance(question, str) or not question.strip():
        raise InputError("Please type a question.")
    question = question.strip()
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"The question is too long ({len(question)} characters; the limit is {MAX_QUESTION_CHARS}).")
    return question


class Assistant:
    """Answers questions about the indexed articles, citing exact sentences.

    Collaborators are passed in; :meth:`open` builds the real ones from settings.

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
        retriever: Retriever,
        llm: Any | None = None,
        settings: Settings | None = None,
        *,
        extractor: Any | None = None,
        llm_problem: str | None = None,
    ) -> None:
        self.store = store
        self.llm_problem = llm_problem  # why the configured LLM is not in use, shown in answers' notes
        self.retriever = retriever
        self.llm = llm
        self.settings = settings or Settings()
        self.extractor = extractor
        self.extractive = ExtractiveGenerator()
        self.generator: Any | None = None
        self.judge: LLMJudge | None = None
        self.condenser: Any = RuleCondenser()
        self.refusals = RefusalPolicy.from_settings(retriever, self.settings, store.count, llm)
        if llm is not None:
            self.generator = build_generator(llm, retriever, store, self.settings)
            self.judge = LLMJudge(llm) if self.settings.verify else None
            self.condenser = LLMCondenser(llm)
        self.sources: SourceAnswerer | None = None
        if extractor is not None:
            from assistant.sources import SourceAnswerer

            self.sources = SourceAnswerer(store, retriever)

    # -- construction ---------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        """Build the real collaborators: MiniLM embedder, Chroma store, dense retriever,
        spaCy attribution extraction, and the LLM named by ``settings.generator`` (if any)."""
        from assistant.llm import load_llm
        from assistant.sources import extract_for_store
        from index.attribution import extractor_version
        from index.embed import MiniLMEmbedder
        from index.ingest import refresh_attributions

        embedder = MiniLMEmbedder(settings.embed_model)
        store = SentenceStore(settings.index_dir, embedder)
        # attributions stored by an older extractor are re-extracted (from the stored text)
        refresh_attributions(store, extract_for_store, extractor_version())
        retriever = build_retriever(store, settings)
        problem = None
        try:
            llm = load_llm(settings)
        except ModelUnavailableError as exc:
            if settings.generator != "auto":
                raise
            log.error("%s Answering without the local model until it is fixed.", exc)
            llm, problem = None, str(exc)
        return cls(store, retriever, llm, settings, extractor=extract_for_store, llm_problem=problem)

    @classmethod
    def open(cls, data_dir: str | Path | None = None, settings: Settings | None = None) -> Assistant:
        """Open (or create) the assistant whose data lives in ``data_dir``."""
        settings = settings or Settings()
        if data_dir is not None:
            settings = settings.updated(data_dir=Path(data_dir))
        return cls.from_settings(settings)

    def warm_up(self) -> str | None:
        """Start the model worker now (the app does at launch) so a broken model is reported at
        startup, not at the first question. Returns the problem, or ``None`` when all is well."""
        start = getattr(self.llm, "start", None)
        if start is not None:
            try:
                start()
            except (ModelUnavailableError, LLMFailedError) as exc:
                log.error("%s Questions are answered without it (extractive) until it is fixed.", exc)
                self.llm_problem = str(exc)
        return self.llm_problem

    @property
    def generator_name(self) -> str:
        return "extractive" if self.generator is None else self.generator.name

    # -- the article collection ----------------------------------------------------------
    def add(self, paths: Sequence[str | Path] | str | Path, *, progress: bool = False) -> IngestReport:
        """Index articles (files, folders, ``.jsonl`` corpora); returns what happened to each."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        if not paths:
            raise InputError("Give at least one file or folder to add.")
        try:
            return ingest(self.store, list(paths), extractor=self.extractor, progress=progress)
        finally:
            self.store.flush()  # the BM25/passage snapshots, at the store's new generation
            if self.sources is not None:
                self.sources.invalidate()

    def articles(self) -> list[ArticleInfo]:
        return self.store.articles()

    def remove(self, article_id: str) -> None:
        self.store.remove(article_id)
        self.store.flush()
        if self.sources is not None:
            self.sources.invalidate()

    def claims(self, speaker: str | None = None) -> dict[str, list[Citation]]:
        """Speaker → the claims the attribution index holds for them, each as a citation."""
        if self.sources is None:
            return {}
        table: dict[str, list[Citation]] = {}
        titles = {info.id: info.title for info in self.store.articles()}
        for name, attributions in self.sources.speakers(speaker).items():
            for a in attributions:
                table.setdefault(name, []).append(Citation(
                    n=len(table[name]) + 1, article_id=a.article_id, title=titles.get(a.article_id, ""),
                    sentence=a.content.text, start=a.content.start, end=a.content.end, score=1.0,
                    sentence_index=a.cue_sentence,
                ))  # fmt: skip
        return table

    # -- questions ------------------------------------------------------------------
    def ask(self, question: str, *, stream: bool = False, filters: Filters | None = None) -> Any:
        """Answer one question. With ``stream=True``, an iterator of text pieces ending with the Answer.
        ``filters`` limit the articles (id, source, dates) and speakers answers may come from."""
        question = check_question(question)
        if stream:
            return self.respond_stream(question, question, None, filters)
        return self.respond(question, question, None, filters)

    def chat(self) -> ChatSession:
        """A conversation that keeps its history and condenses follow-up questions."""
        from assistant.chat import ChatSession

        return ChatSession(self)

    def condense(self, history: Sequence[tuple[str, Answer]], question: str) -> str:
        """Rewrite a follow-up as a standalone question (unchanged when there is no history)."""
        if not history or not needs_context(question):
            return question
        pairs = [(q, a.text) for q, a in history]
        try:
            condensed = str(self.condenser.condense(pairs, question))
        except (LLMFailedError, ModelUnavailableError) as exc:
            log.warning("condensing with rules: %s", exc)
            return RuleCondenser().condense(pairs, question)
        if PRONOUN.search(condensed) and not isinstance(self.condenser, RuleCondenser):
            condensed = RuleCondenser().condense(pairs, question)  # the model left the pronoun unresolved
        return condensed

    def respond(self, question: str, standalone: str, exclude: set[tuple[str, int]] | None = None,
                filters: Filters | None = None) -> Answer:  # fmt: skip
        """Retrieve, generate and cite for an already condensed question."""
        answer: Answer | None = None
        for piece in self.respond_stream(question, standalone, exclude, filters):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def respond_stream(
        self, question: str, standalone: str, exclude: set[tuple[str, int]] | None = None,
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:  # fmt: skip
        """Like :meth:`respond`, yielding text pieces first and the final Answer last."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        if self.sources is not None:
            source = self.sources.answer(standalone, exclude)
            timings["attribution"] = time.perf_counter() - started
            if source is not None and filters is not None:  # the attribution route ignores filters
                allowed = filters.allowed(self.store.articles())
                if not all((allowed is None or h.sentence.article_id in allowed) and filters.speaker_ok(h.speaker)
                           for h in source.hits):  # fmt: skip
                    source = None
            if source is not None:
                answer = self._compose(source.claims, source.hits, question, standalone, "attribution",
                                       timings, started, source.notes)  # fmt: skip
                yield answer.text
                yield answer
                return
        hits = retrieve(self.retriever, standalone, self.settings.top_k, filters, self.settings)
        timings["retrieve"] = time.perf_counter() - started
        note = self.refusals.refusal_note(standalone, hits)
        if note is not None:
            answer = refusal(question=question, standalone=standalone, generator=self.generator_name,
                             hits=hits, timings=self._total(timings, started), notes=[note])  # fmt: skip
            yield answer.text
            yield answer
            return
        if self.generator is None:
            claims = self.extractive.claims(standalone, hits)
            notes = [f"{self.llm_problem} Showing the best matching sentence."] if self.llm_problem else []
            answer = self._compose(claims, hits, question, standalone, "extractive", timings, started, notes)
            yield answer.text
            yield answer
            return
        yield from self._generate(question, standalone, hits, timings, started)

    def _generate(
        self, question: str, standalone: str, hits: list[Hit], timings: dict[str, float], started: float
    ) -> Iterator[str | Answer]:
        """LLM draft (streamed) → parse markers → verify each sentence → cited answer or fallback."""
        assert self.generator is not None
        shown = self.generator.select(hits)
        mark = time.perf_counter()
        pieces: list[str] = []
        try:
            for piece in self.generator.stream(standalone, shown):
                if not pieces:
                    timings["first_token"] = time.perf_counter() - started
                pieces.append(piece)
                yield piece
        except (LLMFailedError, ModelUnavailableError) as exc:
            yield self._without_llm(exc, question, standalone, shown, timings, started)
            return
        draft = "".join(pieces).strip()
        timings["generate"] = time.perf_counter() - mark
        name = self.generator.name
        notes: list[str] = []
        if is_refusal(draft):
            # Retrieval already cleared the calibrated refusal threshold; the 1.5B model refuses too
            # often (bench-llm), so show the best sentence itself rather than a second refusal.
            notes.append("The model did not phrase an answer; showing the best matching sentence instead.")
            claims, name = self.extractive.claims(standalone, shown), "extractive"
            yield self._compose(claims, shown, question, standalone, name, timings, started, notes)
            return
        sentences = parse_answer(draft, len(shown))
        if self.judge is not None:
            mark = time.perf_counter()
            try:
                verified = verify(sentences, shown, self.judge, self.settings.verify_threshold)
            except (LLMFailedError, ModelUnavailableError) as exc:  # unchecked citations are never shown
                yield self._without_llm(exc, question, standalone, shown, timings, started)
                return
            timings["verify"] = time.perf_counter() - mark
            claims = [Claim(v.sentence.text, v.sentence.markers, round(v.support, 3)) for v in verified.kept]
            notes += [f"Removed a sentence ({v.reason}, support {v.support:.2f}): {v.sentence.text}" for v in verified.dropped]
        else:
            claims = [Claim(s.text, s.markers) for s in sentences if s.markers]
            notes += [f"Removed a sentence with no citation: {s.text}" for s in sentences if not s.markers]
        if not claims:
            notes.append("No generated sentence was supported by its citations; showing the best matching sentence instead.")
            claims, name = self.extractive.claims(standalone, shown), "extractive"
        yield self._compose(claims, shown, question, standalone, name, timings, started, notes)

    def _without_llm(
        self, error: Exception, question: str, standalone: str, hits: list[Hit],
        timings: dict[str, float], started: float,
    ) -> Answer:  # fmt: skip
        """The extractive answer, with a note saying why the model could not answer."""
        log.warning("answering without the LLM: %s", error)
        notes = [f"{error} Showing the best matching sentence instead."]
        claims = self.extractive.claims(standalone, hits)
        return self._compose(claims, hits, question, standalone, "extractive", timings, started, notes)

    def _compose(
        self, claims: list[Claim], hits: list[Hit], question: str, standalone: str,
        generator: str, timings: dict[str, float], started: float, notes: Sequence[str] = (),
    ) -> Answer:  # fmt: skip
        return compose(claims, hits, question=question, standalone=standalone, generator=generator,
                       timings=self._total(timings, started), notes=notes)  # fmt: skip

    @staticmethod
    def _total(timings: dict[str, float], started: float) -> dict[str, float]:
        return {**timings, "total": time.perf_counter() - started}

    def close(self) -> None:
        self.store.close()
