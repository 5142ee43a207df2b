"""LLM benchmark: sourced (local LLM, verified citations, attribution index) beside LlamaIndex's
CitationQueryEngine over the same articles, embedder (all-MiniLM-L6-v2) and LLM (Qwen2.5 1.5B), in one run.

Sets: the repo's gold set over the sample article, the first ``--newsqa-limit`` news-QA dev
questions over its 216 articles, and ``--limit`` ``clean`` PolNeAR dev items over the dev corpus.
The baseline runs with LlamaIndex's stock settings (``--baseline-stock``: 1024-token nodes, top 3,
512-token citation chunks) or the old small-chunk setting (top_k=2, 128-token chunks). Reports answer accuracy, citation precision/recall, refusals, time to first token
and total latency (median, p95). The baseline does not stream, so its first token is its answer.

    python -m bench.llm --shared ../shared --limit 100 --out reports/bench-llm.json
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.core import Assistant
from assistant.llm import load_local_llm
from assistant.settings import Settings
from evaluation.baseline import LlamaIndexBaseline, read_corpus
from evaluation.gold import GoldItem, load_gold
from evaluation.metrics import span_matches
from evaluation.runner import EvalResult, run_eval

ROWS = ("answer_accuracy", "citation_precision", "citation_recall", "answer_cited_rate",
        "correct_refusal_rate", "false_refusal_rate", "latency_p50_s", "latency_p95_s")  # fmt: skip


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def first_token(result: EvalResult) -> dict[str, float | None]:
    values = [
        float(r.answer.timings.get("first_token", r.answer.timings.get("total", r.answer.timings.get("generate", 0.0))))
        for r in result.items if r.answer is not None
    ]  # fmt: skip
    return {"ttft_p50_s": statistics.median(values) if values else None, "ttft_p95_s": _percentile(values, 0.95)}


def generators_used(result: EvalResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in result.items:
        if r.answer is not None:
            counts[r.answer.generator] = counts.get(r.answer.generator, 0) + 1
    return counts


def run_set(
    name: str, items: list[GoldItem], corpus: list[Path], llm: Any, data_dir: Path, baseline: dict[str, Any] | None,
    **overrides: Any,
) -> dict[str, Any]:
    """Ours (with settings ``overrides``), then (unless ``baseline`` is None) CitationQueryEngine,
    on ``items``; prints the table."""
    print(f"\n== {name}: {len(items)} questions over {', '.join(str(p) for p in corpus)}"
          + (f" ({', '.join(f'{k}={v}' for k, v in overrides.items())})" if overrides else ""), flush=True)  # fmt: skip
    settings = Settings(data_dir=data_dir, generator="local", llm_model_path=Settings().model_path.resolve(), **overrides)
    ours = Assistant.open(data_dir, settings)
    ours.add(corpus, progress=True)
    started = time.perf_counter()
    mine = run_eval(items, ours, system="sourced")
    mine_seconds = time.perf_counter() - started
    ours.close()
    runs = [("sourced", mine, mine_seconds)]
    if baseline is not None:
        base = LlamaIndexBaseline(read_corpus(corpus), llm=llm, **baseline)
        started = time.perf_counter()
        theirs = run_eval(items, base, system="llamaindex")
        runs.append(("llamaindex", theirs, time.perf_counter() - started))
    table: dict[str, Any] = {}
    for label, result, seconds in runs:
        row = {k: result.summary.as_dict().get(k) for k in ROWS}
        row.update(first_token(result))
        row["wall_s"] = seconds
        row["generators"] = generators_used(result)
        table[label] = row
    keys = [*ROWS, "ttft_p50_s", "ttft_p95_s", "wall_s"]
    print(f"{'metric':24s} " + " ".join(f"{label:>12s}" for label in table))
    for key in keys:
        cells = [table[label][key] for label in table]
        print(f"{key:24s} " + " ".join(f"{c:12.3f}" if isinstance(c, float) else f"{c!s:>12s}" for c in cells))
    print(f"answer routes (sourced): {table['sourced']['generators']}")
    table["items"] = {label: [item_row(r) for r in result.items] for label, result, _ in runs}
    return table


def item_row(r: Any) -> dict[str, Any]:
    """One item's outcome, for reading the misses."""
    a = r.answer
    return {"id": r.item.id, "question": r.item.question, "gold": list(r.item.answers),
            "failure": r.score.failure, "correct": r.score.answer_correct, "cited_ok": r.score.cited_correctly,
            "answer_cited": r.score.answer_cited,
            "answer": a.text if a is not None else None, "generator": a.generator if a is not None else None,
            "cited": [c.sentence for c in a.citations], "notes": list(a.notes) if a is not None else [],
            "gold_rank": gold_rank(a.retrieved, r.item.evidence) if a is not None else None,
            "retrieved": [h.sentence.text for h in a.retrieved[:8]] if a is not None else [],
            "seconds": r.score.seconds}  # fmt: skip


