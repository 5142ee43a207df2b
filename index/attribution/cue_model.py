"""A learned cue decision: is this verb, with this subject, reporting what someone said?

The rules in :mod:`index.attribution.parse` propose cues from a lexicon; verbs of the long
tail ("lashed out", "took aim", "pointed out") and lexicon verbs used in a non-reporting
sense ("saw a rise", "called the meeting") are decided here by a logistic model over sparse
parse features (lemma, dependents, subject type, whether the rules fired).  Its weights are
a plain JSON file, learned by ``python -m bench.train_cues`` on the PolNeAR *train* split
(the articles themselves are not in it: only feature names such as ``l=blast`` and weights).

Example:
    >>> model = CueModel({"b": -1.0, "l=say": 3.0}, threshold=0.5)
    >>> round(model.probability(["b", "l=say"]), 3)
    0.881
    >>> model.accepts(["b"])
    False
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from spacy.tokens import Token

from index.attribution.cues import ANON_HEADS, EXTRA_CUES, STANCE_CUES, STRONG_CUES, WEAK_CUES
from index.attribution.spans import quote_tokens
from index.errors import ModelUnavailableError

WEIGHTS_PATH = Path(__file__).with_name("cue_model.json")
_CLOSE_QUOTES = frozenset({"”", '"', "''"})
_KEY_DEPS = ("ccomp", "xcomp", "dobj", "prep", "prt", "dative", "advcl", "agent", "neg")


def _lexicon_class(lemma: str) -> str:
    for name, words in (
        ("strong", STRONG_CUES),
        ("weak", WEAK_CUES),
        ("stance", STANCE_CUES),
        ("extra", EXTRA_CUES),
    ):
        if lemma in words:
            return name
    return "none"


def _subject_kind(subj: Token) -> str:
    if subj.pos_ == "PRON":
        return "pron:" + subj.lower_
    if subj.ent_type_:
        return "ent:" + subj.ent_type_
    if subj.lemma_.lower() in ANON_HEADS:
        return "anon"
    return "pos:" + subj.pos_


def verb_features(verb: Token, subj: Token, passive: bool, rule: bool) -> list[str]:
    """Sparse feature names for one verb token and its subject (``rule``: the lexicon fired)."""
    lemma = verb.lemma_.lower()
    doc = verb.doc
    children = list(verb.children)
    deps = {c.dep_ for c in children}
    kind = _subject_kind(subj)
    lex = _lexicon_class(lemma)
    quote = bool(quote_tokens(doc))
    left = verb.left_edge.i
    after_comma = left > 0 and doc[left - 1].text in {",", "”", '"', "—"}
    feats = [
        "b",
        f"l={lemma}",
        f"r={rule}",
        f"l={lemma}|r={rule}",
        f"lex={lex}|r={rule}",
        f"d={verb.dep_}",
        f"l={lemma}|d={verb.dep_}",
        f"t={verb.tag_}",
        f"s={kind}",
        f"l={lemma}|s={kind.split(':')[0]}",
        f"lex={lex}|s={kind}",
        f"q={quote}",
        f"lex={lex}|q={quote}",
        f"pass={passive}",
        f"inv={after_comma and verb.head.i < verb.i}",
        f"h={verb.head.lemma_.lower() if verb.dep_ != 'ROOT' else '-'}",
        f"l={lemma}|t={verb.tag_}",
        f"s={kind}|r={rule}",
        f"after_quote={left > 0 and doc[left - 1].text in _CLOSE_QUOTES}",
        f"l={lemma}|inv={after_comma}",
    ]
    if subj.pos_ == "NOUN":
        feats.append(f"sl={subj.lemma_.lower()}")
    for dep in deps:
        feats.append(f"c={dep}")
        if dep in _KEY_DEPS:
            feats.append(f"l={lemma}|c={dep}")
            feats.append(f"lex={lex}|c={dep}")
    for child in children:
        if child.dep_ in {"prt", "prep"}:
            feats.append(f"l={lemma}|{child.dep_}={child.lower_}")
        if child.dep_ == "ccomp":
            feats.append(f"ccomp={child.pos_}")
            feats += [f"ccomp_mark={g.lower_}" for g in child.children if g.dep_ == "mark"]
        if child.dep_ == "dobj":
            feats.append(f"l={lemma}|o={child.lemma_.lower()}")
    return feats


class CueModel:
    """Logistic scorer over sparse features; ``accepts`` compares with the tuned threshold.

    Example:
        >>> CueModel({"b": 2.0}, threshold=0.5).accepts(["b", "unknown"])
        True
    """

    def __init__(self, weights: Mapping[str, float], threshold: float) -> None:
        self.weights = dict(weights)
        self.threshold = threshold

    def probability(self, features: Iterable[str]) -> float:
        z = sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def accepts(self, features: Iterable[str]) -> bool:
        return self.probability(features) >= self.threshold

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> CueModel:
        try:
            data = json.loads(path.read_text())
            return cls(data["weights"], float(data["threshold"]))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailableError(
                f"The cue model {path} is missing or damaged: reinstall the package "
                "or rebuild it with `python -m bench.train_cues`."
            ) from exc

    def save(self, path: Path, meta: Mapping[str, object]) -> None:
        weights = {k: round(v, 4) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-4}
        body = {"threshold": round(self.threshold, 4), "meta": dict(meta), "weights": weights}
        path.write_text(json.dumps(body, indent=0, sort_keys=False) + "\n")


@functools.lru_cache(maxsize=1)
def default_model() -> CueModel:
    """The shipped model (loaded once); raises ``ModelUnavailableError`` if its file is gone."""
    return CueModel.load()
