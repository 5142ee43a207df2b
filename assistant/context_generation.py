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
from assistant.injection import instruction_like
from assistant.llm import LLM
from assistant.prompts import CANNOT_ANSWER, load_prompt, strip_control_tokens
from assistant.settings import Settings
from assistant.types import Hit, Sentence

#: The setting's default (chosen by ``bench.llm --budgets``; see its description), not a second literal.
CONTEXT_TOKEN_BUDGET: int = Settings.model_fields["context_budget"].default


class ContextGenerator:
    """An :class:`~assistant.generation.EvidenceWriter`: ``select`` the hits to show (with their
    neighbours), then ``stream`` a draft over exactly those, numbered 1..N.

    The prompt (``prompts/answer_context.txt``) shows no example marker (the 1.5B model copied the
    "[4]" of an earlier example) and marks the articles as data, not instructions. It has no
    refusal sentence: with one, the model refused 15 of 16 answerable news-QA questions; refusing
    is the answerability check's job, before the model. Without it the model obeyed an article
    that told it what to answer, so instruction-shaped sentences are never shown to it
    (:mod:`assistant.injection`), neither as hits nor as neighbours. The instruction comes before
    the articles, so the prompt's whole fixed opening (about 85 tokens with the chat template) is
    the part the local model keeps between questions (:mod:`assistant.head_cache`) instead of
    evaluating it again, about a second of prompt processing per question on two cores.
    """

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
        return build_context(hits, self._readable, self.budget, self.around).shown

    def _readable(self, article_id: str, first: int, last: int) -> list[Sentence]:
        """The neighbours the model may read: instruction-shaped sentences are never shown."""
        return [s for s in self.sentences_of(article_id, first, last) if not instruction_like(s.text)]

    def build_prompt(self, question: str, shown: Sequence[Hit]) -> str:
        context = build_context(shown, lambda article, first, last: [], 1 << 30, around=0)
        return self.template.format(evidence=context.text, question=strip_control_tokens(question.strip()))

    def stream(self, question: str, shown: Sequence[Hit]) -> Iterator[str]:
        if not shown:
            yield CANNOT_ANSWER
            return
        yield from self.llm.stream(self.build_prompt(question, shown), max_tokens=self.max_tokens, stop=STOPS)
