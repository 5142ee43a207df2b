"""The web app over the test assistant (hash embedder, the conftest's stand-in extractor, extractive
answers), for the browser tests: ``python tests/ui/serve.py DATA_DIR PORT [ARTICLE …] [--auth USER:PASS]``.

Everything above the assistant is the real app (:func:`assistant.ui.app.serve`: its layout, CSS,
limits, endpoints and login); only the models are swapped, so the page is up in seconds on a busy
machine. ``SOURCED_TEST_AUTH=user:pass`` also requires a login; ``SOURCED_TEST_INGEST_BESIDE=FOLDER``
ingests FOLDER in the server process once ``DATA_DIR/go`` appears and writes ``DATA_DIR/ingested.json``
(the concurrency test's ingest beside the chat sessions).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any


def ingest_when_told(assistant: Any, data_dir: Path, folder: str) -> None:
    while not (data_dir / "go").exists():
        time.sleep(0.05)
    report = assistant.add([folder])
    (data_dir / "ingested.json").write_text(json.dumps(report.to_dict()), encoding="utf-8")


def main() -> None:
    # Imported here, not when pytest collects this file (there ``conftest`` is tests/ui/'s).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/conftest.py, before tests/ui/'s
    from assistant.ui.app import serve
    from conftest import fake_extractor, make_fake_assistant

    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("articles", nargs="*")
    parser.add_argument("--auth", default=os.environ.get("SOURCED_TEST_AUTH") or None)
    args = parser.parse_args()
    assistant = make_fake_assistant(args.data_dir, extractor=fake_extractor, refusal_threshold=0.3)
    if args.articles:
        assistant.add(args.articles)
    if os.environ.get("SOURCED_TEST_INGEST_BESIDE"):
        beside = (assistant, args.data_dir, os.environ["SOURCED_TEST_INGEST_BESIDE"])
        threading.Thread(target=ingest_when_told, args=beside, daemon=True).start()
    serve(assistant, "127.0.0.1", args.port, args.auth)


if __name__ == "__main__":
    main()
