"""The LLM as a yes/no judge of citations: does this evidence support the claim, and does it show
that a proposed answer to a question is right? ``P(yes)`` is read from the model's logits for
the next token (:meth:`~assistant.llm.LLM.p_yes`); :mod:`assistant.verify` decides what to ask.

Example:
    >>> from assistant.llm import ScriptedLLM
    >>> LLMJudge(ScriptedLLM(yes_default=0.8)).support("It rained.", ["It rained all day."])
    0.8
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast, runtime_checkable

from assistant.llm import LLM
from assistant.prompts import load_prompt, quote


class Judge(Protocol):
    """Anything scoring how well evidence supports a claim, in [0, 1]."""

    def support(self, claim: str, evidence: Sequence[str]) -> float: ...


@runtime_checkable
class AnswerJudge(Judge, Protocol):
    """A judge that can also score whether evidence shows a proposed answer to a question is right."""

    def answers(self, question: str, claim: str, evidence: Sequence[str]) -> float: ...


class LLMJudge:
    """P(yes) from the LLM for "does this evidence support the claim?".

    Example:
        >>> from assistant.llm import ScriptedLLM
        >>> judge = LLMJudge(ScriptedLLM(yes_rules={"280": 0.93}))
        >>> judge.support("The BLA claimed 280 deaths.", ["The BLA claimed it killed 280."])
        0.93
    """

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.template = load_prompt("judge", frozenset({"evidence", "claim"}))
        self.answer_template = load_prompt("judge_answer", frozenset({"evidence", "question", "claim"}))

    def prompt(self, claim: str, evidence: Sequence[str]) -> str:
        return self.template.format(evidence=_lines(evidence), claim=quote(claim))

    def support(self, claim: str, evidence: Sequence[str]) -> float:
        if not any(e.strip() for e in evidence):
            return 0.0
        return float(self.llm.p_yes(self.prompt(claim, evidence)))

    def answers(self, question: str, claim: str, evidence: Sequence[str]) -> float:
        """P(yes) that ``evidence`` shows ``claim`` is a right answer to ``question``."""
        if not any(e.strip() for e in evidence):
            return 0.0
        prompt = self.answer_template.format(evidence=_lines(evidence), question=quote(question), claim=quote(claim))
        return float(self.llm.p_yes(prompt))


class _Asked:
    """``judge`` asked at most once per claim and evidence (one draft's checks reach the same
    sentence by several routes: the words it holds, then the answer it states)."""

    def __init__(self, judge: Judge) -> None:
        self.judge = judge
        self._seen: dict[tuple[str, ...], float] = {}

    def support(self, claim: str, evidence: Sequence[str]) -> float:
        key = ("support", claim, *evidence)
        if key not in self._seen:
            self._seen[key] = self.judge.support(claim, evidence)
        return self._seen[key]


class _AskedAnswers(_Asked):
    def answers(self, question: str, claim: str, evidence: Sequence[str]) -> float:
        key = ("answers", question, claim, *evidence)
        if key not in self._seen:
            self._seen[key] = cast(AnswerJudge, self.judge).answers(question, claim, evidence)
        return self._seen[key]


def asked_once(judge: Judge) -> Judge:
    """``judge`` with its answers remembered, keeping whether it can judge answers.

    Example:
        >>> from assistant.llm import ScriptedLLM
        >>> llm = ScriptedLLM(yes_default=0.9)
        >>> once = asked_once(LLMJudge(llm))
        >>> once.support("X.", ["X."]), once.support("X.", ["X."]), len(llm.prompts)
        (0.9, 0.9, 1)
    """
    return _AskedAnswers(judge) if isinstance(judge, AnswerJudge) else _Asked(judge)


def _lines(evidence: Sequence[str]) -> str:
    return "\n".join(f"- {quote(e)}" for e in evidence if e.strip()) or "- (none)"
