"""The LLM generator that reads passages: the best hits with their neighbours under each
article's title and date (:mod:`assistant.context`), every sentence numbered for ``[n]``.

Example:
    >>> from assistant.llm import ScriptedLLM
    >>> from assistant.types import Sentence
    >>> sents = [Sentence("a", i, 0, 1, t) for i, t in enumerate(["Cup final.", "Colorado won.", "Fans cheered."])]
    >>> gen = ContextGenerator(ScriptedLLM(default="Colorado won [2]."), lambda a, f, l: sents[max(f, 0): l + 1])
    >>> shown = gen.select([Hit(sents[1], 0.9, title="Stanley Cup")])
    >>> len(shown), "".join(gen.stream("Who won the Cup?", shown))
    (3, 'Colorado won [2].')
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.context import SentencesOf, build_context
from assistant.generation import STOPS
from assistant.llm import LLM
from assistant.prompts import CANNOT_ANSWER, load_prompt
from assistant.types import Hit

CONTEXT_TOKEN_BUDGET = 260


class ContextGenerator:
    """An :class:`~assistant.generation.EvidenceWriter`: ``select`` the hits to show (with their
    neighbours), then ``stream`` a draft over exactly those, numbered 1..N.

    The prompt (``prompts/answer_context.txt``) does not offer the model a way to refuse: the
    answerability check has already decided that the evidence answers the question, and on
    news-QA dev the 1.5B model refused 14 of 40 such questions (Abe's Japan, monkeypox) when
    offered one. What it writes is verified sentence by sentence; an unsupported draft falls back
    to the best sentence. Nor does the prompt show an example marker: the model copied "[4]"."""

    def __init__(self, llm: LLM, sentences_of: SentencesOf, *, budget: int = CONTEXT_TOKEN_BUDGET,
                 around: int = 1, max_tokens: int = 80) -> None:  # fmt: skip
        self.llm = llm
        self.sentences_of = sentences_of
        self.budget = budget
        self.around = around
        self.max_tokens = max_tokens
        self.name = f"llm:{llm.name}"
        self.template = load_prompt("answer_context", frozenset({"evidence", "question"}))

    def select(self, hits: Sequence[Hit]) -> list[Hit]:
        """The sentences the model will see, in their numbering order."""
        return build_context(hits, self.sentences_of, self.budget, self.around).shown

    def build_prompt(self, question: str, shown: Sequence[Hit]) -> str:
        context = build_context(shown, lambda article, first, last: [], 1 << 30, around=0)
        return self.template.format(evidence=context.text, question=question.strip())

    def stream(self, question: str, shown: Sequence[Hit]) -> Iterator[str]:
        if not shown:
            yield CANNOT_ANSWER
            return
        yield from self.llm.stream(self.build_prompt(question, shown), max_tokens=self.max_tokens, stop=STOPS)
