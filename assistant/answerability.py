"""Answerability: refuse only when the retrieved evidence does not answer the question.

A single cosine cut-off refuses short questions whose answer is a rare name (their cosine is
low) and answers questions about absent facts whose words happen to be common. This check reads
the fused evidence instead:

* ``cosine`` – the best sentence cosine, and ``passage`` – the best passage cosine;
* ``coverage`` – the idf-weighted share of the question's terms found in the top hits (their
  sentence windows and titles);
* ``key_coverage`` – the share of its *key* terms (numbers, capitalised names, rare words)
  found there: a question about "Marburg virus in Ghana" is not answered by a passage that never
  says "Ghana".

A logistic model over these gives P(answerable) (weights below; ``bench/calibrate_answerability.py``
refits them on dev data only); an optional LLM yes/no judge decides the uncertain band.

Example:
    >>> check = AnswerabilityCheck(idf=lambda t: 5.0)
    >>> check.features("Who won the Stanley Cup?", ["Colorado won the Stanley Cup."], 0.7, 0.6)["key_coverage"]
    1.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.types import Hit
from index.bm25 import tokenize

_CAPITALISED = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w’'&.-]*[A-Za-z0-9]|\d[\d.,]*)")

#: Set by hand and checked with bench/retrieval.py (sample gold: 3.8% false / 83% correct refusals;
#: news-QA dev: 1.9% false). bench/calibrate_answerability.py refits them on saved dev features; on the
#: sample and news-QA sets it gave bias -9.7, cosine 4.8, passage 3.4, coverage 4.2, key_coverage 3.2 at
#: threshold 0.25 (0% / 2.8% false refusals); PolNeAR negatives are not in that fit yet.
DEFAULT_WEIGHTS: dict[str, float] = {
    "bias": -9.0, "cosine": 6.0, "passage": 4.0, "coverage": 3.0, "key_coverage": 3.0,
}
DEFAULT_THRESHOLD = 0.5


def key_terms(question: str, idf: Callable[[str], float], rare: float = 4.0) -> list[str]:
    """Tokens of the question's numbers, capitalised words (not the first word) and rare words.

    Example:
        >>> key_terms("Which country confirmed cases of Marburg virus?", lambda t: 6.0 if t == "marburg" else 1.0)
        ['marburg']
    """
    keys: list[str] = []
    for match in _CAPITALISED.finditer(question):
        keys.extend(tokenize(match.group(0)))
    keys.extend(t for t in tokenize(question) if idf(t) >= rare)
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class Verdict:
    """The check's decision with its probability, the features and a reason a user can read.

    Example:
        >>> Verdict(True, 0.9, "evidence covers the question").answerable
        True
    """

    answerable: bool
    probability: float
    reason: str
    features: dict[str, float] = field(default_factory=dict)


class AnswerabilityCheck:
    """P(answerable) from retrieval signals and term coverage; see the module docstring."""

    def __init__(self, idf: Callable[[str], float], weights: dict[str, float] | None = None,
                 threshold: float = DEFAULT_THRESHOLD, judge: Any | None = None,
                 judge_band: tuple[float, float] = (0.2, 0.8), judge_threshold: float = 0.5,
                 evidence_hits: int = 3) -> None:  # fmt: skip
        self.evidence_hits = evidence_hits
        self.idf = idf
        self.weights = weights or DEFAULT_WEIGHTS
        self.threshold = threshold
        self.judge = judge
        self.judge_band = judge_band
        self.judge_threshold = judge_threshold

    def features(self, question: str, texts: Sequence[str], cosine: float, passage: float) -> dict[str, float]:
        """The model's inputs for ``question`` against evidence ``texts`` (windows and titles)."""
        seen = set()
        for text in texts:
            seen.update(tokenize(text))
        terms = list(dict.fromkeys(tokenize(question)))
        weight = {t: max(self.idf(t), 0.1) for t in terms}
        total = sum(weight.values())
        coverage = sum(weight[t] for t in terms if t in seen) / total if total else 0.0
        keys = key_terms(question, self.idf)
        key_coverage = sum(1 for t in keys if t in seen) / len(keys) if keys else 1.0
        return {"cosine": cosine, "passage": passage, "coverage": coverage, "key_coverage": key_coverage}

    def probability(self, features: dict[str, float]) -> float:
        z = self.weights.get("bias", 0.0) + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def check(self, question: str, hits: Sequence[Hit]) -> Verdict:
        """Decide from the top ``evidence_hits`` hits: their cosines, windows and titles."""
        top = list(hits[: self.evidence_hits])
        texts = [f"{h.title}. {h.window or h.sentence.text}" for h in top]
        cosine = max((h.cosine for h in top if h.cosine is not None), default=-1.0)
        passage = max((h.passage for h in top if h.passage is not None), default=cosine)
        features = self.features(question, texts, cosine, passage)
        p = self.probability(features)
        low, high = self.judge_band
        if self.judge is not None and low <= p < high and texts:
            yes = float(self.judge(question, texts))
            features["judge"] = yes
            ok = yes >= self.judge_threshold
            why = f"the LLM judge {'found' if ok else 'did not find'} the answer (P(yes) {yes:.2f})"
            return Verdict(ok, p, why, features)
        ok = p >= self.threshold
        if not top:
            return Verdict(False, 0.0, "nothing relevant was found", features)
        missing = features["key_coverage"] < 1.0
        why = (f"the evidence covers the question (P {p:.2f})" if ok else
               f"the evidence does not answer the question (P {p:.2f}"
               + ("; some of its key terms appear nowhere in it)" if missing else ")"))  # fmt: skip
        return Verdict(ok, p, why, features)

    def refusal_note(self, question: str, hits: Sequence[Hit]) -> str | None:
        """``None`` when the hits answer ``question``, else the reason for refusing."""
        verdict = self.check(question, hits)
        return None if verdict.answerable else f"Refused: {verdict.reason}."


class LLMAnswerableJudge:
    """P(yes) from the LLM for "does this text answer the question?" (used in the uncertain band).

    Example:
        >>> from assistant.llm import ScriptedLLM
        >>> LLMAnswerableJudge(ScriptedLLM(yes_rules={"Ghana": 0.9}))("Where?", ["Ghana confirmed it."])
        0.9
    """

    def __init__(self, llm: Any, max_words: int = 160) -> None:
        from assistant.prompts import load_prompt

        self.llm = llm
        self.max_words = max_words
        self.template = load_prompt("answerable", frozenset({"evidence", "question"}))

    def __call__(self, question: str, texts: Sequence[str]) -> float:
        from assistant.prompts import quote, strip_control_tokens

        words = " ".join(quote(t) for t in texts).split()[: self.max_words]
        prompt = self.template.format(evidence=" ".join(words), question=strip_control_tokens(question))
        return float(self.llm.p_yes(prompt))
