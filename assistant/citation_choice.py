"""What an answer sentence adds to its question, and the shown sentence that states it.

A drafted sentence that adds no word to a wh-question only restates it (:func:`restates`). For
the others, the verifier can point a verified sentence at the shown sentence that states its answer.

The small model often cites a sentence that supports its answer only with help from the sentences
around it ("The new plan identifies 20 places and 110 species" for "Australia announced a plan to
prevent extinctions"), while another shown sentence states the answer in the question's own terms
("Australia ... on Tuesday announced a 10-year plan to prevent any more species from dying out").
A fact-checker wants the second. :func:`sharper_citation` finds it by rule: it holds every word
the answer adds to the question (and every figure) and more of the question's words than any
cited sentence. The verifier then asks the judge about it before citing it instead, so the moved
citation is checked like any other (:func:`assistant.verify.verify`). The same test finds a
sentence of another article that states the answer too (:func:`corroborating_citation`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeGuard

from assistant.citations import MARKER, Claim
from assistant.types import Hit
from index.bm25 import tokenize


def _matches(word: str, words: set[str]) -> bool:
    """``word`` is in ``words`` by stem or, from four letters, by prefix ("Japan" / "Japanese")."""
    return word in words or (len(word) >= 4 and any(len(w) >= 4 and (w.startswith(word) or word.startswith(w))
                                                     for w in words))  # fmt: skip


def answer_words(claim: str, question: str) -> set[str]:
    """The content words of ``claim`` that ``question`` does not hold, by stem or, from four
    letters, by prefix ("Lanka" / "Lankan"): what the claim answers.

    Example:
        >>> sorted(answer_words("Australia announced a new plan [1].", "Which country announced a new plan?"))
        ['australia']
    """
    asked = set(tokenize(question))
    return {w for w in tokenize(MARKER.sub(" ", claim)) if len(w) > 1 and not _matches(w, asked)}


_WH = re.compile(r"\b(?:what|which|who|whom|whose|where|when|why|how)\b", re.I)
_CHOICE = re.compile(r"\bor\b", re.I)


def _asks_wh(question: str | None) -> TypeGuard[str]:
    """A wh-question that is not a choice ("A or B?", whose answer is one of its own words)."""
    return question is not None and bool(_WH.search(question)) and not _CHOICE.search(question)


def restates(claim: str, question: str | None) -> bool:
    """True when ``claim`` adds no word to a wh-``question`` (:func:`answer_words` is empty): it
    repeats the question's own names instead of answering it ("Gotabaya Rajapaksa fled to Sri Lanka"
    for "Sri Lankan President Gotabaya Rajapaksa fled to which country?"), which no citation can make
    an answer. Yes/no and choice questions ("A or B?", whose answer is one of their words) and claims
    with no content words are never flagged.

    Example:
        >>> restates("Rajapaksa fled to Sri Lanka [1].", "Sri Lankan President Rajapaksa fled to which country?")
        True
        >>> restates("Rajapaksa fled to the Maldives [1].", "Sri Lankan President Rajapaksa fled to which country?")
        False
        >>> restates("The BLA claimed 280 deaths [1].", "Did the BLA claim 280 deaths?")
        False
    """
    if not _asks_wh(question):
        return False
    has_words = any(len(w) > 1 for w in tokenize(MARKER.sub(" ", claim)))
    return has_words and not answer_words(claim, question)


BARE_ANSWER_WORDS = 6  # at most this many words: a name, a place, a figure, not a sentence


def bare_answer(claim: str, question: str | None) -> bool:
    """True when ``claim`` is only a short answer to a wh-``question``, sharing none of its words
    ("Rafael Nadal." for "Which 23-time champion is set to retire?"). Read alone it asserts little
    more than that a name appears in the evidence, so it is checked as an answer to the question.

    Example:
        >>> q = "Which 23-time grand slam champion is set to retire after the US Open?"
        >>> bare_answer("Rafael Nadal [1].", q), bare_answer("Serena Williams is set to retire [1].", q)
        (True, False)
        >>> bare_answer("Rafael Nadal [1].", "Is Rafael Nadal retiring?")
        False
    """
    if not _asks_wh(question):
        return False
    text = MARKER.sub(" ", claim)
    words = {w for w in tokenize(text) if len(w) > 1}
    return bool(words) and len(text.split()) <= BARE_ANSWER_WORDS and answer_words(claim, question) == words


def _figures(text: str) -> set[str]:
    return {w for w in tokenize(text) if w[0].isdigit()}


def answer_names(claim: str, question: str) -> tuple[set[str], set[str]]:
    """The :func:`answer_words` of ``claim`` split into its names and figures (written with a
    capital or a digit) and its other words; all of them are names when it has none. A sentence
    stating the answer must hold the names but only half of the other words, which are often the
    model's own: "Southwest Airlines experienced a meltdown" is stated by "Southwest Airlines
    canceled thousands of flights", which lacks "experienced"; a reason ("the sheer size of the
    province") is in its words.

    Example:
        >>> q = "Which airline suffered an operational meltdown this week?"
        >>> answer_names("Southwest Airlines experienced an operational meltdown [1].", q)
        ({'southwest'}, {'experienc'})
        >>> answer_names('The word was "gaslighting" [1].', "Which word was chosen?")
        ({'gaslight'}, set())
    """
    answer = answer_words(claim, question)
    written = MARKER.sub(" ", claim).split()
    named = answer & {t for w in written if w[:1].isupper() or any(c.isdigit() for c in w) for t in tokenize(w)}
    return (named, answer - named) if named else (answer, set())


def sharper_citation(claim: Claim, hits: Sequence[Hit], question: str | None) -> int | None:
    """The shown sentence (1-based) that states ``claim``'s answer better than what it cites, if any.

    A candidate holds every name and figure the claim adds to the question and half its other
    answer words (:func:`answer_names`), and every figure of the claim; it wins when the cited
    sentences do not all hold those words or when it holds more of the question's words than each
    of them (ties go to the earlier shown sentence). Claims that add no word to the question, and
    calls without a question, get ``None``.

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", i, 0, 1, t), 1.0) for i, t in enumerate([
        ...     "The new plan names 110 species.",
        ...     "Australia announced a plan to prevent any more extinctions."])]
        >>> q = "Which country announced a plan to prevent extinctions?"
        >>> sharper_citation(Claim("Australia announced a plan [1].", (1,)), hits, q)
        2
        >>> sharper_citation(Claim("Australia announced a plan [2].", (2,)), hits, q) is None
        True
    """
    stating = _stating(claim, question)
    if stating is None:
        return None
    cited = [stating(hits[n - 1].sentence.text) for n in claim.shown(len(hits))]
    best: tuple[int, int] | None = None  # (question words held, n)
    for n, hit in enumerate(hits, 1):
        if n in claim.markers:
            continue
        holds, covered = stating(hit.sentence.text)
        beats = all(not c_holds or covered > c_covered for c_holds, c_covered in cited)
        if holds and beats and (best is None or covered > best[0]):
            best = (covered, n)
    return best[1] if best is not None else None


def corroborating_citation(claim: Claim, hits: Sequence[Hit], question: str | None) -> int | None:
    """The shown sentence (1-based) of an article ``claim`` does not cite yet that states its answer
    by the test of :func:`sharper_citation` (the figures the question already names aside), holding
    most of the question's words (ties go to the earlier shown sentence); ``None`` without one. News
    is reported by several outlets at once, and a fact-checker trusts what two outlets state more
    than what one does; an article whose near-identical copy the claim cites (``duplicates``) is
    not another outlet, and another sentence of a cited article adds no independent evidence.

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence(a, i, 0, 1, t), 1.0) for i, (a, t) in enumerate([
        ...     ("cnn", "Houston issued a boil water notice."), ("cnn", "Houston lifted it."),
        ...     ("ust", "Residents of Houston were told to boil water before use.")])]
        >>> q = "Which city issued a boil water notice?"
        >>> corroborating_citation(Claim("Houston issued the notice [1].", (1,)), hits, q)
        3
        >>> corroborating_citation(Claim("Houston issued the notice [3].", (3,)), hits, q)
        1
    """
    stating = _stating(claim, question, asked_figures=False)
    if stating is None:
        return None
    cited = [hits[n - 1] for n in claim.shown(len(hits))]
    covered = {h.sentence.article_id for c in cited for h in (c, *c.duplicates)}
    best: tuple[int, int] | None = None  # (question words held, n)
    for n, hit in enumerate(hits, 1):
        if hit.sentence.article_id in covered:
            continue
        holds, asked = stating(hit.sentence.text)
        if holds and (best is None or asked > best[0]):
            best = (asked, n)
    return best[1] if best is not None else None


def _stating(claim: Claim, question: str | None, asked_figures: bool = True) -> Callable[[str], tuple[bool, int]] | None:
    """A test of whether a sentence states ``claim``'s answer (:func:`sharper_citation`): whether it
    holds every name and figure of the answer and half its other words (and, with ``asked_figures``,
    the figures the question names too), and how many of the question's words it holds; ``None``
    without a question or when the claim adds no word to it."""
    if not question:
        return None
    answer, others = answer_names(claim.text, question)
    if not answer:
        return None
    asked = set(tokenize(question))
    figures = _figures(MARKER.sub(" ", claim.text)) - (set() if asked_figures else asked)

    def score(text: str) -> tuple[bool, int]:
        words = set(tokenize(text))
        held = sum(_matches(w, words) for w in others)
        holds = all(_matches(w, words) for w in answer) and figures <= words and held >= len(others) // 2
        return holds, len(asked & words)

    return score


def covering_pair(claim: Claim, hits: Sequence[Hit], question: str | None = None) -> tuple[int, int] | None:
    """Two shown sentences (1-based, in shown order) of one article that together hold what
    ``claim`` says when neither does alone: the small model joins two facts of an article in one
    sentence ("Mikhail Gorbachev died at 91, awarded the Nobel Peace Prize in 1990") and cites one.

    The pair holds every answer word (:func:`answer_words`; every content word without a
    ``question``) and every figure of the claim (whole, as :func:`sharper_citation` asks: "1990" is
    not "1990s"), each sentence holds a claim word the other lacks, and together they hold more of
    the claim's words than any one shown sentence. Among such pairs, the one holding most of the
    claim's words wins, then the one holding a cited sentence, then the earlier. The verifier asks the judge about the pair before citing it.

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", i, 0, 1, t), 1.0) for i, t in enumerate([
        ...     "Mikhail Gorbachev has died at the age of 91.", "It snowed.",
        ...     "He was awarded the Nobel Peace Prize in 1990."])]
        >>> covering_pair(Claim("Gorbachev died at 91, awarded the Nobel Peace Prize in 1990 [1].", (1,)), hits)
        (1, 3)
    """
    text = MARKER.sub(" ", claim.text)
    words = {w for w in tokenize(text) if len(w) > 1 or w.isdigit()}
    needed = answer_words(claim.text, question) if question else words
    if not words or not needed:
        return None
    figures = _figures(text)
    terms = [set(tokenize(h.sentence.text)) for h in hits]  # once per sentence, not once per claim word
    held = [{w for w in words if _matches(w, t)} for t in terms]
    best_single = max((len(h) for h in held), default=0)
    best: tuple[tuple[int, bool, int], tuple[int, int]] | None = None
    for i, a in enumerate(hits):
        for j in range(i + 1, len(hits)):
            b = hits[j]
            if a.sentence.article_id != b.sentence.article_id or not (held[i] - held[j]) or not (held[j] - held[i]):
                continue
            both = held[i] | held[j]
            if len(both) <= best_single or not needed <= both or not figures <= terms[i] | terms[j]:
                continue
            key = (len(both), bool({i + 1, j + 1} & set(claim.markers)), -i)
            if best is None or key > best[0]:
                best = (key, (i + 1, j + 1))
    return best[1] if best is not None else None
