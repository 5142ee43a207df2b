"""``sourced eval``: run a gold file against the assistant (and optionally a baseline).

The lead wires :func:`add_eval_parser` into the main CLI; ``python -m evaluation``
runs it on its own.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant import InputError, Settings, SourcedError
from evaluation.gold import check_offsets, load_gold
from evaluation.report import markdown_table, summary_rows, write_report
from evaluation.runner import EvalResult, prepare_corpus, run_eval

log = logging.getLogger(__name__)

GENERATORS = ("extractive", "local", "openai", "auto")


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``eval`` sub-command to an argparse ``subparsers`` object.

    Example:
        >>> parser = argparse.ArgumentParser(prog="sourced")
        >>> _ = add_eval_parser(parser.add_subparsers(dest="command"))
        >>> parser.parse_args(["eval", "g.jsonl", "--corpus", "samples/"]).limit is None
        True
    """
    p = subparsers.add_parser(
        "eval", help="score the assistant on a gold question file",
        description="Ask every question of GOLD.jsonl against an isolated, cached index of the "
        "corpus; write report.json/.md/.html with plots; print the summary table.")
    p.add_argument("gold", metavar="GOLD.jsonl", help="gold questions (see eval/README.md)")
    p.add_argument("--corpus", nargs="+", required=True, metavar="PATH",
                   help="article files or folders (.txt, .md, .html, .jsonl) to index")
    p.add_argument("--report", metavar="DIR", default="eval-report",
                   help="where to write the report (default: eval-report)")
    p.add_argument("--generator", choices=GENERATORS, default=None,
                   help="answer generator (default: SOURCED_GENERATOR or auto)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="first N questions only")
    p.add_argument("--baseline", choices=("llamaindex",), default=None,
                   help="also run LlamaIndex's CitationQueryEngine and compare")
    p.add_argument("--data-dir", metavar="DIR", default=None,
                   help="folder for cached evaluation indexes (default: <data dir>/eval-cache)")
    p.add_argument("--no-judge", action="store_true",
                   help="skip the LLM judge (supported-claim rate left empty)")
    p.set_defaults(func=run_eval_command)
    return p


def load_llm_and_judge(
    settings: Settings, want_judge: bool, loaded: Any | None = None
) -> tuple[Any | None, Any | None]:
    """The local LLM (None when absent) and an LLM judge on it (None when unavailable).

    ``loaded``: the assistant's own local LLM, reused rather than loaded twice.
    """
    from assistant import LLMJudge, load_local_llm

    llm = loaded if loaded is not None else load_local_llm(settings)
    if llm is None or not want_judge:
        return llm, None
    return llm, LLMJudge(llm)


def _offset_notes(gold_path: str, corpus: Sequence[str], items: Sequence[Any]) -> list[str]:
    from index.readers import read_articles

    articles, _ = read_articles(list(corpus))
    problems = check_offsets([i for i in items if any(e.has_offsets for e in i.evidence)],
                             {a.id: a.text for a in articles})
    for problem in problems[:5]:
        log.warning("%s: %s", gold_path, problem)
    return [f"{len(problems)} gold evidence offsets do not match the corpus"] if problems else []


def run_eval_command(args: argparse.Namespace) -> int:
    """Run ``sourced eval``; returns the exit code (2 for bad input, 1 for other errors)."""
    try:
        return _run(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SourcedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.generator:
        settings = settings.model_copy(update={"generator": args.generator})
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1.")
    items = load_gold(args.gold)
    notes = _offset_notes(args.gold, args.corpus, items)
    # the model stays where the user's data keeps it, not under the eval cache opened below
    settings = settings.updated(llm_model_path=settings.model_path)
    base_dir = Path(args.data_dir) if args.data_dir else settings.data_dir / "eval-cache"
    data_dir = prepare_corpus(args.corpus, base_dir, settings)
    from assistant import Assistant

    assistant = Assistant.open(data_dir, settings=settings)
    want_llm = settings.generator in ("local", "auto")
    # with generator=openai the assistant's LLM is remote: the judge still needs the local one
    mine = assistant.llm if want_llm else None
    llm, judge = load_llm_and_judge(settings, want_judge=not args.no_judge, loaded=mine)
    if judge is None:
        notes.append("no LLM judge: supported-claim rate not measured")
    result = run_eval(items, assistant, judge=judge, limit=args.limit, system="sourced",
                      notes=[f"generator={settings.generator}", *notes])
    baseline: EvalResult | None = None
    if args.baseline == "llamaindex":
        from evaluation.baseline import LlamaIndexBaseline, read_corpus

        engine = LlamaIndexBaseline(read_corpus(args.corpus), llm=llm if want_llm else None,
                                    top_k=min(settings.top_k, 10),
                                    context_window=settings.llm_context,
                                    max_tokens=settings.llm_max_tokens)
        baseline = run_eval(items, engine, judge=judge, limit=args.limit, system="llamaindex",
                            notes=engine.notes)
    paths = write_report(result, args.report, baseline)
    print(markdown_table(summary_rows([result] + ([baseline] if baseline else []))))
    print(f"\nReport: {paths['html']} (also report.md, report.json)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m evaluation GOLD.jsonl --corpus PATH``."""
    parser = argparse.ArgumentParser(prog="sourced")
    sub = parser.add_subparsers(dest="command", required=True)
    add_eval_parser(sub)
    args = parser.parse_args(["eval", *(argv if argv is not None else sys.argv[1:])])
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(args.func(args))
