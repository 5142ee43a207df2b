"""Learn the verb-cue model (``index/attribution/cue_model.json``) on PolNeAR *train*, never dev.

Every verb with a subject outside quotations is one example; it is positive when the verb
lies in an annotated cue and its subject overlaps that attribution's source.  A logistic
regression over :func:`index.attribution.cue_model.verb_features` is fitted in ``--folds`` folds by
article; the out-of-fold models pick the threshold that maximises the real objective (source
overlap F1 of the whole extractor on train), then one model is fitted on all of train.

Run: ``python -m bench.train_cues [--shared PATH] [--cache DIR] [--out index/attribution/cue_model.json]``
(``--cache`` keeps the spaCy parses between runs: parsing train takes ~4 min on 2 cores).
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from assistant.offline import use_offline_env
from bench._polnear import GoldAttribution, load_articles, load_gold, shared_dir
from bench.attribution import Parsed, parse_articles, span_scores
from index.attribution import attributions_from_docs
from index.attribution.cue_model import WEIGHTS_PATH, CueModel, verb_features
from index.attribution.cues import quote_spans
from index.attribution.parse import verb_decisions
from index.attribution.spans import char_range, source_tokens
from index.types import Article, Sentence

use_offline_env()

def _overlaps(span: tuple[int, int] | None, pieces: Sequence[tuple[int, int]]) -> bool:
    return span is not None and any(span[0] < b and a < span[1] for a, b in pieces)


def examples(art: Article, sents: list[Sentence], docs: list[Doc], gold: list[GoldAttribution]) -> list:
    """``(features, label)`` for each verb with a subject outside quotations."""
    quotes = quote_spans(art.text)
    out = []
    for sent, doc in zip(sents, docs, strict=True):
        for tok, subj, passive, rule in verb_decisions(doc):
            at = sent.start + tok.idx
            if subj is None or any(a < at < b - 1 for a, b in quotes):
                continue
            src = char_range(source_tokens(subj))
            src = None if src is None else (sent.start + src[0], sent.start + src[1])
            label = any(
                g.source and any(a <= at < b for a, b in g.cue) and _overlaps(src, g.source) for g in gold
            )
            out.append((verb_features(tok, subj, passive, rule is not None), label))
    return out


def fit(rows: list, c: float, min_count: int = 3) -> CueModel:
    """L2 logistic regression over binary features seen ``min_count`` times or more;
    the intercept folds into feature ``b``."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for feats, _ in rows for f in set(feats))
    vec = DictVectorizer()
    keep = {f for f, n in counts.items() if n >= min_count} | {"b"}  # the bias always stays
    x = vec.fit_transform([{f: 1 for f in feats if f in keep} for feats, _ in rows])
    y = np.array([lab for _, lab in rows], dtype=int)
    clf = LogisticRegression(C=c, max_iter=3000)
    clf.fit(x, y)
    weights = dict(zip(vec.get_feature_names_out(), clf.coef_[0].tolist(), strict=True))
    weights["b"] = weights.get("b", 0.0) + float(clf.intercept_[0])
    return CueModel(weights, threshold=0.5)


def source_f1(parsed: Parsed, gold: dict, models: list[CueModel | None], fold_of: dict[str, int]) -> dict:
    attrs = {
        art.id: attributions_from_docs(art, sents, docs, models[fold_of[art.id]])
        for art, sents, docs in parsed
    }
    return span_scores(attrs, gold)["source_overlap"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared", default=None, help="shared dir (default $SOURCED_SHARED_DIR or ../shared)"
    )
    parser.add_argument("--cache", type=Path, default=None, help="keep spaCy parses here")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--C", type=float, default=0.3, help="inverse L2 strength")
    parser.add_argument("--min-count", type=int, default=3, help="drop rarer features")
    parser.add_argument("--thresholds", type=float, nargs="*", default=[0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6])
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    shared = shared_dir(args.shared)
    t0 = time.perf_counter()
    parsed = parse_articles(load_articles(shared, "train"), args.cache / "train.spacy" if args.cache else None)
    gold = load_gold(shared, "train")
    print(f"parsed {len(parsed)} train articles in {time.perf_counter() - t0:.0f} s")

    per_art = {art.id: examples(art, sents, docs, gold.get(art.id, [])) for art, sents, docs in parsed}
    n_pos = sum(lab for rows in per_art.values() for _, lab in rows)
    n_all = sum(len(rows) for rows in per_art.values())
    print(f"{n_all} verb examples, {n_pos} positive")
    ids = sorted(per_art)
    fold_of = {a: i % args.folds for i, a in enumerate(ids)}
    models: list[CueModel | None] = []
    for k in range(args.folds):
        rows = [r for a in ids if fold_of[a] != k for r in per_art[a]]
        models.append(fit(rows, args.C, args.min_count))
    rules = source_f1(parsed, gold, [None] * args.folds, fold_of)
    print(f"rules only: P {rules['p']} R {rules['r']} F1 {rules['f1']}")
    best = (rules["f1"], -1.0)
    for t in args.thresholds:
        for m in models:
            assert m is not None
            m.threshold = t
        sc = source_f1(parsed, gold, models, fold_of)
        print(f"threshold {t:.2f} (out of fold): P {sc['p']} R {sc['r']} F1 {sc['f1']}")
        best = max(best, (sc["f1"], t))
    if best[1] < 0:
        raise SystemExit("the model does not beat the rules out of fold; nothing saved")
    final = fit([r for a in ids for r in per_art[a]], args.C, args.min_count)
    final.threshold = best[1]
    meta = {
        "trained_on": "PolNeAR train (840 articles)",
        "examples": n_all,
        "positives": n_pos,
        "C": args.C,
        "min_count": args.min_count,
        "oof_source_f1": best[0],
        "rules_source_f1": rules["f1"],
    }
    final.save(args.out, meta)
    print(f"saved {args.out} (threshold {best[1]}, {len(final.weights)} weights)")


if __name__ == "__main__":
    main()
