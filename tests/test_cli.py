"""The ``sourced`` command line, in process with a fake assistant, and `serve --help` from elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli(attribution_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """``main`` runs against the fake attribution assistant; records how it was opened."""
    opened: dict[str, object] = {}

    def from_settings(cls: type, settings: object, *, refresh: bool = True) -> Assistant:
        opened["refresh"] = refresh
        return attribution_assistant

    monkeypatch.setattr(Assistant, "from_settings", classmethod(from_settings))
    return opened


def test_ingest_ask_claims_articles_remove(cli: dict[str, object], sample_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert main(["ingest", "--json", str(sample_path)]) == 0
    (article_id,) = json.loads(capsys.readouterr().out)["added"]
    assert main(["ask", "--json", "Who admitted that the security forces were handicapped?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["generator"] == "attribution" and payload["answer"].startswith("Khawaja Asif admitted")
    assert set(payload["citations"][0]) >= {"n", "article_id", "title", "sentence", "start", "end", "score"}
    assert main(["claims", "Asif"]) == 0 and capsys.readouterr().out.startswith("Khawaja Asif (2)\n  [1] “the Pakistani security forces")
    assert main(["articles"]) == 0 and cli["refresh"] is False
    assert article_id in capsys.readouterr().out
    assert main(["remove", "no-such-id"]) == 2
    assert capsys.readouterr().err.strip() == "error: No article with id 'no-such-id' in the index."
    assert main(["remove", article_id]) == 0 and capsys.readouterr().out == f"Removed {article_id}.\n"


def test_reindex_refreshes_once(cli: dict[str, object], sample_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(sample_path)]) == 0 and cli["refresh"] is True
    assert main(["reindex"]) == 0 and cli["refresh"] is False
    assert capsys.readouterr().out.endswith("Refreshed the attributions of 1 article(s).\n")
    assert main(["reindex"]) == 0
    assert capsys.readouterr().out == "The attributions are up to date.\n"


def test_serve_help_and_the_app_module_work_outside_the_repo(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-m", "assistant.cli", "serve", "--help"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert shown.returncode == 0 and "--port" in shown.stdout, shown.stderr
    app = subprocess.run([sys.executable, "-c", "import assistant.ui.app as a; print(callable(a.launch))"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert app.stdout.strip() == "True", app.stderr
