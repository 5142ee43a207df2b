"""Learn the coreference ranker (``index/attribution/coref_rank.json``) on PolNeAR *train*, never dev.

PolNeAR marks sources but not what a ``he`` stands for, so a named source that was mentioned
before stands in for a pronoun: its name hidden, the people in reach whose gender does not clash
are the candidates and the named person is the answer (``Coref.note_named``). A conditional logit
over :data:`index.attribution.coref_rank.FEATURES` is fitted; two-fold cross-validation by article
reports how often it and the rules alone pick the right person.

Run: ``python -m bench.train_coref [--shared PATH] [--cache DIR] [--out index/attribution/coref_rank.json]``
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from assistant.offline import use_offline_env
from bench._polnear import load_articles, shared_dir
from bench.attribution import parse_articles
from index.attribution import attributions_from_docs
from index.attribution.coref_rank import WEIGHTS_PATH, CandidateRanker, fit_softmax

use_offline_env()
Group = tuple[list[dict[str, float]], int]


def accuracy(groups: Sequence[Group], ranker: CandidateRanker | None) -> float:
    """Share of groups where the ranker (``None``: the rules' choice) picks the right person."""
    if not groups:
        return 0.0
    right = 0
    for cands, gold in groups:
        pick = ranker.pick(cands) if ranker else max(range(len(cands)), key=lambda j: cands[j]["rules"])
        right += pick == gold
    return round(100 * right / len(groups), 1)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=None)
    parser.add_argument("--cache", type=Path, default=None, help="keep spaCy parses here")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--l2", type=float, default=0.05)
    parser.add_argument("--limit", type=int, default=0, help="first N train articles only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    articles = load_articles(shared_dir(args.shared), "train")
    articles = articles[: args.limit] if args.limit else articles
    parsed = parse_articles(articles, args.cache / "polnear-train.spacy" if args.cache else None)
    by_article: list[list[Group]] = []
    for art, sents, docs in parsed:
        record: list = []
        attributions_from_docs(art, sents, docs, record=record)
        by_article.append(record)
    folds = [[g for i, r in enumerate(by_article) if i % 2 == k for g in r] for k in (0, 1)]
    for k in (0, 1):
        model = fit_softmax(folds[1 - k], l2=args.l2)
        print(f"fold {k}: {len(folds[k])} groups, rules {accuracy(folds[k], None)}%, ranker {accuracy(folds[k], model)}%")
    ranker = fit_softmax(folds[0] + folds[1], l2=args.l2)
    print("weights:", dict(ranker.weights))
    args.out.write_text(ranker.to_json() + "\n")


if __name__ == "__main__":
    main()
