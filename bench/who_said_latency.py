"""Who-said route A/B on a built index: claims encoded per question (old) vs stored sentence vectors (new).

Opens an existing index (bench.scale's 1k real one: ``--collection scalereal``) and only asks
questions; still, work on a copy: opening an index repairs it, and under a wrong collection name
every article looks incomplete and is removed. The embedding cache is a fresh, empty one in a
temp dir, so neither arm profits from vectors an earlier run cached. Every question is asked in
both arms, the arm that goes first alternating from question to question; only the first asking is
timed (its query and claims are fresh), the second serves the accuracy comparison. Per arm: p50/p95
over the timed questions, the share of time in the encoder, Chroma, the SQLite attribution reads and
retrieval (which includes the query's encode and Chroma query), and accuracy (gold speaker in the
answer, as ``evaluation.metrics.answer_correct``; a citation on the gold evidence, as
``citation_correct``) over all questions. ``--news N`` also times N news-QA questions (extractive
route, bench.scale's sampler), one between pairs, as a yardstick for the machine's load.

    cp -r /work/scale/real-embedded /tmp/scale-copy   # bench.scale's 1k real data dir
    python -m bench.who_said_latency --data-dir /tmp/scale-copy --collection scalereal --news 40 \\
        --questions 200 --out reports/who-said-latency.json
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core import Assistant
from assistant.settings import Settings
from bench import scale
from evaluation.gold import GoldItem, parse_gold_line
from evaluation.metrics import answer_correct, citation_correct
from index.embed_cache import CachedEmbedder

ARMS = ("encode", "stored")
ROOT = Path(__file__).resolve().parent.parent


class Stages:
    """Wall time spent inside wrapped callables, per stage, for the question being timed."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = defaultdict(float)
        self.texts = 0  # texts the encoder was given

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.ms[stage] += 1000 * (time.perf_counter() - start)

        return timed


def load_questions(paths: list[Path], n: int, seed: int) -> list[tuple[str, GoldItem]]:
    """``(gold file stem, item)`` of the answerable single-turn items, shuffled."""
    items = [(p.stem, parse_gold_line(line, str(p))) for p in paths for line in p.read_text().splitlines() if line.strip()]
    items = [(s, q) for s, q in items if q.answerable and not q.history]
    random.Random(seed).shuffle(items)
    return items[:n] if n else items


