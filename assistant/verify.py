"""Check each drafted sentence against the evidence it cites, with an LLM judge.

A sentence stays when ``P(yes)`` that its cited sentences support it reaches the threshold
(calibrated on PolNeAR train by ``bench/calibrate_judge.py``); sentences without markers
are dropped as unsupported. A sentence the cited sentence alone does not support gets two more
tries: the shown sentence that holds its words (recitation), then, with a window threshold, the
cited sentence read in its window (the article's title and date and the shown neighbours), which
is how the model read it: "The Avalanche beat the Lightning 2-1" supports "Colorado won the 2022
Stanley Cup" only under the headline that says which final it was. When the question is known, a
last try asks whether that window shows the sentence is a right answer to it (its own, stricter
threshold): drafts carry the question's premise ("this week", "ahead of the semi-finals"), which a
claim-only judge reads as unsupported (on news-QA dev, question-aware judging in the window separated
right from wrong drafts best: AUC 0.78 against 0.56 for the claim against the bare sentence).
A sentence joining two facts of one article ("Gorbachev died at 91, awarded the Nobel Peace Prize in
1990"), which no single sentence says, is then judged against the two shown sentences that hold it
together, and cites both when the judge accepts them. Finally a kept sentence can move to the shown
sentence that states its answer in the question's terms (:mod:`assistant.citation_choice`), again
only when the judge accepts that sentence; and one kept sentence can also cite a shown sentence of
another article that states its answer, again only when the judge accepts it, read in its own
article's window. A bare answer ("Japan.") skips the claim judge, which cannot tell a name that
answers from a name that only appears: it is judged as an answer to the question, read in the
window of the sentence that states it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import cast

from assistant.citation_choice import (
    bare_answer,
    corroborating_citation,
    covering_pair,
    restates,
    sharper_citation,
)
from assistant.citations import Claim, first_use_numbering, render
from assistant.evidence_window import evidence_text, numbers_held, says_answer, window_evidence, window_sayers
from assistant.judge import AnswerJudge, Judge, asked_once
from assistant.types import Hit
from index.bm25 import tokenize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerifiedDraft:
    """Kept and dropped sentences of a draft, in draft order; each claim carries its support,
    each dropped one also why (``no citation``, ``unsupported``, ``restates the question`` or
    ``does not answer the question``); ``recited`` the kept claims
    whose marker was moved to another shown sentence, as ``(claim, old markers)``; ``windowed``
    the kept claims supported only by their cited sentence read in its window, ``answered`` those
    of them kept because that window shows they answer the question; ``sharpened`` the kept claims
    whose citation was moved to the shown sentence that states their answer, as ``(claim, old markers)``;
    ``joined`` the kept claims supported only by two sentences of one article read together;
    ``corroborated`` the kept claims that also cite a sentence of another article stating their answer.

    Example:
        >>> d = VerifiedDraft(kept=(Claim("X.", (3,), 0.9),))
        >>> d.text, d.numbering
        ('X [1].', {3: 1})
    """

    kept: tuple[Claim, ...] = ()
    dropped: tuple[tuple[Claim, str], ...] = ()
    recited: tuple[tuple[Claim, tuple[int, ...]], ...] = ()
    windowed: tuple[Claim, ...] = ()
    answered: tuple[Claim, ...] = ()
    sharpened: tuple[tuple[Claim, tuple[int, ...]], ...] = ()
    joined: tuple[Claim, ...] = ()
    corroborated: tuple[Claim, ...] = ()

    @property
    def numbering(self) -> dict[int, int]:
        """Draft marker number -> final citation number (1..K in order of first use)."""
        return first_use_numbering(self.kept)

    @property
    def text(self) -> str:
        return render(self.kept, self.numbering)


BARE_WINDOWS = 2  # windows a bare answer is judged in, at most (about 200 tokens each)
RECITE_MIN_OVERLAP = 0.5  # share of the claim's content words an alternative sentence must hold


def recite_candidate(claim: Claim, hits: Sequence[Hit]) -> int | None:
    """The shown sentence (1-based) that best holds the claim's words, when it holds clearly more
    of them than the cited ones and at least :data:`RECITE_MIN_OVERLAP`: small models often copy
    the marker of the prompt's example or of a neighbour, while the words come from the right one.
    Ties go to the earlier shown sentence: articles are shown best match first, each in its own
    order, where a story states its news first.

    Example:
        >>> from index.types import Sentence
        >>> hits = [Hit(Sentence("a", i, 0, 1, t), 1.0) for i, t in enumerate(["The BLA claimed 280.", "Women join."])]
        >>> recite_candidate(Claim("The BLA claimed 280.", (2,)), hits)
        1
    """
    words = set(tokenize(claim.text))  # once, not once per shown sentence

    def held(sentence: str) -> float:
        return len(words & set(tokenize(sentence))) / len(words) if words else 0.0

    cited = max((held(hits[n - 1].sentence.text) for n in claim.shown(len(hits))), default=0.0)
    scored = [(held(h.sentence.text), n) for n, h in enumerate(hits, 1) if n not in claim.markers]
    best, n = max(scored, key=lambda scored_n: (scored_n[0], -scored_n[1]), default=(0.0, 0))
    return n if best >= RECITE_MIN_OVERLAP and best > cited else None


def verify(sentences: Sequence[Claim], hits: Sequence[Hit], judge: Judge, threshold: float,
           recite: bool = True, window_threshold: float | None = None, question: str | None = None,
           answer_threshold: float | None = None, sharpen: bool = False, pairs: bool = True,
           corroborate: bool = False) -> VerifiedDraft:  # fmt: skip
    """Keep the sentences whose cited hits (``[n]`` -> ``hits[n-1]``) support them; with
    ``recite``, a sentence whose words are held clearly better by another shown sentence
    (:func:`recite_candidate`) is judged on that one first and cites it if the judge accepts it (the
    small model often numbers a neighbour: one judge call instead of two), else on what it cites;
    with ``window_threshold``, a last try on its first cited sentence (else that alternative) read
    in its window (:func:`window_evidence`), kept at that threshold and citing that one sentence:
    the model read the window, while the alternative only shares words (often with another story);
    with ``question`` and ``answer_threshold`` (and a judge that :meth:`~AnswerJudge.answers`), the
    same window is then asked whether it shows the sentence answers the question. With ``pairs``, a
    sentence still unsupported is judged once more against the two shown sentences of one article
    that together hold it (:func:`~assistant.citation_choice.covering_pair`), citing both when
    accepted. With ``question``, a sentence that only repeats a wh-question's words (:func:`restates`) is dropped unjudged. With
    ``question`` and ``sharpen``, each kept sentence then moves to the shown sentence that states its
    answer (:func:`~assistant.citation_choice.sharper_citation`) when the judge accepts that one alone
    (:func:`cite_stating_sentence`). With ``question`` and ``corroborate``, the first kept sentence with a
    shown sentence of another article stating its answer also cites that one when the judge accepts it
    (:func:`corroborate_claim`; one judge call a draft at most, and the claim's support becomes the
    lower of the two). With ``question`` and ``answer_threshold``, a sentence that is only a bare
    answer (:func:`~assistant.citation_choice.bare_answer`, "Rafael Nadal.") is judged only as an
    answer to the question, read in a window (:func:`_bare_in_window`), and kept there or dropped."""
    judge = asked_once(judge)
    bare_route = bool(question) and answer_threshold is not None and isinstance(judge, AnswerJudge)
    kept: list[Claim] = []
    dropped: list[tuple[Claim, str]] = []
    recited: list[tuple[Claim, tuple[int, ...]]] = []
    windowed: list[Claim] = []
    answered: list[Claim] = []
    joined: list[Claim] = []
    for sentence in sentences:
        if restates(sentence.text, question):
            dropped.append((replace(sentence, support=0.0), "restates the question"))
            continue
        other = recite_candidate(sentence, hits) if recite else None
        cited = [hits[n - 1] for n in sentence.shown(len(hits))]
        if bare_route and bare_answer(sentence.text, question):  # "Japan [2].": only the answer judge can tell
            answer, best = _bare_in_window(sentence, hits, cast(AnswerJudge, judge), cast(str, question),
                                           cast(float, answer_threshold), other)  # fmt: skip
            if answer is None:
                dropped.append((replace(sentence, support=best), "does not answer the question" if cited else "no citation"))
                continue
            kept.append(answer)
            windowed.append(answer)
            answered.append(answer)
            if answer.markers[0] not in sentence.markers:
                recited.append((answer, sentence.markers))
            continue
        if other is not None:  # judged first: it holds clearly more of the sentence's words than its citation
            moved = judge.support(sentence.text, [evidence_text(hits[other - 1])])
            if moved >= threshold:
                claim = replace(sentence, markers=(other,), support=moved)
                kept.append(claim)
                recited.append((claim, sentence.markers))
                continue
        score = judge.support(sentence.text, [evidence_text(h) for h in cited]) if cited else 0.0
        if score >= threshold:
            kept.append(replace(sentence, support=score))
            continue
        in_window, as_answer = _read_in_window(sentence, hits, judge, window_threshold, other, question, answer_threshold)
        if in_window is not None:
            kept.append(in_window)
            windowed.append(in_window)
            if as_answer:
                answered.append(in_window)
            if in_window.markers[0] not in sentence.markers:
                recited.append((in_window, sentence.markers))
            continue
        joint = _read_jointly(sentence, hits, judge, threshold, question) if pairs else None
        if joint is not None:
            kept.append(joint)
            joined.append(joint)
            continue
        if not cited:
            dropped.append((replace(sentence, support=0.0), "no citation"))
            continue
        log.info("dropping unsupported sentence (%.2f < %.2f): %s", score, threshold, sentence.text)
        dropped.append((replace(sentence, support=score), "unsupported"))
    sharper: list[tuple[Claim, tuple[int, ...]]] = []
    if sharpen and question:
        for i, claim in enumerate(kept):
            if bare_route and bare_answer(claim.text, question):  # already read where it is stated
                continue
            better = cite_stating_sentence(claim, hits, judge, question, threshold, answer_threshold)
            if better is not None:
                kept[i] = better
                sharper.append((better, claim.markers))
    corroborated: dict[Claim, Claim] = {}  # kept claim -> the same citing another outlet too
    if corroborate and question:
        for claim in kept:
            n = corroborating_citation(claim, hits, question)
            if n is None:
                continue
            bare = bare_route and bare_answer(claim.text, question)
            both = corroborate_claim(claim, n, hits, judge, question, threshold, window_threshold,
                                     answer_threshold if bare else None)  # fmt: skip
            if both is not None:
                corroborated[claim] = both
            break  # one judge call a draft

    def final(c: Claim) -> Claim:
        return corroborated.get(c, c)

    # a claim sharpened since is no longer in ``kept``: how it was kept no longer applies
    return VerifiedDraft(kept=tuple(map(final, kept)), dropped=tuple(dropped),
                         recited=tuple((final(c), old) for c, old in recited if c in kept),
                         windowed=tuple(final(c) for c in windowed if c in kept),
                         answered=tuple(final(c) for c in answered if c in kept),
                         sharpened=tuple((final(c), old) for c, old in sharper if c in kept),
                         joined=tuple(final(c) for c in joined if c in kept),
                         corroborated=tuple(corroborated.values()))  # fmt: skip


def corroborate_claim(claim: Claim, n: int, hits: Sequence[Hit], judge: Judge, question: str, threshold: float,
                      window_threshold: float | None, answer_threshold: float | None = None) -> Claim | None:  # fmt: skip
    """``claim`` citing shown sentence ``n`` (another article's, :func:`corroborating_citation`) after
    its own, when the judge accepts ``n`` read in its window (the article's title and date say which
    event it reports) at ``window_threshold``, else alone at ``threshold``; with ``answer_threshold``
    (a bare answer, "Nicole [2]."), when that window shows it answers ``question``. One judge call."""
    window = window_evidence(hits, n)
    if not numbers_held(claim.text, window):
        return None
    if answer_threshold is not None and isinstance(judge, AnswerJudge):
        score, needed = judge.answers(question, claim.text, window), answer_threshold
    elif window_threshold is not None:
        score, needed = judge.support(claim.text, window), window_threshold
    else:
        score, needed = judge.support(claim.text, [evidence_text(hits[n - 1])]), threshold
    if score < needed:
        return None
    log.info("also citing sentence %d of another article (support %.2f): %s", n, score, claim.text)
    support = score if claim.support is None else min(claim.support, score)  # every citation holds it
    return replace(claim, markers=(*claim.markers, n), support=support)


def cite_stating_sentence(claim: Claim, hits: Sequence[Hit], judge: Judge, question: str, threshold: float,
                          answer_threshold: float | None = None) -> Claim | None:  # fmt: skip
    """``claim`` citing only the shown sentence that states its answer
    (:func:`~assistant.citation_choice.sharper_citation`), when the judge accepts that sentence
    alone at ``threshold`` or, with ``answer_threshold``, judges it (read in its window) to show the
    claim answers ``question``; else ``None``: a moved citation is checked like any other."""
    n = sharper_citation(claim, hits, question)
    if n is None:
        return None
    score = judge.support(claim.text, [evidence_text(hits[n - 1])])
    if score < threshold:
        if answer_threshold is None or not isinstance(judge, AnswerJudge):
            return None
        score = judge.answers(question, claim.text, window_evidence(hits, n))
        if score < answer_threshold:
            return None
    log.info("citing sentence %d instead of %s (support %.2f): %s", n, claim.markers, score, claim.text)
    return replace(claim, markers=(n,), support=score)


def _bare_in_window(claim: Claim, hits: Sequence[Hit], judge: AnswerJudge, question: str, threshold: float,
                    other: int | None) -> tuple[Claim | None, float]:  # fmt: skip
    """A bare answer (:func:`~assistant.citation_choice.bare_answer`, "Japan [2].") asserts little more
    than that a name is in the evidence, so the claim judge is not asked (it took 2-4 calls to end
    on the same question-aware check): it is judged as an answer to ``question``, read in the window
    of the shown sentence that states it in the question's terms, else the one holding its words
    (``other``), else its cited one; at most two windows. Returns it (else ``None``) citing the first
    window that passes ``threshold``: its sentence and the window's sentences that say the answer
    (:func:`~assistant.evidence_window.window_sayers`), only those when its sentence does not
    ("Minneapolis CNN Business —" before the sentence with the figure); and the best score seen."""
    cited = next(iter(claim.shown(len(hits))), None)
    targets = [n for n in (sharper_citation(claim, hits, question), other, cited) if n is not None]
    best = 0.0
    for n in list(dict.fromkeys(targets))[:BARE_WINDOWS]:
        window = window_evidence(hits, n)
        if not numbers_held(claim.text, window):
            continue
        score = judge.answers(question, claim.text, window)
        if score >= threshold:
            sayers = window_sayers(claim, hits, n, question)
            own = says_answer(claim, hits[n - 1].sentence.text, question) or not sayers
            return replace(claim, markers=(n, *sayers) if own else tuple(sayers), support=score), score
        best = max(best, score)
    return None, best


def _read_jointly(claim: Claim, hits: Sequence[Hit], judge: Judge, threshold: float,
                  question: str | None) -> Claim | None:  # fmt: skip
    """``claim`` citing the two shown sentences of one article that together hold it
    (:func:`~assistant.citation_choice.covering_pair`), when the judge accepts them read together."""
    pair = covering_pair(claim, hits, question)
    if pair is None:
        return None
    score = judge.support(claim.text, [evidence_text(hits[n - 1]) for n in pair])
    return replace(claim, markers=pair, support=score) if score >= threshold else None


def _read_in_window(claim: Claim, hits: Sequence[Hit], judge: Judge, threshold: float | None, other: int | None,
                    question: str | None = None, answer_threshold: float | None = None) -> tuple[Claim | None, bool]:  # fmt: skip
    """``claim`` citing only its first cited sentence (else ``other``), when that sentence read in
    its window holds the claim's figures and the judge accepts it at ``threshold``, else (with a
    ``question``) judges it an answer to the question at ``answer_threshold``; and whether the
    answer judge was what kept it."""
    target = next(iter(claim.shown(len(hits))), other)
    if threshold is None or target is None:
        return None, False
    window = window_evidence(hits, target)
    if not numbers_held(claim.text, window):
        return None, False
    read = judge.support(claim.text, window)
    if read >= threshold:
        return replace(claim, markers=(target, *window_sayers(claim, hits, target, question)), support=read), False
    if question is None or answer_threshold is None or not isinstance(judge, AnswerJudge):
        return None, False
    right = judge.answers(question, claim.text, window)
    if right < answer_threshold:
        return None, False
    return replace(claim, markers=(target, *window_sayers(claim, hits, target, question)), support=right), True


class Verifier:
    """Checks a parsed draft: with a judge, each sentence against the evidence it cites; without
    one, only that it cites something. Returns the claims to show and a note per removed sentence.

    Example:
        >>> from assistant.types import Sentence
        >>> hits = [Hit(Sentence("a", 0, 0, 9, "It is so."), 1.0)]
        >>> Verifier(None).check([Claim("So [1].", (1,)), Claim("Uncited.")], hits)
        ([Claim(text='So [1].', markers=(1,), support=None)], ['Removed a sentence with no citation: Uncited.'])
    """

    def __init__(self, judge: Judge | None, threshold: float = 0.65, window_threshold: float | None = None,
                 answer_threshold: float | None = None, sharpen: bool = False, pairs: bool = True,
                 corroborate: bool = False) -> None:  # fmt: skip
        self.judge = judge
        self.threshold = threshold
        self.window_threshold = window_threshold
        self.answer_threshold = answer_threshold
        self.sharpen = sharpen
        self.pairs = pairs
        self.corroborate = corroborate

    def check(self, sentences: Sequence[Claim], hits: Sequence[Hit],
              question: str | None = None) -> tuple[list[Claim], list[str]]:  # fmt: skip
        if self.judge is None:
            return ([s for s in sentences if s.markers],
                    [f"Removed a sentence with no citation: {s.text}" for s in sentences if not s.markers])  # fmt: skip
        verified = verify(sentences, hits, self.judge, self.threshold, window_threshold=self.window_threshold,
                          question=question, answer_threshold=self.answer_threshold, sharpen=self.sharpen,
                          pairs=self.pairs, corroborate=self.corroborate)  # fmt: skip
        claims = [replace(c, support=round(c.support or 0.0, 3)) for c in verified.kept]
        notes = [f"Removed a sentence ({reason}, support {c.support:.2f}): {c.text}" for c, reason in verified.dropped]
        notes += [f"The model {'cited another sentence for' if old else 'gave no citation for'} \"{c.text}\"; "
                  f"it now cites the retrieved sentence that says it (support {c.support:.2f})."
                  for c, old in verified.recited]  # fmt: skip
        notes += [f"\"{c.text}\" is {'shown to answer the question' if c in verified.answered else 'supported'} by "
                  f"its cited sentence read with the article's title and the sentences next to it "
                  f"(support {c.support:.2f})." for c in verified.windowed]  # fmt: skip
        notes += [f"\"{c.text}\" is supported by two sentences of one article read together, neither of which "
                  f"says all of it (support {c.support:.2f})." for c in verified.joined]  # fmt: skip
        notes += [f"\"{c.text}\" now cites the retrieved sentence that states its answer in the question's terms "
                  f"(support {c.support:.2f})." for c, _ in verified.sharpened]  # fmt: skip
        notes += [f"\"{c.text}\" is stated by another article too, which it also cites." for c in verified.corroborated]
        return claims, notes
