"""A learned ranker for the people a ``he`` / ``she`` / ``the coach`` source may stand for.

The rules of :mod:`index.attribution.coref` pick one person; where they are unsure (two or more
people of the right gender are in reach) each candidate is described by a few numbers (how far
back it was last mentioned, whether as a subject, whether it is the speaker of the passage, how
often it was mentioned or quoted, whether its gender is known, whether the rules chose it, the
quote-paragraph convention) and a linear model scores them: the highest score wins.

The weights are learned on PolNeAR *train* only (``bench/train_coref.py``): a named source
that was mentioned before stands in for a pronoun (its name hidden, the people in reach of the
same gender are the candidates, the named person is the answer). The shipped weights come from
the first 300 train articles (949 groups; held-out fold accuracy 68.4 / 68.8% against the rules'
65.8 / 67.7%). On the who-said benches it does not help (GGT dev pronoun speakers 64.4% against
66.7% for the rules, PolNeAR dev unchanged), so the extractor uses the rules alone unless a ranker
is passed in (``attributions_from_docs(..., ranker=default_ranker())``); ``bench-attribution``
reports both side by side.

Example:
    >>> r = CandidateRanker({"subject": 1.0, "dist": -1.0})
    >>> r.pick([{"subject": 1.0, "dist": 0.5}, {"subject": 0.0, "dist": 0.1}])
    0
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

WEIGHTS_PATH = Path(__file__).with_name("coref_rank.json")

FEATURES = (
    "dist",  # sentences since the last mention outside quotations, /8
    "same_sentence",
    "prev_sentence",
    "para_dist",  # paragraphs since that mention, capped at 3, /3
    "subject",  # that mention was a subject
    "gender_known",  # the article shows the person's gender (and it agrees)
    "passage_speaker",  # the speaker of the last paragraphs
    "last_speaker",  # the latest speaker of the article
    "spoke",  # log(1 + times quoted so far)
    "mentions",  # log(1 + mentions so far)
    "first_person",  # the first person the article names
    "after_speaker",  # introduced as a subject after the latest quote
    "quote_para_speaker",  # the paragraph opens with a quotation mark and the person spoke last
    "rules",  # the rules' choice
)


@dataclass(frozen=True)
class CandidateRanker:
    """Linear scores over :data:`FEATURES`; ``pick`` returns the index of the best candidate.

    Example:
        >>> CandidateRanker({"rules": 2.0}).score({"rules": 1.0})
        2.0
    """

    weights: Mapping[str, float]

    def score(self, features: Mapping[str, float]) -> float:
        return sum(self.weights.get(k, 0.0) * v for k, v in features.items())

    def pick(self, candidates: Sequence[Mapping[str, float]]) -> int:
        scores = [self.score(f) for f in candidates]
        return max(range(len(scores)), key=scores.__getitem__)

    def to_json(self) -> str:
        return json.dumps({"features": list(FEATURES), "weights": dict(self.weights)}, indent=1)


def load_ranker(path: Path = WEIGHTS_PATH) -> CandidateRanker:
    """The ranker stored at ``path`` (features it does not know are ignored)."""
    data = json.loads(path.read_text())
    return CandidateRanker({k: float(v) for k, v in data["weights"].items() if k in FEATURES})


@functools.lru_cache(maxsize=1)
def default_ranker() -> CandidateRanker:
    """The shipped ranker (learned on PolNeAR train)."""
    return load_ranker()


def fit_softmax(
    groups: Sequence[tuple[Sequence[Mapping[str, float]], int]], l2: float = 0.1, steps: int = 300, lr: float = 0.5
) -> CandidateRanker:
    """Conditional-logit weights: each group is (candidates' features, index of the right one).

    Example:
        >>> g = [([{"subject": 1.0}, {"subject": 0.0}], 0)] * 5
        >>> fit_softmax(g).weights["subject"] > 0
        True
    """
    w = dict.fromkeys(FEATURES, 0.0)
    n = max(1, len(groups))
    for _ in range(steps):
        grad = dict.fromkeys(FEATURES, 0.0)
        for cands, gold in groups:
            scores = [sum(w[k] * f.get(k, 0.0) for k in FEATURES) for f in cands]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            for j, f in enumerate(cands):
                p = exps[j] / total - (1.0 if j == gold else 0.0)
                for k in FEATURES:
                    grad[k] += p * f.get(k, 0.0)
        for k in FEATURES:
            w[k] -= lr * (grad[k] / n + l2 * w[k])
    return CandidateRanker({k: round(v, 4) for k, v in w.items()})
