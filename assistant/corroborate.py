"""Corroborating citations: the other shown sentences that state a verified answer, cited beside it.

The model cites one sentence per answer sentence, usually the first that says it. A fact-checker
is better served by every retrieved sentence that says it: two reports of the same fact, or the
report and the quote it rests on ("Former Japanese Prime Minister Shinzo Abe died ... after being
shot while giving a campaign speech" beside the sentence the model chose). After the verifier has
kept a claim, :class:`Corroborator` looks among the shown sentences the claim does not cite for
those that hold most of the claim's *answer words* (its words that the question does not already
hold), half of all its words and every figure of it, and asks the same judge whether each supports the claim; the ones
it accepts (at the verifier's threshold) are cited too. Nothing is added without a judge.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from assistant.citations import Claim
from assistant.types import Hit
from assistant.verify import Judge, evidence_text, numbers_held
from index.bm25 import tokenize

log = logging.getLogger(__name__)

MIN_SHARE = 0.6  # share of a claim's answer words a corroborating sentence must hold
MIN_CLAIM_SHARE = 0.5  # and of all its words (the answer's name alone in another story is not enough)
MAX_JUDGED = 2  # judge calls per answer (each ~1-2 s on the 1.5B model on 2 cores)


def candidates(claim: Claim, hits: Sequence[Hit], question: str, min_share: float = MIN_SHARE) -> list[int]:
    """Shown sentences (1-based) the claim does not cite that hold at least ``min_share`` of its
    answer words, :data:`MIN_CLAIM_SHARE` of all its words and all of its figures, most answer words first; none when the claim adds no word to
    the question.

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", i, 0, 1, t), 1.0) for i, t in enumerate([
        ...     "Ford is recalling 2.9 million vehicles.", "Ford Motor Co. recalled 2.9 million cars and trucks.",
        ...     "Ford sold 2 million vehicles."])]
        >>> candidates(Claim("Ford recalled 2.9 million vehicles.", (1,)), hits, "Which automaker recalled 2.9 million vehicles?")
        [2]
    """
    words = {w for w in tokenize(claim.text) if len(w) > 1}  # not the "s" of a possessive
    answer = words - set(tokenize(question))
    if not answer:
        return []
    cited = {hits[n - 1].sentence.text for n in claim.markers if 1 <= n <= len(hits)}
    found: list[tuple[float, int]] = []
    for n, hit in enumerate(hits, 1):
        text = hit.sentence.text
        if n in claim.markers or text in cited:
            continue
        held = set(tokenize(text))
        share = len(answer & held) / len(answer)
        if share >= min_share and len(words & held) >= MIN_CLAIM_SHARE * len(words) and numbers_held(claim.text, [text]):
            found.append((share, n))
    return [n for _share, n in sorted(found, key=lambda f: (-f[0], f[1]))]


class Corroborator:
    """Adds to each kept claim the shown sentences that the judge finds also support it.

    Example:
        >>> from assistant.llm import ScriptedLLM
        >>> from assistant.verify import LLMJudge
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", i, 0, 1, t), 1.0) for i, t in enumerate(
        ...     ["Ford is recalling 2.9 million vehicles.", "Ford Motor Co. recalled 2.9 million vehicles."])]
        >>> judge = LLMJudge(ScriptedLLM(yes_rules={"Ford Motor": 0.9}))
        >>> Corroborator(judge, 0.65).add([Claim("Ford recalled them.", (1,), 0.9)], hits, "Who recalled them?")[0]
        [Claim(text='Ford recalled them.', markers=(1, 2), support=0.9)]
    """

    def __init__(self, judge: Judge | None, threshold: float, max_judged: int = MAX_JUDGED,
                 min_share: float = MIN_SHARE) -> None:  # fmt: skip
        self.judge = judge
        self.threshold = threshold
        self.max_judged = max_judged
        self.min_share = min_share

    def add(self, claims: Sequence[Claim], hits: Sequence[Hit], question: str) -> tuple[list[Claim], list[str]]:
        """The claims with their corroborating markers appended, and a note per sentence added."""
        if self.judge is None or not claims:
            return list(claims), []
        budget = self.max_judged
        out: list[Claim] = []
        notes: list[str] = []
        for claim in claims:
            extra: list[int] = []
            for n in candidates(claim, hits, question, self.min_share):
                if budget <= 0:
                    break
                budget -= 1
                score = self.judge.support(claim.text, [evidence_text(hits[n - 1])])
                if score >= self.threshold:
                    extra.append(n)
                    notes.append(f"Also cited: \"{_snippet(hits[n - 1].sentence.text)}\" says it too "
                                 f"(support {score:.2f}).")  # fmt: skip
                else:
                    log.debug("not corroborating (%.2f): %s", score, hits[n - 1].sentence.text)
            out.append(replace(claim, markers=(*claim.markers, *extra)) if extra else claim)
        return out, notes


def _snippet(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
