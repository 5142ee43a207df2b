"""Calibrate the LLM judge's support threshold on PolNeAR train (or dev).

Pairs come from clean "Who said that X?" items whose evidence names the speaker:

* supported: "<gold speaker> said that X" vs the gold evidence;
* unsupported (wrong speaker): the same claim with another speaker of the same article
  (or of another article) vs the gold evidence;
* unsupported (wrong sentence): the true claim vs another sentence of the same article.

Prints precision / recall / F1 of "supported" across thresholds, the threshold with the best
F1 (ties: the higher one), per-kind mean scores and the judge latency.

    python -m bench.calibrate_judge --n 150            # train split, local model
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import statistics
import time
from pathlib import Path

from assistant.judge import LLMJudge
from assistant.llm import load_local_llm
from assistant.settings import Settings
from bench._polnear import load_articles, shared_dir, split_sentences

log = logging.getLogger(__name__)
MAX_WORDS = 60


def _claim(question: str, speaker: str) -> str | None:
    match = re.match(r"Who said (that )?(.+?)\??$", question.strip(), flags=re.S)
    if not match:
        return None
    content = " ".join(match.group(2).split()).rstrip(",;:")
    if not re.search(r"[.!?][\"'”’]*$", content):
        content += "."
    return f"{speaker} said that {content}" if match.group(1) else f"{speaker} said {content}"


def build_pairs(shared: Path, split: str, n: int, seed: int) -> list[tuple[str, str, str, int]]:
    """``(kind, claim, evidence, label)`` tuples, half supported, half unsupported."""
    rows = [json.loads(line) for line in
            (shared / "eval" / f"polnear-who-said-{split}.jsonl").read_text(encoding="utf-8").splitlines()]
    articles = {a.id: a for a in load_articles(shared, split)}
    usable = []
    for row in rows:
        ev = row["evidence"][0] if row["evidence"] else None
        speaker = row["answers"][0] if row["answers"] else ""
        if "clean" not in row["tags"] or not ev or ev.get("article_id") not in articles:
            continue
        text = " ".join(ev["text"].split())
        surname = speaker.split()[-1] if speaker else ""
        if not surname or surname not in text or len(text.split()) > MAX_WORDS:
            continue
        if (claim := _claim(row["question"], speaker)) is not None:
            usable.append((row, speaker, claim, text, ev))
    rng = random.Random(seed)
    rng.shuffle(usable)
    speakers_by_article: dict[str, set[str]] = {}
    for row, speaker, *_ in usable:
        speakers_by_article.setdefault(row["evidence"][0]["article_id"], set()).add(speaker)
    all_speakers = sorted({s for _, s, *_ in usable})
    pairs: list[tuple[str, str, str, int]] = []
    for i, (_row, speaker, claim, text, ev) in enumerate(usable[: n // 2]):
        pairs.append(("supported", claim, text, 1))
        if i % 2 == 0:
            surname = speaker.split()[-1]
            others = sorted(s for s in speakers_by_article[ev["article_id"]] if surname not in s)
            other = rng.choice(others or [s for s in all_speakers if surname not in s])
            pairs.append(("wrong speaker", claim.replace(speaker, other, 1), text, 0))
        else:
            article = articles[ev["article_id"]]
            lo, hi = ev.get("start", -1), ev.get("end", -1)
            candidates = [s.text for s in split_sentences(article.id, article.text)
                          if (s.end <= lo or s.start >= hi) and 8 <= len(s.text.split()) <= MAX_WORDS]
            if candidates:
                pairs.append(("wrong sentence", claim, " ".join(rng.choice(candidates).split()), 0))
    return pairs


def table(scores: list[float], labels: list[int]) -> list[tuple[float, float, float, float]]:
    """``(threshold, precision, recall, f1)`` rows for thresholds 0.05 … 0.95."""
    rows = []
    for step in range(1, 20):
        t = step / 20
        tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= t and y)
        fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= t and not y)
        fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < t and y)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 0.0
        rows.append((t, p, r, 2 * p * r / (p + r) if p + r else 0.0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=None)
    parser.add_argument("--split", choices=("train", "dev"), default="train")
    parser.add_argument("--n", type=int, default=150, help="number of pairs")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    llm = load_local_llm(Settings())
    if llm is None:
        raise SystemExit("local model missing: run `make model`")
    judge = LLMJudge(llm)
    pairs = build_pairs(shared_dir(args.shared), args.split, args.n, args.seed)
    scores, labels, latencies = [], [], []
    by_kind: dict[str, list[float]] = {}
    for i, (kind, claim, evidence, label) in enumerate(pairs, start=1):
        start = time.perf_counter()
        score = judge.support(claim, [evidence])
        latencies.append(time.perf_counter() - start)
        scores.append(score)
        labels.append(label)
        by_kind.setdefault(kind, []).append(score)
        if i % 25 == 0:
            log.info("%d/%d pairs judged", i, len(pairs))
    print(f"{args.split}: {len(pairs)} pairs ({sum(labels)} supported)")
    for kind, values in by_kind.items():
        print(f"  {kind:15s} n={len(values):3d} mean P(yes)={statistics.mean(values):.3f}")
    print(f"judge latency: mean {statistics.mean(latencies):.2f}s, "
          f"median {statistics.median(latencies):.2f}s, max {max(latencies):.2f}s")
    rows = table(scores, labels)
    print("threshold  precision  recall  f1")
    for t, p, r, f in rows:
        print(f"  {t:.2f}      {p:.3f}     {r:.3f}   {f:.3f}")
    best = max(rows, key=lambda row: (round(row[3], 6), row[0]))
    print(f"chosen threshold: {best[0]:.2f} (precision {best[1]:.3f}, recall {best[2]:.3f}, F1 {best[3]:.3f})")


if __name__ == "__main__":
    main()
