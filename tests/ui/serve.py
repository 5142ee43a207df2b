"""The web app over the test assistant (hash embedder, the conftest's stand-in extractor, extractive
answers), for the browser test: ``python tests/ui/serve.py DATA_DIR PORT [ARTICLE …]``.

Everything above the assistant is the real app (:func:`assistant.ui.app.serve`, its CSS, limits
and endpoints); only the models are swapped, so the page is up in seconds on a busy machine.
``SOURCED_TEST_AUTH=user:pass`` requires a login; ``SOURCED_TEST_INGEST_BESIDE=FOLDER`` ingests
FOLDER in the server process once ``DATA_DIR/go`` appears and writes ``DATA_DIR/ingested.json``
(the concurrency test's ingest beside the chat sessions).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the conftest beside this folder

from assistant import Assistant
from assistant.ui.app import serve
from conftest import fake_extractor, make_fake_assistant


def ingest_when_told(assistant: Assistant, data_dir: Path, folder: str) -> None:
    while not (data_dir / "go").exists():
        time.sleep(0.05)
    report = assistant.add([folder])
    (data_dir / "ingested.json").write_text(json.dumps(report.to_dict()), encoding="utf-8")


def main() -> None:
    data_dir, port, *articles = sys.argv[1:]
    assistant = make_fake_assistant(Path(data_dir), extractor=fake_extractor, refusal_threshold=0.3)
    if articles:
        assistant.add(articles)
    if os.environ.get("SOURCED_TEST_INGEST_BESIDE"):
        args = (assistant, Path(data_dir), os.environ["SOURCED_TEST_INGEST_BESIDE"])
        threading.Thread(target=ingest_when_told, args=args, daemon=True).start()
    serve(assistant, port=int(port), auth=os.environ.get("SOURCED_TEST_AUTH") or None)


if __name__ == "__main__":
    main()
