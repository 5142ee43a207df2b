"""The web app over the test assistant (hash embedder, the conftest's stand-in extractor, extractive
answers), for the browser test: ``python tests/ui/serve.py DATA_DIR PORT [ARTICLE …]``.

Everything above the assistant is the real app (:func:`assistant.ui.app.build_app`, its CSS and
endpoints); only the models are swapped, so the page is up in seconds on a busy machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the conftest beside this folder

from assistant.ui.app import CSS, build_app
from conftest import fake_extractor, make_fake_assistant


def main() -> None:
    data_dir, port, *articles = sys.argv[1:]
    assistant = make_fake_assistant(Path(data_dir), extractor=fake_extractor, refusal_threshold=0.3)
    if articles:
        assistant.add(articles)
    build_app(assistant).queue().launch(server_name="127.0.0.1", server_port=int(port), css=CSS, show_error=True)


if __name__ == "__main__":
    main()
