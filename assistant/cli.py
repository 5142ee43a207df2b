"""The ``sourced`` command line: ingest, ask, chat, articles, remove, claims, reindex, serve, eval."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.offline import use_offline_env

use_offline_env()

from assistant.errors import SourcedError  # noqa: E402
from assistant.fusion import Filters  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import Answer, answer_to_dict  # noqa: E402


def format_answer(answer: Answer) -> str:
    lines = [answer.text]
    if answer.standalone_question and answer.standalone_question != answer.question:
        lines.append(f"  (understood as: {answer.standalone_question})")
    for c in answer.citations:
        lines.append(f"  [{c.n}] {c.title[:60]} ({c.article_id}, chars {c.start}-{c.end}): “{c.sentence}”")
        lines.extend(f"      also in: {title[:60]} ({aid}, chars {a}-{b})" for aid, title, a, b in c.also_in)
    lines.extend(f"  note: {note}" for note in answer.notes)
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sourced", description="Cited answers about news articles, offline.")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the index lives (env SOURCED_DATA_DIR)")
    parser.add_argument("--generator", choices=["auto", "extractive", "local", "openai"], default=None)
    parser.add_argument("--top-k", type=int, default=None, help="sentences retrieved per question")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="add article files, folders or .jsonl corpora")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p = sub.add_parser("ask", help="ask one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    _add_filter_arguments(p)
    _add_filter_arguments(sub.add_parser("chat", help="an interactive conversation (keeps history)"))
    p = sub.add_parser("articles", help="list indexed articles")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("remove", help="remove an article by id")
    p.add_argument("article_id")
    p = sub.add_parser("claims", help="speakers and their claims, from the attribution index")
    p.add_argument("speaker", nargs="?", help="only this speaker (surname or acronym is enough)")
    p.add_argument("--json", action="store_true")
    sub.add_parser("reindex", help="re-extract attributions made by an older extractor (sentences and vectors stay)")
    p = sub.add_parser("serve", help="start the web app on 127.0.0.1")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", default=None, help="require a login, given as user:password")
    _add_optional_commands(sub)
    return parser


def _add_filter_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", action="append", default=[], help="only articles from this source (repeatable)")
    p.add_argument("--since", default="", help="only articles dated on/after YYYY[-MM[-DD]]")
    p.add_argument("--until", default="", help="only articles dated on/before YYYY[-MM[-DD]]")
    p.add_argument("--article", action="append", default=[], help="only this article id (repeatable)")
    p.add_argument("--speaker", default="", help="only sentences attributed to this speaker")


def _filters(args: argparse.Namespace) -> Filters | None:
    filters = Filters(articles=tuple(args.article), sources=tuple(args.source), since=args.since,
                      until=args.until, speaker=args.speaker)  # fmt: skip
    return None if filters == Filters() else filters


def _add_optional_commands(sub: Any) -> None:
    try:
        from evaluation.cli import add_eval_parser
    except ImportError:  # pragma: no cover - evaluation package missing
        return
    add_eval_parser(sub)


def _settings(args: argparse.Namespace) -> Settings:
    updates: dict[str, Any] = {}
    if args.data_dir is not None:
        updates["data_dir"] = args.data_dir
    if args.generator is not None:
        updates["generator"] = args.generator
    if args.top_k is not None:
        updates["top_k"] = args.top_k
    return Settings().updated(**updates)


#: Commands that only list or delete: they do not wait for a re-extraction of the attributions.
_NO_REFRESH = {"articles", "remove", "reindex"}


def _run(args: argparse.Namespace) -> int:
    from assistant.core import Assistant

    settings = _settings(args)
    if args.command == "serve":
        from assistant.ui.app import launch

        launch(settings, host=args.host, port=args.port, auth=args.auth)
        return 0
    if args.command == "eval":
        from evaluation.cli import run_eval_command

        return run_eval_command(args)
    assistant = Assistant.from_settings(settings, refresh=args.command not in _NO_REFRESH)
    if args.command == "reindex":
        done = assistant.reindex(progress=True)
        print(f"Refreshed the attributions of {len(done)} article(s)." if done else "The attributions are up to date.")
        return 0
    if args.command == "ingest":
        report = assistant.add(args.paths, progress=not args.json)
        print(json.dumps(report.to_dict(), indent=2) if args.json else report.summary())
        return 1 if report.failed and not (report.added or report.unchanged or report.replaced) else 0
    if args.command == "ask":
        answer = assistant.ask(args.question, filters=_filters(args))
        print(json.dumps(answer_to_dict(answer), indent=2, ensure_ascii=False) if args.json else format_answer(answer))
        return 0
    if args.command == "articles":
        rows = assistant.articles()
        if args.json:
            print(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False))
        for r in [] if args.json else rows:
            print(f"{r.id}  {r.date or '----------'}  {r.n_sentences:4d} sentences  {r.title}")
        if not rows and not args.json:
            print("No articles yet: add some with `sourced ingest PATH`.")
        return 0
    if args.command == "remove":
        assistant.remove(args.article_id)
        print(f"Removed {args.article_id}.")
        return 0
    if args.command == "chat":
        problem = assistant.warm_up()
        if problem:
            print(f"note: {problem} Answers quote the best matching sentences until it is fixed.")
        return _chat(assistant, _filters(args))
    if args.command == "claims":
        return _claims(assistant, args.speaker, args.json)
    raise AssertionError(args.command)


def _claims(assistant: Any, speaker: str | None, as_json: bool) -> int:
    table = assistant.claims(speaker)
    if as_json:
        print(json.dumps({name: [asdict(c) for c in cites] for name, cites in table.items()}, indent=2, ensure_ascii=False))
        return 0
    if not table:
        print(f"No claims attributed to {speaker!r}." if speaker else "No attributed claims in the index.")
        return 1 if speaker else 0
    for name, cites in sorted(table.items(), key=lambda kv: (-len(kv[1]), kv[0].lower())):
        print(f"{name} ({len(cites)})")
        for c in cites:
            print(f"  [{c.n}] “{c.sentence}” ({c.article_id}, chars {c.start}-{c.end})")
    return 0


def _chat(assistant: Any, filters: Filters | None = None) -> int:
    session = assistant.chat()
    print("Ask about the indexed articles. Empty line or Ctrl-D to quit; /reset forgets the conversation.")
    while True:
        try:
            question = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question:
            return 0
        if question == "/reset":
            session.reset()
            continue
        try:
            print(format_answer(session.ask(question, filters=filters)))
        except SourcedError as exc:
            print(f"error: {exc}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _run(args)
    except SourcedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