def instrument(assistant: Assistant, cache_dir: Path) -> Stages:
    """A fresh cache in front of the bare encoder, and timers on the stages worth naming."""
    store = assistant.store
    encoder = getattr(store.embedder, "inner", store.embedder)
    stages = Stages()
    encode = stages.wrap("encoder", encoder.embed)

    def counted(texts: Any) -> Any:
        stages.texts += len(texts)
        return encode(texts)

    encoder.embed = counted  # type: ignore[method-assign]
    store.embedder = CachedEmbedder(encoder, cache_dir / "embeddings.sqlite3")
    store.collection.get = stages.wrap("chroma", store.collection.get)
    store.collection.query = stages.wrap("chroma", store.collection.query)
    store.attributions = stages.wrap("sqlite_attributions", store.attributions)  # type: ignore[method-assign]
    pipeline = assistant.pipeline
    pipeline.retriever.retrieve = stages.wrap("retrieve", pipeline.retriever.retrieve)  # type: ignore[method-assign]
    return stages


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(data_dir=args.data_dir, generator="extractive", chroma_collection=args.collection)
    assistant = Assistant.from_settings(settings, refresh=False)
    answerer = assistant.pipeline.attributions
    assert answerer is not None, "the attribution route is off"
    stages = instrument(assistant, Path(tempfile.mkdtemp(prefix="who-said-ab-")))
    questions = load_questions(args.gold, args.questions, args.seed)
    for arm in ARMS:  # warm-up: models, BM25, passage matrix, speaker lookup
        answerer.encode_claims = arm == "encode"
        assistant.ask("Who said the warm-up question was answered?")
    times: dict[str, list[float]] = {a: [] for a in (*ARMS, "extractive")}
    spent: dict[str, dict[str, float]] = {a: defaultdict(float) for a in ARMS}
    correct: dict[str, dict[str, int]] = {a: defaultdict(int) for a in ARMS}  # per gold file
    cited_ok: dict[str, dict[str, int]] = {a: defaultdict(int) for a in ARMS}
    per_set: dict[str, int] = defaultdict(int)
    routes: dict[str, dict[str, int]] = {a: defaultdict(int) for a in ARMS}
    same = 0
    news = scale.questions(args.shared, [], args.news)["extractive"] if args.news else []
    for qi, (gold_set, q) in enumerate(questions):
        if qi < len(news):  # the yardstick: one news-QA question (extractive route) between pairs
            start = time.perf_counter()
            assistant.ask(news[qi])
            times["extractive"].append(1000 * (time.perf_counter() - start))
        per_set[gold_set] += 1
        order = ARMS if qi % 2 == 0 else ARMS[::-1]
        texts = {}
        for position, arm in enumerate(order):
            answerer.encode_claims = arm == "encode"
            stages.ms.clear()
            stages.texts = 0
            start = time.perf_counter()
            answer = assistant.ask(q.question)
            elapsed = 1000 * (time.perf_counter() - start)
            if position == 0:  # fresh: timed
                times[arm].append(elapsed)
                for stage, ms in stages.ms.items():
                    spent[arm][stage] += ms
                spent[arm]["texts_encoded"] += stages.texts
            texts[arm] = answer.text
            correct[arm][gold_set] += answer_correct(answer.text, q.answers)
            cited_ok[arm][gold_set] += any(citation_correct(c, q.evidence) for c in answer.citations)
            routes[arm][answer.generator] += 1
        same += texts[ARMS[0]] == texts[ARMS[1]]
        if args.verbose:
            print(qi, {a: round(times[a][-1]) if times[a] else None for a in ARMS}, flush=True)
        if args.out and (qi + 1) % 50 == 0:  # a long run on a busy machine leaves its figures so far
            _save(args.out, summary(args, times, spent, correct, cited_ok, routes, per_set, same))
    return summary(args, times, spent, correct, cited_ok, routes, per_set, same)


def _save(path: Path, out: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2))


def summary(args: argparse.Namespace, times: dict, spent: dict, correct: dict, cited_ok: dict, routes: dict,
            per_set: dict, same: int) -> dict[str, Any]:  # fmt: skip
    """Per arm: latency percentiles over its timed questions, time per stage, accuracy per gold file."""
    out: dict[str, Any] = {"index": str(args.data_dir), "questions": dict(per_set), "same_answer_text": same}
    for arm in ARMS:
        t = times[arm]
        out[arm] = {
            "timed": len(t),
            "p50_ms": round(float(np.percentile(t, 50)), 1),
            "p95_ms": round(float(np.percentile(t, 95)), 1),
            "mean_ms": round(float(np.mean(t)), 1),
            "mean_stage_ms": {k: round(v / len(t), 1) for k, v in sorted(spent[arm].items()) if k != "texts_encoded"},
            "mean_texts_encoded": round(spent[arm]["texts_encoded"] / len(t), 1),
            "accuracy": {k: round(100 * correct[arm][k] / v, 1) for k, v in per_set.items()},
            "cites_evidence": {k: round(100 * cited_ok[arm][k] / v, 1) for k, v in per_set.items()},
            "generators": dict(routes[arm]),
        }
    if times["extractive"]:  # news-QA questions on the extractive route, interleaved: a yardstick
        t = times["extractive"]
        out["extractive"] = {"timed": len(t), "p50_ms": round(float(np.percentile(t, 50)), 1),
                             "p95_ms": round(float(np.percentile(t, 95)), 1)}  # fmt: skip
    out["load_average"] = [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="a data dir holding index/ (not written to)")
    parser.add_argument("--collection", default=Settings().chroma_collection, help="its Chroma collection name")
    parser.add_argument("--gold", type=Path, nargs="+", default=None,
                        help="gold files (default: SHARED/eval/polnear-who-said-dev.jsonl)")  # fmt: skip
    parser.add_argument("--questions", type=int, default=200, help="0: all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--news", type=int, default=0,
                        help="also time N news-QA dev questions (bench.scale's sampler), interleaved")  # fmt: skip
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.gold = args.gold or [args.shared / "eval/polnear-who-said-dev.jsonl"]
    out = run(args)
    if args.out:
        _save(args.out, out)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
