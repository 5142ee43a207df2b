"""The answer policy: which route answers a question, and when the answer is a refusal.

Each step is a small component passed in (built from settings by :mod:`assistant.factory`):

1. :class:`~assistant.sources.AttributionAnswerer`: source questions from the attribution index;
2. a :class:`~assistant.retrieval.Retriever`: the best sentences for anything else;
3. :class:`Answerability`: refuse when even the best sentence is too far from the question;
4. :class:`~assistant.generation.LLMAnswerer` (LLM draft → verified citations, with fallbacks),
   or :class:`~assistant.answering.ExtractiveGenerator` (the best sentences themselves);
5. :func:`~assistant.answering.compose`: renumber the markers and build the cited :class:`Answer`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from assistant.answerability import AnswerabilityCheck
from assistant.answering import Draft, ExtractiveGenerator, compose, refusal
from assistant.condense import FollowUpCondenser
from assistant.errors import InputError
from assistant.fusion import ArticleMeta, Filters
from assistant.generation import LLMAnswerer
from assistant.retrieval import Retriever
from assistant.sources import AttributionAnswerer
from assistant.types import Answer, Hit
from index.decode import clean_text

MAX_QUESTION_CHARS = 2000


def check_question(question: object, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question stripped (control characters become spaces), or an :class:`InputError` a
    user can act on.

    Example:
        >>> check_question("  Who said\\x00 it? ")
        'Who said  it?'
    """
    if not isinstance(question, str):
        raise InputError("Please type a question.")
    question = clean_text(question).strip()
    if not question:
        raise InputError("Please type a question.")
    if len(question) > max_chars:
        raise InputError(f"The question is too long ({len(question):,} characters; the limit is {max_chars:,}, "
                         "setting max_question_chars).")  # fmt: skip
    return question


class Answerability:
    """Decides from the retrieved hits whether the articles can answer; says why not: with a
    ``check`` (:class:`~assistant.answerability.AnswerabilityCheck`, hybrid retrieval) from the
    fused evidence, else from the best hit's cosine against ``threshold``.

    Example:
        >>> Answerability(0.6, count=lambda: 0).refusal_note([])
        'No articles are indexed yet.'
    """

    def __init__(self, threshold: float, count: Callable[[], int], check: AnswerabilityCheck | None = None) -> None:
        self.threshold = threshold
        self.count = count
        self.check = check

    def refusal_note(self, hits: Sequence[Hit], question: str = "") -> str | None:
        """``None`` when the hits answer the question, else the reason for refusing."""
        if not hits:
            return "No articles are indexed yet." if not self.count() else "Nothing relevant was found."
        if self.check is not None:
            verdict = self.check.check(question, hits)
            return None if verdict.answerable else f"Refused: {verdict.reason}."
        best = hits[0].score
        if best >= self.threshold:
            return None
        return f"The closest sentence scored {best:.2f}, below the refusal threshold {self.threshold:.2f}."


class AnswerPipeline:
    """Routes a (condensed) question to the component that answers it and composes the Answer.

    Example:
        >>> from assistant.factory import build_pipeline        # doctest: +SKIP
        >>> pipeline = build_pipeline(store, settings, llm)      # doctest: +SKIP
        >>> pipeline.respond("Who claimed it?", "Who claimed it?").citations  # doctest: +SKIP
    """

    def __init__(
        self,
        retriever: Retriever,
        answerability: Answerability,
        *,
        top_k: int,
        attributions: AttributionAnswerer | None = None,
        llm: LLMAnswerer | None = None,
        extractive: ExtractiveGenerator | None = None,
        condenser: FollowUpCondenser | None = None,
        llm_problem: str | None = None,
        articles: Callable[[], Sequence[ArticleMeta]] = list,
    ) -> None:
        self.retriever = retriever
        self.articles = articles  # the registry, for filters on the attribution route
        self.answerability = answerability
        self.top_k = top_k
        self.attributions = attributions
        self.llm = llm
        self.extractive = extractive or ExtractiveGenerator()
        self.condenser = condenser or FollowUpCondenser()
        self.llm_problem = llm_problem  # why the configured LLM is not in use: a note on extractive answers

    @property
    def generator_name(self) -> str:
        return "extractive" if self.llm is None else self.llm.name

    def condense(self, history: Sequence[tuple[str, Answer]], question: str) -> str:
        return self.condenser.condense(history, question)

    def respond(self, question: str, standalone: str, exclude: set[tuple[str, int]] | None = None,
                filters: Filters | None = None) -> Answer:  # fmt: skip
        """Retrieve, generate and cite for an already condensed question (within ``filters``)."""
        answer: Answer | None = None
        for piece in self.stream(question, standalone, exclude, filters):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def stream(
        self, question: str, standalone: str, exclude: set[tuple[str, int]] | None = None,
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:  # fmt: skip
        """Like :meth:`respond`, yielding text pieces first and the final Answer last."""
        timings: dict[str, float] = {}
        started = time.perf_counter()

        def finish(draft: Draft) -> Answer:
            if not draft.claims:  # a route that found nothing to say refuses, with its reasons
                return refusal(question=question, standalone=standalone, generator=draft.generator,
                               hits=draft.hits, timings=_total(timings, started), notes=draft.notes)  # fmt: skip
            return compose(draft.claims, draft.hits, question=question, standalone=standalone,
                           generator=draft.generator, timings=_total(timings, started), notes=draft.notes)  # fmt: skip

        if self.attributions is not None:
            source = self.attributions.answer(standalone, exclude)
            timings["attribution"] = time.perf_counter() - started
            if source is not None and filters is not None and not self._within(source.hits, filters):
                source = None  # the attribution index answered from outside the filters
            if source is not None:
                answer = finish(Draft(source.claims, source.hits, "attribution", source.notes))
                yield answer.text
                yield answer
                return
        hits = self.retriever.retrieve(standalone, self.top_k, filters)
        timings["retrieve"] = time.perf_counter() - started
        note = self.answerability.refusal_note(hits, standalone)
        if note is not None:
            answer = refusal(question=question, standalone=standalone, generator=self.generator_name,
                             hits=hits, timings=_total(timings, started), notes=[note])  # fmt: skip
            yield answer.text
            yield answer
            return
        if self.llm is None:
            notes = (f"{self.llm_problem} Showing the best matching sentence.",) if self.llm_problem else ()
            answer = finish(Draft(self.extractive.claims(standalone, hits), hits, self.extractive.name, notes))
            yield answer.text
            yield answer
            return
        for piece in self.llm.answer(standalone, hits, timings, started):
            yield finish(piece) if isinstance(piece, Draft) else piece

    def _within(self, hits: Sequence[Hit], filters: Filters) -> bool:
        allowed = filters.allowed(self.articles)
        return all((allowed is None or h.sentence.article_id in allowed) and filters.speaker_ok(h.speaker) for h in hits)


def _total(timings: dict[str, float], started: float) -> dict[str, float]:
    return {**timings, "total": time.perf_counter() - started}
