"""Calibrate the refusal threshold: the best-sentence cosine below which the assistant refuses.

Set 1: answerable = PolNeAR dev "who said" items over the dev corpus; unanswerable = train items
asked over the same dev corpus (their articles are not in it; same beat, same period: hard negatives).
Set 2: the repo's hand-written gold set over the sample article (short, natural questions).
PolNeAR questions quote long verbatim content, so their cosines run high; short questions score
lower. Prints both sets side by side and the threshold with the best mean balanced accuracy.

    python -m bench.calibrate_refusal --shared ../shared --n 300
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.core import Assistant
from assistant.settings import Settings


def _questions(path: Path, n: int, seed: int) -> list[str]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(seed).shuffle(items)
    return [item["question"] for item in items[:n]]


def best_scores(assistant: Assistant, questions: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per question: did the attribution path answer it (threshold-free), and the best cosine."""
    sources, retriever = assistant.pipeline.attributions, assistant.pipeline.retriever
    by_source = np.array([sources is not None and sources.answer(q) is not None for q in questions])
    cosine = np.array([(h[0].score if (h := retriever.retrieve(q, 1)) else -1.0) for q in questions])
    return by_source, cosine


def answered(scores: tuple[np.ndarray, np.ndarray], threshold: float) -> np.ndarray:
    by_source, cosine = scores
    return by_source | (cosine >= threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--n", type=int, default=300, help="questions per class")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--gold", type=Path, default=Path("eval/sample-gold.jsonl"))
    parser.add_argument("--corpus", type=Path, default=Path("samples"))
    parser.add_argument("--min-answered", type=float, default=0.85,
                        help="only thresholds answering at least this share of answerable questions in both sets")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant.open(tmp, Settings(generator="extractive"))
        print(assistant.add([args.shared / "data/polnear/articles-dev.jsonl"], progress=True).summary())
        pos = best_scores(assistant, _questions(args.shared / "eval/polnear-who-said-dev.jsonl", args.n, args.seed))
        neg = best_scores(assistant, _questions(args.shared / "eval/polnear-who-said-train.jsonl", args.n, args.seed))
    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant.open(tmp, Settings(generator="extractive"))
        assistant.add([args.corpus])
        gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
        gold = [g for g in gold if not g.get("history")]
        gpos = best_scores(assistant, [g["question"] for g in gold if g["answerable"]])
        gneg = best_scores(assistant, [g["question"] for g in gold if not g["answerable"]])
    for name, (p, n) in (("PolNeAR", (pos, neg)), ("gold set", (gpos, gneg))):
        print(f"{name}: {len(p[0])} answerable ({p[0].mean():.0%} answered by the attribution path), "
              f"{len(n[0])} unanswerable ({n[0].mean():.0%} wrongly answered by it); "
              f"median cosine {np.median(p[1]):.3f} vs {np.median(n[1]):.3f}")
    print("threshold | PolNeAR answered  refused  balanced | gold answered  refused  balanced | mean")
    best = (0.0, 0.0)
    for t in np.arange(0.40, 0.70, 0.025):
        rows = [(float(answered(p, t).mean()), float((~answered(n, t)).mean())) for p, n in ((pos, neg), (gpos, gneg))]
        balanced = [(a + r) / 2 for a, r in rows]
        mean = sum(balanced) / 2
        if min(a for a, _ in rows) >= args.min_answered:
            best = max(best, (mean, float(t)))
        print(f"  {t:.3f}   |      {rows[0][0]:6.1%}   {rows[0][1]:6.1%}   {balanced[0]:6.1%} |"
              f"      {rows[1][0]:6.1%}   {rows[1][1]:6.1%}   {balanced[1]:6.1%} | {mean:6.1%}")
    print(f"best threshold answering >= {args.min_answered:.0%} of answerable questions: {best[1]:.3f} "
          f"(mean balanced accuracy {best[0]:.1%}); {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