def budget_list(text: str) -> list[int]:
    """``--budgets``: comma-separated token counts, each within the setting's range.

    Example:
        >>> budget_list("420, 260")
        [420, 260]
    """
    field = Settings.model_fields["context_budget"]
    low, high = (next(getattr(m, k) for m in field.metadata if hasattr(m, k)) for k in ("ge", "le"))
    try:
        budgets = [int(b) for b in text.split(",") if b.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if any(not low <= b <= high for b in budgets):
        raise argparse.ArgumentTypeError(f"each budget must be between {low} and {high} tokens: {text!r}")
    return budgets


BUDGET_ROWS = ("answer_accuracy", "citation_recall", "answer_cited_rate", "citation_precision", "false_refusal_rate",
               "ttft_p50_s", "ttft_p95_s", "latency_p50_s", "latency_p95_s")  # fmt: skip


def budget_table(rows: dict[int, dict[str, Any]]) -> str:
    """The context-budget sweep side by side: one column per budget (tokens of passages the LLM reads).

    Example:
        >>> print(budget_table({260: {"answer_accuracy": 0.8}, 420: {"answer_accuracy": 0.825}}).splitlines()[1])
        answer_accuracy                 0.800        0.825
    """
    lines = [f"{'context budget':24s} " + " ".join(f"{b:>12d}" for b in rows)]
    for key in BUDGET_ROWS:
        cells = [rows[b].get(key) for b in rows]
        lines.append(f"{key:24s} " + " ".join(f"{c:12.3f}" if isinstance(c, float) else f"{c!s:>12s}" for c in cells))
    return "\n".join(lines)


def gold_rank(hits: Any, evidence: Any) -> int | None:
    """The rank (1-based) of the first retrieved hit overlapping a gold evidence span, if any."""
    for rank, hit in enumerate(hits, 1):
        s = hit.sentence
        if any(span_matches(s.article_id, s.start, s.end, s.text, ev) for ev in evidence):
            return rank
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--limit", type=int, default=100, help="clean PolNeAR dev items")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gold", type=Path, default=Path("eval/sample-gold.jsonl"))
    parser.add_argument("--sets", default="sample,newsqa,polnear", help="comma-separated: sample, newsqa, polnear")
    parser.add_argument("--newsqa-limit", type=int, default=40, help="first N news-QA dev questions")
    parser.add_argument("--newsqa-from", type=int, default=0,
                        help="skip the first K news-QA dev questions (e.g. 40: the ones not tuned on)")
    parser.add_argument("--data-cache", type=Path, default=None,
                        help="a folder of built indexes to copy instead of indexing (bench.retrieval's cache)")
    parser.add_argument("--baseline-stock", action="store_true",
                        help="LlamaIndex stock: 1024-token nodes, top 3, 512-token citation chunks")
    parser.add_argument("--baseline-top-k", type=int, default=2,
                        help="chunks CitationQueryEngine retrieves without --baseline-stock (2 x 128 tokens)")
    parser.add_argument("--no-baseline", action="store_true", help="ours only (e.g. while tuning)")
    parser.add_argument("--budgets", type=budget_list, default=[],
                        help="comma-separated context budgets (tokens) to run ours at on news-QA and the sample, "
                             "side by side (the baseline runs once, beside the first); default: the settings'")
    parser.add_argument("--out", type=Path, default=Path("reports/bench-llm.json"))
    args = parser.parse_args()
    budgets = args.budgets or [Settings().context_budget]
    llm = load_local_llm(Settings())
    if llm is None:
        raise SystemExit("The local model is missing: run `make model` first.")
    baseline: dict[str, Any] | None = (dict(top_k=3, chunk_size=512, stock_nodes=True) if args.baseline_stock
                                else dict(top_k=args.baseline_top_k))  # fmt: skip
    if args.no_baseline:
        baseline = None
    report: dict[str, Any] = {"baseline": baseline}
    sets = set(args.sets.split(","))

    def save() -> None:  # after each set, so a long run keeps what it measured
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))

    with tempfile.TemporaryDirectory() as tmp:

        def data_dir(name: str) -> Path:
            """A fresh data dir, seeded with a cached index of the same corpus when there is one."""
            target = Path(tmp) / name
            cached = args.data_cache / name if args.data_cache else None
            if cached is not None and (cached / "registry.sqlite3").is_file():
                shutil.copytree(cached, target / "index")
            return target

        def sweep(key: str, name: str, items: list[GoldItem], corpus: list[Path], directory: Path) -> None:
            """Ours at each budget on one data dir; the baseline beside the first; a table when several."""
            rows: dict[int, dict[str, Any]] = {}
            for n, budget in enumerate(budgets):
                table = run_set(name, items, corpus, llm, directory, baseline if n == 0 else None,
                                context_budget=budget)  # fmt: skip
                if n == 0:
                    report[key] = table
                else:
                    report.setdefault("budgets", {}).setdefault(key, {})[str(budget)] = table
                rows[budget] = table["sourced"]
                save()
            if len(rows) > 1:
                print(f"\n== {name}: ours by context budget\n{budget_table(rows)}")

        if "newsqa" in sets:
            items = load_gold(args.shared / "eval/newsqa-dev.jsonl")[args.newsqa_from : args.newsqa_from + args.newsqa_limit]
            label = f"first {len(items)}" if not args.newsqa_from else f"{len(items)} from {args.newsqa_from + 1}"
            sweep("newsqa_dev", f"news-QA dev ({label})", items,
                  [args.shared / "data/newsqa/articles-dev.jsonl"], data_dir("news-qa1"))
        if "sample" in sets:
            sweep("sample", "sample article", load_gold(args.gold), [Path("samples")], data_dir("sample1"))
        if "polnear" in sets:
            items = [i for i in load_gold(args.shared / "eval/polnear-who-said-dev.jsonl") if "clean" in i.tags]
            random.Random(args.seed).shuffle(items)
            corpus = [args.shared / "data/polnear/articles-dev.jsonl"]
            report["polnear_dev_clean"] = run_set("PolNeAR dev (clean)", items[: args.limit], corpus, llm,
                                                  data_dir("polnear1"), baseline)  # fmt: skip
            save()
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
