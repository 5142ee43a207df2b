"""The public entry point: :class:`Assistant` ties the store, retriever and generator together."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answering import Claim, ExtractiveGenerator, compose, refusal
from assistant.errors import InputError
from assistant.retrieval import DenseRetriever, Retriever
from assistant.settings import Settings
from assistant.types import Answer, Hit
from index.ingest import IngestReport, ingest
from index.store import ArticleInfo, SentenceStore

if TYPE_CHECKING:
    from assistant.chat import ChatSession

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
    ) -> None:
        self.store = store
        self.retriever = retriever
        self.llm = llm
        self.settings = settings or Settings()
        self.extractor = extractor
        self.extractive = ExtractiveGenerator()

    # -- construction ---------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        """Build the real collaborators: MiniLM embedder, Chroma store, dense retriever."""
        from index.embed import MiniLMEmbedder

        embedder = MiniLMEmbedder(settings.embed_model)
        store = SentenceStore(settings.index_dir, embedder)
        retriever = DenseRetriever(store, window=settings.window)
        return cls(store, retriever, None, settings)

    @classmethod
    def open(cls, data_dir: str | Path | None = None, settings: Settings | None = None) -> Assistant:
        """Open (or create) the assistant whose data lives in ``data_dir``."""
        settings = settings or Settings()
        if data_dir is not None:
            settings = settings.updated(data_dir=Path(data_dir))
        return cls.from_settings(settings)

    @property
    def generator_name(self) -> str:
        return "extractive" if self.llm is None else str(getattr(self.llm, "name", "llm"))

    # -- the article collection ----------------------------------------------------------
    def add(self, paths: Sequence[str | Path] | str | Path, *, progress: bool = False) -> IngestReport:
        """Index articles (files, folders, ``.jsonl`` corpora); returns what happened to each."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        if not paths:
            raise InputError("Give at least one file or folder to add.")
        return ingest(self.store, list(paths), extractor=self.extractor, progress=progress)

    def articles(self) -> list[ArticleInfo]:
        return self.store.articles()

    def remove(self, article_id: str) -> None:
        self.store.remove(article_id)

    # -- questions ------------------------------------------------------------------
    def ask(self, question: str, *, stream: bool = False) -> Any:
        """Answer one question. With ``stream=True``, an iterator of text pieces ending with the Answer."""
        question = check_question(question)
        if stream:
            return self.respond_stream(question, question)
        return self.respond(question, question)

    def chat(self) -> ChatSession:
        """A conversation that keeps its history and condenses follow-up questions."""
        from assistant.chat import ChatSession

        return ChatSession(self)

    def condense(self, history: Sequence[tuple[str, Answer]], question: str) -> str:
        """Rewrite a follow-up as a standalone question (unchanged when there is no history)."""
        if not history:
            return question
        from assistant.chat import rule_condense

        return rule_condense(history, question)

    def respond(self, question: str, standalone: str) -> Answer:
        """Retrieve, generate and cite for an already condensed question."""
        answer: Answer | None = None
        for piece in self.respond_stream(question, standalone):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def respond_stream(self, question: str, standalone: str) -> Iterator[str | Answer]:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        hits = self.retriever.retrieve(standalone, self.settings.top_k)
        timings["retrieve"] = time.perf_counter() - started
        best = hits[0].score if hits else None
        if best is None or best < self.settings.refusal_threshold:
            note = (
                "No articles are indexed yet." if best is None and not self.store.count()
                else f"The closest sentence scored {best:.2f}, below the refusal threshold "
                f"{self.settings.refusal_threshold:.2f}." if best is not None
                else "Nothing relevant was found."
            )  # fmt: skip
            answer = refusal(question=question, standalone=standalone, generator=self.generator_name,
                             hits=hits, timings=self._total(timings, started), notes=[note])  # fmt: skip
            yield answer.text
            yield answer
            return
        claims = self.extractive.claims(standalone, hits)
        answer = self._compose(claims, hits, question, standalone, "extractive", timings, started)
        yield answer.text
        yield answer

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
