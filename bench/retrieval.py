"""Retrieval benchmark: where does the gold sentence rank under dense, BM25, fused and in-context
ranking, and how often do the old cut-off and the new answerability check refuse?

Sets (all dev data, read from ``--shared``): PolNeAR dev "who said" questions over the 84 dev
articles and over all 924 PolNeAR articles; news-QA dev (106 questions, 216 articles); the
repo's sample gold set. Recall@1/5/10 and MRR (over the first 10) of the gold sentence, side
by side, in one run. Refusals: answerable questions (false refusals) against unanswerable ones:
PolNeAR train questions asked of the dev articles, news-QA questions with their evidence
articles withheld (a filter), and the sample set's unanswerable items.

    python -m bench.retrieval --shared ../shared --out reports/bench-retrieval.json
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answerability import AnswerabilityCheck
from assistant.context_retrieval import ContextRetriever, Key, RankingConfig, sentence_keys
from assistant.fusion import Filters
from evaluation.gold import GoldItem, load_gold
from evaluation.metrics import span_matches
from index.hybrid import attach_context_indexes
from index.ingest import ingest
from index.store import SentenceStore

RANKINGS = ("dense", "bm25", "fused", "in-context")
OLD_CUTOFF = 0.60
DEPTH = 10


@dataclass
class Corpus:
    store: SentenceStore
    retriever: ContextRetriever
    check: AnswerabilityCheck


def open_corpus(name: str, paths: Sequence[Path], cache: Path, embedder: Any) -> Corpus:
    """A store of ``paths`` (no attribution extraction: retrieval only), cached under ``cache/name``."""
    directory = cache / name
    marker = directory / "built.json"
    store = SentenceStore(directory, embedder)
    indexes = attach_context_indexes(store)
    key = [str(p) for p in paths]
    if not marker.is_file() or json.loads(marker.read_text()) != key:
        started = time.perf_counter()
        print(f"indexing {name}: {ingest(store, list(paths), progress=True).summary()}", flush=True)
        store.flush()
        marker.write_text(json.dumps(key))
        print(f"  {time.perf_counter() - started:.0f}s", flush=True)
    retriever = ContextRetriever(store, indexes, RankingConfig(depth=50))
    return Corpus(store, retriever, AnswerabilityCheck(indexes.sentences.idf))


def gold_rank(keys: Sequence[Key], item: GoldItem, corpus: Corpus) -> int | None:
    """1-based rank of the first key whose sentence overlaps a gold evidence span."""
    for rank, (aid, index) in enumerate(keys[:DEPTH], start=1):
        s = corpus.store.sentences(aid, index, index)
        if s and any(span_matches(aid, s[0].start, s[0].end, s[0].text, ev) for ev in item.evidence):
            return rank
    return None


def measure(item: GoldItem, corpus: Corpus, filters: Filters | None = None) -> dict[str, Any]:
    """Ranks of the gold sentence under each ranking, and both refusal decisions."""
    r = corpus.retriever
    ranked = r.rankings(item.question, filters)
    fused = list(r.fuse({k: v for k, v in ranked.lists.items() if k in ("dense", "bm25")}))
    hits = r.retrieve(item.question, DEPTH, filters)
    ranks = {"dense": ranked.lists.get("dense", []), "bm25": ranked.lists.get("bm25", []), "fused": fused}
    out: dict[str, Any] = {name: gold_rank(keys, item, corpus) for name, keys in ranks.items()}
    grouped = [sentence_keys([h]) for h in hits]
    out["in-context"] = next((i for i, group in enumerate(grouped, start=1)
                              if any(gold_rank([k], item, corpus) for k in group)), None)  # fmt: skip
    verdict = corpus.check.check(item.question, hits)
    out["old_answers"] = ranked.best_cosine >= OLD_CUTOFF
    out["new_answers"] = verdict.answerable
    out["features"] = verdict.features
    return out


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name in RANKINGS:
        ranks = [row[name] for row in rows]
        table[name] = {f"recall@{k}": sum(1 for x in ranks if x and x <= k) / len(ranks) for k in (1, 5, 10)}
        table[name]["mrr"] = sum(1 / x for x in ranks if x) / len(ranks)
    return table


def refusal_rates(rows: list[dict[str, Any]], answerable: bool) -> dict[str, float]:
    key = "false_refusal" if answerable else "correct_refusal"
    return {f"old_{key}": sum(not r["old_answers"] for r in rows) / len(rows),
            f"new_{key}": sum(not r["new_answers"] for r in rows) / len(rows), "n": len(rows)}  # fmt: skip


def withheld(item: GoldItem, corpus: Corpus) -> Filters:
    """A filter that hides the articles holding the item's evidence (and copies of it)."""
    hidden = {ev.article_id for ev in item.evidence if ev.article_id}
    first = next((ev.text[:60] for ev in item.evidence if ev.article_id), "")
    infos = corpus.store.articles()
    if first:
        hidden |= {i.id for i in infos if first in corpus.store.article(i.id).text}
    return Filters(articles=tuple(sorted(i.id for i in infos if i.id not in hidden)))


