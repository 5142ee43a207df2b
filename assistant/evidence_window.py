"""The evidence a judge reads for a cited sentence: the sentence with its speaker, or the sentence
in its window (the article's title and date and the shown neighbours), and the rule checks that go
with it: a claim's figures must appear in what it cites, and the window sentences that say a
claim's answer are cited with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.citations import MARKER, Claim
from assistant.prompts import article_heading
from assistant.types import Hit
from index.bm25 import tokenize


def window_evidence(hits: Sequence[Hit], n: int) -> list[str]:
    """Shown sentence ``n`` (1-based) as the judge reads it in its window: the article's title and
    date, then the shown sentences next to it, the cited one marked.

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", i, 0, 1, t), 1.0, title="Cup final", date="2022-06-27")
        ...         for i, t in enumerate(["Colorado won 2-1.", "It was the third title."])]
        >>> window_evidence(hits, 2)
        ['Article: Cup final (2022-06-27)', 'Colorado won 2-1.', '(cited) It was the third title.']
    """
    cited = hits[n - 1]
    s = cited.sentence
    lines = [article_heading(cited.title, cited.date)] if cited.title or cited.date else []
    for hit in hits:
        if in_window(hit, cited):
            lines.append(f"(cited) {evidence_text(hit)}" if hit.sentence.index == s.index else hit.sentence.text)
    return lines


def in_window(hit: Hit, cited: Hit) -> bool:
    """``hit`` is ``cited`` or a neighbour of it in the same article: what the window judge reads."""
    a, b = hit.sentence, cited.sentence
    return a.article_id == b.article_id and abs(a.index - b.index) <= 1


_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?!\w)")  # standalone figures, not "4moms" or "G7"


def numbers_held(claim: str, evidence: Sequence[str]) -> bool:
    """Every number of ``claim`` appears in ``evidence`` (commas ignored): the judge reading a
    window let "4 million" pass for "2 million", so a claim's figures are checked by rule first.

    Example:
        >>> numbers_held("4moms recalled 2 million swings [1].", ["About 2 million swings were recalled."])
        True
        >>> numbers_held("4moms recalled 4 million swings.", ["About 2 million swings were recalled."])
        False
    """
    have = {n.replace(",", "") for e in evidence for n in _NUMBER.findall(e)}
    text = MARKER.sub(" ", claim)
    return all(n.replace(",", "") in have for n in _NUMBER.findall(text))


def evidence_text(hit: Hit) -> str:
    """The cited sentence as the judge sees it, with its speaker when known.

    Example:
        >>> from index.types import Sentence
        >>> evidence_text(Hit(Sentence("a", 0, 0, 8, "It is so."), 1.0, speaker="Asif"))
        '(speaker: Asif) It is so.'
    """
    return f"(speaker: {hit.speaker}) {hit.sentence.text}" if hit.speaker else hit.sentence.text


WINDOW_ANSWER_SHARE = 0.6  # share of a claim's answer words a window sentence must hold to be cited too


def window_sayers(claim: Claim, hits: Sequence[Hit], target: int, question: str | None = None) -> list[int]:
    """The other sentences (1-based) of shown sentence ``target``'s window that hold at least
    :data:`WINDOW_ANSWER_SHARE` of the claim's answer words (its words the question does not hold)
    and all its figures. A claim kept because its cited sentence *read in its window* supports it
    rests on the window: the model often cites a neighbour ("The Lightning won the last two Stanley
    Cups") of the sentence that says the answer ("The Colorado Avalanche defeated the Tampa Bay
    Lightning ... to win the team's first Stanley Cup since 2001"), which the judge read too.

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", i, 0, 1, t), 1.0) for i, t in enumerate(
        ...     ["The Avalanche beat the Lightning to win the Stanley Cup.", "The Lightning won in 2021."])]
        >>> window_sayers(Claim("The Avalanche won the Stanley Cup.", (2,)), hits, 2, "Who won the Stanley Cup?")
        [1]
    """
    cited = hits[target - 1]
    return [n for n, hit in enumerate(hits, 1)
            if n != target and in_window(hit, cited) and says_answer(claim, hit.sentence.text, question)]  # fmt: skip


def says_answer(claim: Claim, text: str, question: str | None = None) -> bool:
    """``text`` holds at least :data:`WINDOW_ANSWER_SHARE` of ``claim``'s answer words (its words
    the question does not hold; none: ``False``) and all its figures.

    Example:
        >>> q = "Which country announced a plan?"
        >>> says_answer(Claim("Australia [2].", (2,)), "Australia announced a plan.", q)
        True
        >>> says_answer(Claim("Australia [2].", (2,)), "The plan names 110 species.", q)
        False
    """
    words = {w for w in tokenize(claim.text) if len(w) > 1}  # not the "s" of a possessive
    answer = words - set(tokenize(question or ""))
    if not answer:
        return False
    return len(answer & set(tokenize(text))) >= WINDOW_ANSWER_SHARE * len(answer) and numbers_held(claim.text, [text])
