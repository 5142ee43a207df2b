"""Composing answers: the extractive generator and the mapping of ``[n]`` markers to citations.

Every generator produces answer sentences that each carry the numbers of the
retrieved hits they rest on; :func:`compose` renumbers them in order of first use
and turns them into :class:`Citation` objects pointing at exact sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from assistant.answer_lead import AnswerLead
from assistant.citations import Claim, first_use_numbering, render
from assistant.prompts import CANNOT_ANSWER, unmark
from assistant.types import Answer, Citation, Hit


@dataclass(frozen=True)
class Draft:
    """What an answering route hands the composer: the claims, the hits their markers point
    into (``[n]`` -> ``hits[n-1]``), which generator made them, and notes for the reader.

    Example:
        >>> Draft([Claim("X.", (1,))], [], "extractive").generator
        'extractive'
    """

    claims: list[Claim]
    hits: list[Hit]
    generator: str
    notes: tuple[str, ...] = ()


def compose(
    claims: Sequence[Claim],
    hits: Sequence[Hit],
    *,
    question: str,
    standalone: str,
    generator: str,
    timings: Mapping[str, float] | None = None,
    notes: Sequence[str] = (),
) -> Answer:
    """Renumber markers 1..K in order of first use and build the cited answer.

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", i, 0, 2, f"S{i}"), 0.9) for i in range(3)]
        >>> ans = compose([Claim("X.", (3,)), Claim("Y.", (1, 3))], hits, question="q", standalone="q", generator="t")
        >>> ans.text, [c.sentence for c in ans.citations]
        ('X [1]. Y [1][2].', ['S2', 'S0'])
    """
    offered = [Claim(c.text, tuple(c.shown(len(hits)))) for c in claims]
    numbering = first_use_numbering(offered)
    support: dict[int, float | None] = {}
    for claim in claims:
        for marker in claim.markers:
            support.setdefault(marker, claim.support)
    citations = []
    for marker, n in numbering.items():
        hit = hits[marker - 1]
        s = hit.sentence
        citations.append(
            Citation(
                n=n, article_id=s.article_id, title=hit.title, sentence=s.text, start=s.start, end=s.end,
                score=round(hit.score, 4), sentence_index=s.index, support=support.get(marker),
                also_in=tuple((d.sentence.article_id, d.title, d.sentence.start, d.sentence.end) for d in hit.duplicates),
            )
        )  # fmt: skip
    return Answer(
        text=render(offered, numbering),
        refused=False,
        citations=tuple(citations),
        question=question,
        standalone_question=standalone,
        generator=generator,
        retrieved=tuple(hits),
        timings=dict(timings or {}),
        notes=tuple(notes),
    )


def refusal(
    *,
    question: str,
    standalone: str,
    generator: str,
    hits: Sequence[Hit] = (),
    timings: Mapping[str, float] | None = None,
    notes: Sequence[str] = (),
) -> Answer:
    """The one "cannot answer" reply: no citations, with the reason in ``notes``."""
    empty = compose([], hits, question=question, standalone=standalone, generator=generator, timings=timings, notes=notes)
    return replace(empty, text=CANNOT_ANSWER, refused=True)


class ExtractiveGenerator:
    """Answers with the best supporting sentence(s) themselves: no LLM, nothing invented.

    A second sentence is added when it scores almost as well as the first
    (within ``margin``) so that answers spread over two sentences are not cut. With a ``lead``
    (:class:`~assistant.answer_lead.AnswerLead`) the best sentence is led by the phrase of it
    that answers ("Colorado Avalanche: The Colorado Avalanche won … [1].").

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", 0, 0, 9, "BLA said."), 0.8), Hit(Sentence("a", 1, 10, 14, "Other."), 0.3)]
        >>> [c.text for c in ExtractiveGenerator().claims("Who?", hits)]
        ['BLA said.']
    """

    name = "extractive"

    def __init__(self, margin: float = 0.04, max_sentences: int = 2, lead: AnswerLead | None = None) -> None:
        self.margin = margin
        self.max_sentences = max_sentences
        self.lead = lead

    def claims(self, question: str, hits: Sequence[Hit]) -> list[Claim]:
        if not hits:
            return []
        order = sorted(range(len(hits)), key=lambda i: -hits[i].score)  # shown context may come first
        top = hits[order[0]].score
        chosen = [i for i in order if hits[i].score >= top - self.margin][: self.max_sentences]
        return [Claim(self._text(question, hits[i], led=i == order[0]), (i + 1,)) for i in sorted(chosen)]

    def _text(self, question: str, hit: Hit, *, led: bool = False) -> str:
        """The sentence; for a "who" question, led by the speaker the attribution index resolved;
        else (the best sentence, with a ``lead``) by the phrase that answers, when there is one."""
        sentence = unmark(hit.sentence.text)  # an article's own "[2]" is not one of our citations
        speaker = hit.speaker or ""
        surname = speaker.split()[-1] if speaker else ""
        if speaker and question.lstrip().lower().startswith("who") and surname not in sentence:
            return f"{speaker[:1].upper()}{speaker[1:]}, in the article: “{sentence}”"
        phrase = self.lead.lead(question, sentence) if led and self.lead is not None else None
        return f"{phrase}: {sentence}" if phrase else sentence
