"""Per-item scores, failure kinds, and their aggregation overall and per tag.

Built on the pure rules in :mod:`evaluation.metrics`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant import Answer, Judge
from evaluation.gold import GoldItem
from evaluation.metrics import (
    answer_correct,
    citation_correct,
    percentile,
    retrieval_recall,
    supported_claim_rate,
)

CORRECT = "correct"
WRONG_ANSWER = "wrong_answer"
WRONG_CITATION = "right_answer_wrong_citation"
NO_CITATION = "right_answer_no_citation"
MISSED_REFUSAL = "missed_refusal"
FALSE_REFUSAL = "false_refusal"
ERROR = "error"
FAILURE_KINDS = (CORRECT, WRONG_ANSWER, WRONG_CITATION, NO_CITATION, MISSED_REFUSAL,
                 FALSE_REFUSAL, ERROR)
RECALL_KS = (1, 3, 5)


@dataclass(frozen=True)
class ItemScore:
    """Scores of one gold item. ``None`` means "does not apply" (e.g. citations of a refusal).

    Example:
        >>> ItemScore(id="q1", tags=(), answerable=True, refused=False, failure="correct").failure
        'correct'
    """

    id: str
    tags: tuple[str, ...]
    answerable: bool
    refused: bool
    failure: str
    answer_correct: bool | None = None
    n_citations: int = 0
    n_correct_citations: int | None = None
    cited_correctly: bool | None = None
    answer_cited: bool | None = None  # right answer, and its cited sentences state it
    recall_at: Mapping[int, float | None] = field(default_factory=dict)
    supported_claims: float | None = None
    seconds: float | None = None
    error: str | None = None


def failure_kind(item: GoldItem, refused: bool, correct: bool, n_cited: int,
                 cited_ok: bool | None) -> str:
    """Classify one outcome (see ``FAILURE_KINDS``).

    Example:
        >>> g = GoldItem(id="q", question="?", answers=["A"])
        >>> failure_kind(g, refused=False, correct=True, n_cited=0, cited_ok=None)
        'right_answer_no_citation'
    """
    if not item.answerable:
        return CORRECT if refused else MISSED_REFUSAL
    if refused:
        return FALSE_REFUSAL
    if not correct:
        return WRONG_ANSWER
    if n_cited == 0:
        return NO_CITATION
    return WRONG_CITATION if cited_ok is False else CORRECT


def answer_in_citations(answer: Answer, answers: Sequence[str]) -> bool:
    """Whether the answer's cited sentences, read together, state one of the gold ``answers``
    (the answer-correctness rule applied to the citations instead of the response).

    The gold sentence of a quiz question is often located by rule, and another sentence of the
    same story can state the answer as well; this asks only whether the reader, following the
    citations, finds the answer there.

    Example:
        >>> from assistant import Citation
        >>> c = Citation(n=1, article_id="a", title="", sentence="Asif said it.", start=0, end=13, score=1.0)
        >>> answer_in_citations(Answer(text="Asif [1].", refused=False, citations=(c,)), ["Khawaja Asif"])
        True
    """
    return answer_correct(" ".join(c.sentence for c in answer.citations), answers)


def score_item(item: GoldItem, answer: Answer | None, *, seconds: float | None = None,
               judge: Judge | None = None, error: str | None = None,
               ks: Sequence[int] = RECALL_KS) -> ItemScore:
    """Score one answer against its gold item (``answer=None`` with ``error`` for a crash).

    Example:
        >>> g = GoldItem(id="q", question="Who?", answers=["Asif"])
        >>> score_item(g, Answer(text="Asif said it.", refused=False)).failure
        'right_answer_no_citation'
    """
    tags = tuple(item.tags)
    if answer is None:
        checkable = item.answerable and bool(item.evidence)
        return ItemScore(item.id, tags, item.answerable, refused=False, failure=ERROR,
                         answer_correct=False if item.answerable else None,
                         n_correct_citations=0 if checkable else None,
                         cited_correctly=False if checkable else None,
                         answer_cited=False if item.answerable else None,
                         seconds=seconds, error=error or "no answer")
    refused = bool(answer.refused)
    correct = (not refused) and answer_correct(answer.text, item.answers)
    n_cited = 0 if refused else len(answer.citations)
    n_ok: int | None = None
    cited_ok: bool | None = None
    if item.answerable and item.evidence:  # a refusal counts as no correct citation
        n_ok = 0 if refused else sum(citation_correct(c, item.evidence) for c in answer.citations)
        cited_ok = n_ok > 0
    held = correct and bool(answer.citations) and answer_in_citations(answer, item.answers)
    recall = {k: retrieval_recall(answer.retrieved, item.evidence, k) for k in ks}
    supported = None if refused else supported_claim_rate(answer.text, answer.citations, judge)
    return ItemScore(
        id=item.id, tags=tags, answerable=item.answerable, refused=refused,
        failure=failure_kind(item, refused, correct, n_cited, cited_ok),
        answer_correct=correct if item.answerable else None,
        n_citations=n_cited, n_correct_citations=n_ok, cited_correctly=cited_ok,
        answer_cited=held if item.answerable else None,
        recall_at=recall if item.answerable else {}, supported_claims=supported,
        seconds=seconds, error=error,
    )


@dataclass(frozen=True)
class Summary:
    """Aggregate metrics over a set of item scores; rates are in 0..1, None when undefined.

    Example:
        >>> summarise([]).n
        0
    """

    n: int
    answerable: int
    unanswerable: int
    accuracy: float | None  # share of all items whose failure kind is "correct"
    answer_accuracy: float | None  # answerable items answered correctly
    citation_precision: float | None
    citation_recall: float | None
    answer_cited_rate: float | None  # answerable items answered right with a cited sentence stating it
    recall_at: Mapping[int, float | None]
    correct_refusal_rate: float | None
    missed_refusal_rate: float | None
    false_refusal_rate: float | None
    supported_claim_rate: float | None
    latency_p50: float | None
    latency_p95: float | None
    errors: int
    failures: Mapping[str, int]

    def as_dict(self) -> dict[str, Any]:
        """Flat, JSON-ready mapping in table order (recall@k and failure counts spelled out)."""
        out: dict[str, Any] = {
            "n": self.n, "answerable": self.answerable, "unanswerable": self.unanswerable,
            "accuracy": self.accuracy, "answer_accuracy": self.answer_accuracy,
            "citation_precision": self.citation_precision,
            "citation_recall": self.citation_recall,
            "answer_cited_rate": self.answer_cited_rate,
        }
        out.update({f"recall@{k}": v for k, v in self.recall_at.items()})
        out.update({
            "correct_refusal_rate": self.correct_refusal_rate,
            "missed_refusal_rate": self.missed_refusal_rate,
            "false_refusal_rate": self.false_refusal_rate,
            "supported_claim_rate": self.supported_claim_rate,
            "latency_p50_s": self.latency_p50, "latency_p95_s": self.latency_p95,
            "errors": self.errors,
        })
        out.update({f"failures.{kind}": count for kind, count in self.failures.items()})
        return out


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def summarise(scores: Sequence[ItemScore], ks: Sequence[int] = RECALL_KS) -> Summary:
    """Aggregate item scores.

    Citation precision pools the citations of answerable items with evidence; citation recall
    is the share of those items with at least one correct citation (refusals count as none). The
    answer-cited rate is the share of answerable items answered right whose cited sentences state
    a gold answer themselves (no gold sentence needed: see :func:`answer_in_citations`).

    Example:
        >>> s = ItemScore("q", (), answerable=False, refused=True, failure="correct")
        >>> summarise([s]).correct_refusal_rate
        1.0
    """
    ans = [s for s in scores if s.answerable]
    unans = [s for s in scores if not s.answerable]
    checked = [s for s in ans if s.n_correct_citations is not None]
    n_cit = sum(s.n_citations for s in checked)
    n_ok = sum(s.n_correct_citations or 0 for s in checked)
    recall_at = {k: _mean([v for s in ans if (v := s.recall_at.get(k)) is not None]) for k in ks}
    latencies = [s.seconds for s in scores if s.seconds is not None and s.failure != ERROR]
    correct_refusals = _share([s.refused for s in unans])
    counts = Counter(s.failure for s in scores)
    return Summary(
        n=len(scores), answerable=len(ans), unanswerable=len(unans),
        accuracy=_share([s.failure == CORRECT for s in scores]),
        answer_accuracy=_share([bool(s.answer_correct) for s in ans]),
        citation_precision=n_ok / n_cit if n_cit else None,
        citation_recall=_share([bool(s.cited_correctly) for s in checked]),
        answer_cited_rate=_share([bool(s.answer_cited) for s in ans]),
        recall_at=recall_at,
        correct_refusal_rate=correct_refusals,
        missed_refusal_rate=None if correct_refusals is None else 1 - correct_refusals,
        false_refusal_rate=_share([s.refused for s in ans]),
        supported_claim_rate=_mean([s.supported_claims for s in scores
                                    if s.supported_claims is not None]),
        latency_p50=percentile(latencies, 50), latency_p95=percentile(latencies, 95),
        errors=counts.get(ERROR, 0),
        failures={kind: counts.get(kind, 0) for kind in FAILURE_KINDS},
    )


def summarise_by_tag(scores: Sequence[ItemScore]) -> dict[str, Summary]:
    """One summary per tag (items without tags go under ``"(untagged)"``), tags sorted.

    Example:
        >>> s = ItemScore("q", ("clean",), answerable=False, refused=True, failure="correct")
        >>> list(summarise_by_tag([s]))
        ['clean']
    """
    groups: dict[str, list[ItemScore]] = {}
    for s in scores:
        for tag in s.tags or ("(untagged)",):
            groups.setdefault(tag, []).append(s)
    return {tag: summarise(groups[tag]) for tag in sorted(groups)}
