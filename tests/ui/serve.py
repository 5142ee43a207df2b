"""The web app over the test assistant (hash embedder, the conftest's stand-in extractor, extractive
answers), for the browser tests: ``python tests/ui/serve.py DATA_DIR PORT [ARTICLE …] [--auth USER:PASS]``.

Everything above the assistant is the real app (:func:`assistant.ui.app.serve`: its layout, CSS,
endpoints and login); only the models are swapped, so the page is up in seconds on a busy machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main() -> None:
    # Imported here, not when pytest collects this file (there ``conftest`` is tests/ui/'s).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/conftest.py, before tests/ui/'s
    from assistant.ui.app import serve
    from conftest import fake_extractor, make_fake_assistant

    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("articles", nargs="*")
    parser.add_argument("--auth", default=None)
    args = parser.parse_args()
    assistant = make_fake_assistant(args.data_dir, extractor=fake_extractor, refusal_threshold=0.3)
    if args.articles:
        assistant.add(args.articles)
    serve(assistant, "127.0.0.1", args.port, args.auth)


if __name__ == "__main__":
    main()
