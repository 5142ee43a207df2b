"""Draft an answer from retrieved sentences with an LLM, citing them as ``[n]``.

The evidence shown to the model is numbered from 1 in the order of ``hits`` (best first),
so ``[n]`` in a draft refers to ``hits[n - 1]``. Lowest-ranked hits are left out when the
evidence would exceed the token budget; :meth:`LLMGenerator.select` says which were shown.
:class:`LLMAnswerer` is the pipeline's LLM route: stream the draft, parse its markers,
verify them, and fall back to the best sentence when nothing survives.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Protocol

from assistant.answer_lead import AnswerLead
from assistant.answering import Draft, ExtractiveGenerator
from assistant.citations import parse_answer
from assistant.errors import LLMFailedError, ModelUnavailableError
from assistant.injection import withheld_note, withhold
from assistant.llm import LLM
from assistant.prompts import CANNOT_ANSWER, load_prompt, quote, strip_control_tokens
from assistant.types import Hit
from assistant.verify import Verifier

log = logging.getLogger(__name__)

EVIDENCE_TOKEN_BUDGET = 300
TITLE_WORDS = 10
STOPS = ("\nQuestion:", "\nEvidence:", "\n\n\n")
_TOKEN = re.compile(r"\w+|[^\w\s]")


def approx_tokens(text: str) -> int:
    """A rough, slightly pessimistic BPE token count (words and punctuation × 1.25).

    Example:
        >>> approx_tokens("The BLA said 280 were killed.")
        9
    """
    return round(len(_TOKEN.findall(text)) * 1.25)


def is_refusal(text: str) -> bool:
    """True when a draft is (or starts with) the cannot-answer sentence.

    Example:
        >>> is_refusal("The articles don't say."), is_refusal("Asif said so [1].")
        (True, False)
    """
    norm = text.strip().replace("’", "'").lower()
    return norm.startswith(CANNOT_ANSWER.lower().rstrip(".")) or norm in {"", "cannot answer"}


def evidence_line(n: int, hit: Hit) -> str:
    """``[n] (title, date; speaker: X) sentence`` – the parenthesis only holds what is known;
    everything from the article is :func:`~assistant.prompts.quote`-d (no control tokens, no
    ``[n]`` markers, no angle brackets).

    Example:
        >>> from index.types import Sentence
        >>> h = Hit(Sentence("a", 0, 0, 9, "It is so."), 1.0, title="T", date="2026-02-04", speaker="Asif")
        >>> evidence_line(2, h)
        '[2] (T, 2026-02-04; speaker: Asif) It is so.'
    """
    words = quote(hit.title).replace(";", ",").replace("(", "").replace(")", "").split()
    title = " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
    about = ", ".join(part for part in (title, quote(hit.date)) if part)
    if hit.speaker:
        speaker = quote(hit.speaker)
        about = f"{about}; speaker: {speaker}" if about else f"speaker: {speaker}"
    text = quote(hit.sentence.text)
    return f"[{n}] ({about}) {text}" if about else f"[{n}] {text}"


class EvidenceWriter(Protocol):
    """What the LLM route needs from a generator: which hits it shows, then a streamed draft
    citing them as ``[n]`` (``LLMGenerator``; ``ContextGenerator`` shows passages)."""

    name: str

    def select(self, hits: Sequence[Hit]) -> list[Hit]: ...

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[str]: ...


class LLMGenerator:
    """Prompt an :class:`~assistant.llm.LLM` with numbered evidence sentences.

    Example:
        >>> from assistant.llm import ScriptedLLM
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", 0, 0, 20, "The BLA claimed 280."), 0.9, title="T")]
        >>> list(LLMGenerator(ScriptedLLM(default="The BLA claimed it [1].")).stream("Who claimed 280?", hits))
        ['The', ' BLA', ' claimed', ' it', ' [1].']
    """

    def __init__(self, llm: LLM, max_tokens: int = 160, budget: int = EVIDENCE_TOKEN_BUDGET) -> None:
        self.llm = llm
        self.max_tokens = max_tokens
        self.budget = budget
        self.name = f"llm:{llm.name}"
        self.template = load_prompt("answer", frozenset({"evidence", "question"}))

    def select(self, hits: Sequence[Hit]) -> list[Hit]:
        """The leading hits whose evidence lines fit the budget (at least one when any)."""
        chosen: list[Hit] = []
        used = 0
        for hit in hits:
            cost = approx_tokens(evidence_line(len(chosen) + 1, hit))
            if chosen and used + cost > self.budget:
                log.debug("evidence budget reached: %d of %d hits shown", len(chosen), len(hits))
                break
            chosen.append(hit)
            used += cost
        return chosen

    def build_prompt(self, question: str, hits: Sequence[Hit]) -> tuple[str, list[Hit]]:
        """The filled prompt and the hits it numbers 1..N."""
        shown = self.select(hits)
        lines = [evidence_line(i, hit) for i, hit in enumerate(shown, start=1)]
        if shown and approx_tokens(lines[0]) > self.budget:  # one huge sentence: cut its words
            words = lines[0].split()
            lines[0] = " ".join(words[: int(self.budget / 1.25)]) + " …"
        prompt = self.template.format(evidence="\n".join(lines), question=strip_control_tokens(question.strip()))
        return prompt, shown

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[str]:
        if not hits:
            yield CANNOT_ANSWER
            return
        prompt, _ = self.build_prompt(question, hits)
        yield from self.llm.stream(prompt, max_tokens=self.max_tokens, stop=STOPS)


class LLMAnswerer:
    """The LLM route: draft (streamed) → parse markers → verify each sentence → cited claims,
    or the best sentence itself when the model refuses, nothing it wrote is supported, or the
    model fails (:class:`LLMFailedError`; unchecked citations are never shown).

    With ``typed`` (:class:`~assistant.answer_lead.AnswerLead`), a refused or dropped draft falls
    back to the best sentence only when it holds the kind of answer the question asks for (a figure
    for "how many", a date for "when"); otherwise the route refuses (a :class:`Draft` with no claims).

    ``answer`` yields the draft's text pieces, then one :class:`Draft`; it records
    ``first_token``, ``generate`` and (with a judge) ``verify`` in ``timings``.

    Example:
        >>> from assistant.llm import ScriptedLLM
        >>> from assistant.types import Sentence
        >>> hits = [Hit(Sentence("a", 0, 0, 20, "The BLA claimed 280."), 0.9)]
        >>> llm_route = LLMAnswerer(LLMGenerator(ScriptedLLM(default="The BLA claimed it [1].")), Verifier(None))
        >>> list(llm_route.answer("Who claimed 280?", hits, {}, 0.0))[-1].claims
        [Claim(text='The BLA claimed it.', markers=(1,), support=None)]
    """

    def __init__(self, generator: EvidenceWriter, verifier: Verifier,
                 fallback: ExtractiveGenerator | None = None, typed: AnswerLead | None = None) -> None:  # fmt: skip
        self.generator = generator
        self.verifier = verifier
        self.fallback = fallback or ExtractiveGenerator()
        self.typed = typed
        self.name = generator.name

    def answer(self, question: str, hits: list[Hit], timings: dict[str, float], started: float) -> Iterator[str | Draft]:
        """Draft pieces, then one Draft. Instruction-shaped hits (:mod:`assistant.injection`) are
        never shown to the model; when nothing else is left, the best sentence is quoted."""
        safe, held = withhold(hits)
        withheld = (withheld_note(len(held)),) if held else ()
        if not safe:
            yield Draft(self.fallback.claims(question, hits), hits, self.fallback.name, withheld)
            return
        for piece in self._answer(question, safe, timings, started):
            yield replace(piece, notes=(*withheld, *piece.notes)) if isinstance(piece, Draft) and withheld else piece

    def _answer(self, question: str, hits: list[Hit], timings: dict[str, float], started: float) -> Iterator[str | Draft]:
        shown = self.generator.select(hits)
        mark = time.perf_counter()
        pieces: list[str] = []
        try:
            for piece in self.generator.stream(question, shown):
                if not pieces:
                    timings["first_token"] = time.perf_counter() - started
                pieces.append(piece)
                yield piece
        except (LLMFailedError, ModelUnavailableError) as exc:
            yield self._without_llm(exc, question, shown)
            return
        draft = "".join(pieces).strip()
        timings["generate"] = time.perf_counter() - mark
        if is_refusal(draft):
            # Retrieval already cleared the calibrated refusal threshold; the 1.5B model refuses too
            # often (bench-llm), so show the best sentence itself rather than a second refusal.
            yield self._instead(question, shown, ["The model did not phrase an answer."])
            return
        mark = time.perf_counter()
        try:
            claims, notes = self.verifier.check(parse_answer(draft, len(shown)), shown, question)
        except (LLMFailedError, ModelUnavailableError) as exc:  # unchecked citations are never shown
            yield self._without_llm(exc, question, shown)
            return
        if self.verifier.judge is not None:
            timings["verify"] = time.perf_counter() - mark
        if not claims:
            notes.append("No generated sentence was supported by its citations.")
            yield self._instead(question, shown, notes)
            return
        yield Draft(claims, shown, self.name, tuple(notes))

    def _instead(self, question: str, hits: list[Hit], notes: list[str]) -> Draft:
        """The best matching sentence in place of the model's answer, or no answer when the question
        asks for a figure or a date that the sentence does not hold (the model found none either)."""
        claims = self.fallback.claims(question, hits)
        kind = self.typed.missing_kind(question, [c.text for c in claims]) if self.typed else None
        if kind is not None:
            said = "sentences hold" if len(claims) > 1 else "sentence holds"
            notes.append(f"The best matching {said} no {kind[2:]}, which the question asks for.")
            return Draft([], hits, self.fallback.name, tuple(notes))
        notes.append("Showing the best matching sentence instead.")
        return Draft(claims, hits, self.fallback.name, tuple(notes))

    def _without_llm(self, error: Exception, question: str, hits: list[Hit]) -> Draft:
        """The extractive answer, with a note saying why the model could not answer."""
        log.warning("answering without the LLM: %s", error)
        note = f"{error} Showing the best matching sentence instead."
        return Draft(self.fallback.claims(question, hits), hits, self.fallback.name, (note,))
