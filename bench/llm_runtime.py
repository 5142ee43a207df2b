"""The local model's runtime: tokens/s of this llama-cpp-python build, and what the worker costs.

One run, the same model file loaded twice: in this process (:class:`~assistant.llm.LocalLLM`)
and in the supervised worker (:class:`~assistant.llm_worker.WorkerLLM`). Rounds alternate which
goes first, so drift on a shared machine hits both alike. Reported: prompt and generation tokens/s
(in-process), and for each side the median time to first token of a streamed answer and the median
latency of a judge call (P(yes)), with the worker/in-process ratios (target: ≤1.10).

    python -m bench.llm_runtime --rounds 6 --out reports/bench-llm-runtime.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from assistant.llm import LLM, LocalLLM
from assistant.llm_worker import WorkerLLM
from assistant.settings import Settings

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "balochistan-ians-2026-02-04.txt"
QUESTIONS = (
    "How many personnel did the BLA claim to have killed?",
    "What did Khawaja Asif admit about the security forces?",
    "How large is Balochistan compared with the rest of Pakistan?",
    "Which groups carried out the attacks?",
    "What did the officials say about the operation?",
    "Where did the attacks take place?",
)


def evidence(n_sentences: int = 6) -> list[str]:
    lines = [s.strip() for s in SAMPLE.read_text(encoding="utf-8").split(". ") if len(s.split()) > 6]
    return lines[:n_sentences]


def answer_prompt(question: str, sentences: list[str]) -> str:
    numbered = "\n".join(f"[{i}] {s}." for i, s in enumerate(sentences, 1))
    return (f"Sentences:\n{numbered}\n\nAnswer the question in one or two short sentences, each ending "
            f"with the [n] of the sentence it rests on.\nQuestion: {question}")


def judge_prompt(question: str, sentence: str) -> str:
    return f"Evidence: {sentence}.\nClaim: {question}\nDoes the evidence support the claim? Answer yes or no."


def time_stream(llm: LLM, prompt: str, max_tokens: int) -> tuple[float, float, int]:
    """(time to first piece, total time, pieces) of one streamed completion."""
    started = time.perf_counter()
    first, pieces = 0.0, 0
    for _ in llm.stream(prompt, max_tokens=max_tokens):
        if not pieces:
            first = time.perf_counter() - started
        pieces += 1
    return first, time.perf_counter() - started, pieces


def time_judge(llm: LLM, prompt: str) -> float:
    started = time.perf_counter()
    llm.p_yes(prompt)
    return time.perf_counter() - started


def throughput(local: LocalLLM, prompt: str, max_tokens: int) -> dict[str, float]:
    """Prompt and generation tokens/s of the in-process model on one fresh prompt."""
    llama = local._llama
    llama.reset()
    n_prompt = len(llama.tokenize(prompt.encode()))
    started = time.perf_counter()
    llama.create_completion(prompt, max_tokens=1, temperature=0.0)
    prompt_s = time.perf_counter() - started
    llama.reset()
    started = time.perf_counter()
    out: Any = llama.create_completion(prompt, max_tokens=max_tokens, temperature=0.0)
    total_s = time.perf_counter() - started
    n_gen = int(out["usage"]["completion_tokens"])
    return {"prompt_tokens": n_prompt, "prompt_tok_s": n_prompt / prompt_s,
            "generated_tokens": n_gen, "gen_tok_s": max(n_gen - 1, 1) / max(total_s - prompt_s, 1e-6)}


def run(model: Path, rounds: int, max_tokens: int) -> dict[str, Any]:
    sentences = evidence()
    local = LocalLLM(model, n_threads=2, n_ctx=2048)
    worker = WorkerLLM(backend_kwargs={"model_path": str(model), "n_threads": 2, "n_ctx": 2048}, timeout=900)
    worker.start()
    sides: dict[str, LLM] = {"in_process": local, "worker": worker}
    ttft: dict[str, list[float]] = {k: [] for k in sides}
    judge: dict[str, list[float]] = {k: [] for k in sides}
    speeds = []
    try:
        for r in range(rounds):
            question = QUESTIONS[r % len(QUESTIONS)]
            order = list(sides) if r % 2 == 0 else list(reversed(sides))
            for name in order:
                first, _, _ = time_stream(sides[name], answer_prompt(question, sentences), max_tokens)
                ttft[name].append(first)
                judge[name].append(time_judge(sides[name], judge_prompt(question, sentences[r % len(sentences)])))
            speeds.append(throughput(local, answer_prompt(question, sentences), max_tokens))
            print(f"round {r + 1}/{rounds}: ttft in-process {ttft['in_process'][-1]:.2f} s, worker "
                  f"{ttft['worker'][-1]:.2f} s; judge {judge['in_process'][-1]:.2f} s / {judge['worker'][-1]:.2f} s")
    finally:
        worker.close()
    med = {f"{k}_{side}_p50_s": statistics.median(v[side])
           for k, v in (("ttft", ttft), ("judge", judge)) for side in sides}  # fmt: skip
    return {
        "model": str(model), "rounds": rounds,
        "prompt_tok_s_p50": statistics.median(s["prompt_tok_s"] for s in speeds),
        "gen_tok_s_p50": statistics.median(s["gen_tok_s"] for s in speeds),
        "prompt_tokens": speeds[0]["prompt_tokens"],
        **med,
        "ttft_ratio_worker_over_in_process": med["ttft_worker_p50_s"] / med["ttft_in_process_p50_s"],
        "judge_ratio_worker_over_in_process": med["judge_worker_p50_s"] / med["judge_in_process_p50_s"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.llm_runtime")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    import llama_cpp

    result = run(Settings().model_path, args.rounds, args.max_tokens)
    result["system_info"] = llama_cpp.llama_print_system_info().decode(errors="replace").strip()
    print(f"\nllama.cpp: {result['system_info']}")
    print(f"prompt {result['prompt_tok_s_p50']:.1f} tok/s ({result['prompt_tokens']}-token prompt), "
          f"generation {result['gen_tok_s_p50']:.1f} tok/s")
    print("| median | in-process | worker | worker / in-process |\n|---|---|---|---|")
    for key in ("ttft", "judge"):
        a, b = result[f"{key}_in_process_p50_s"], result[f"{key}_worker_p50_s"]
        print(f"| {'time to first token' if key == 'ttft' else 'judge call'} | {a:.3f} s | {b:.3f} s | {b / a:.3f} |")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