def print_table(name: str, table: dict[str, Any]) -> None:
    print(f"\n{name}")
    print(f"  {'ranking':12s} {'R@1':>6s} {'R@5':>6s} {'R@10':>6s} {'MRR':>6s}")
    for ranking, row in table.items():
        print(f"  {ranking:12s} " + " ".join(f"{row[k]:6.1%}" for k in ("recall@1", "recall@5", "recall@10"))
              + f" {row['mrr']:6.3f}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from index.embed import MiniLMEmbedder

    shared, cache = args.shared, args.cache
    cache.mkdir(parents=True, exist_ok=True)
    embedder = MiniLMEmbedder()
    report: dict[str, Any] = {"ranking": {}, "refusal": {}, "features": {}}
    polnear_dev = load_gold(shared / "eval/polnear-who-said-dev.jsonl")
    sets = [
        ("sample gold", [Path("samples")], [g for g in load_gold(args.gold) if not g.history]),
        ("news-QA dev", [shared / "data/newsqa/articles-dev.jsonl"], load_gold(shared / "eval/newsqa-dev.jsonl")),
        ("PolNeAR dev / 84 dev articles", [shared / "data/polnear/articles-dev.jsonl"], polnear_dev),
        ("PolNeAR dev / all 924 articles", [shared / "data/polnear/articles-dev.jsonl",
                                            shared / "data/polnear/articles-train.jsonl"], polnear_dev),
        ("GGT who-said dev", [shared / "data/ggt/articles-dev.jsonl"], load_gold(shared / "eval/ggt-who-said-dev.jsonl")),
    ]  # fmt: skip
    for name, paths, items in sets:
        if args.only and not any(o.lower() in name.lower() for o in args.only):
            continue
        corpus = open_corpus(name.split()[0].lower() + str(len(paths)), paths, cache, embedder)
        started = time.perf_counter()
        answerable = [g for g in items if g.answerable]
        rows = [measure(g, corpus) for g in answerable[: args.limit]]
        report["ranking"][name] = summarise(rows)
        report["refusal"][f"{name}: answerable"] = refusal_rates(rows, True)
        report["features"][f"{name}: answerable"] = [r["features"] for r in rows]
        print_table(f"{name}: {len(rows)} answerable questions ({time.perf_counter() - started:.0f}s)",
                    report["ranking"][name])  # fmt: skip
        negatives: list[tuple[str, list[dict[str, Any]]]] = []
        if name.startswith("sample"):
            negatives.append(("unanswerable items", [measure(g, corpus) for g in items if not g.answerable]))
        if name.startswith("news-QA"):
            negatives.append(("evidence articles withheld", [measure(g, corpus, withheld(g, corpus))
                                                             for g in answerable[: args.limit]]))  # fmt: skip
        if name.startswith("PolNeAR dev / 84"):
            train = load_gold(shared / "eval/polnear-who-said-train.jsonl")
            random.Random(13).shuffle(train)
            negatives.append(("train questions (absent articles)", [measure(g, corpus) for g in train[: args.negatives]]))
        for label, neg in negatives:
            report["refusal"][f"{name}: {label}"] = refusal_rates(neg, False)
            report["features"][f"{name}: {label}"] = [r["features"] for r in neg]
        corpus.store.close()
    print("\nrefusals (old = best cosine >= 0.60; new = answerability check)")
    for label, row in report["refusal"].items():
        print(f"  {label:60s} " + "  ".join(f"{k} {v:.1%}" for k, v in row.items() if k != "n") + f"  (n={row['n']})")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--gold", type=Path, default=Path("eval/sample-gold.jsonl"))
    parser.add_argument("--cache", type=Path, default=Path("data/cache/bench-retrieval"))
    parser.add_argument("--limit", type=int, default=None, help="answerable questions per set")
    parser.add_argument("--negatives", type=int, default=300, help="PolNeAR train questions asked of dev articles")
    parser.add_argument("--only", nargs="*", default=[], help="run only sets whose name contains one of these")
    parser.add_argument("--out", type=Path, default=Path("reports/bench-retrieval.json"))
    args = parser.parse_args()
    report = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
