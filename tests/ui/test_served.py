"""The app as served, on loopback: 20 chat sessions through ``gradio_client`` at once while the
server ingests beside them, behind a login; uploads size-limited and stored under the data dir.

The server is ``tests/ui/serve.py`` (the real app over the hash-embedder assistant) in a child
process on a free port of 127.0.0.1, stopped by its PID.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GARDEN, SAMPLE
from tests.conftest import TWO_TURN_CHATS as QUESTIONS

pytest.importorskip("gradio_client")
pytestmark = pytest.mark.app

ROOT = Path(__file__).resolve().parents[2]
AUTH = ("ana", "s3cret pw")
LIMIT_MB = 0.05  # the server's max_file_mb: uploads above ~52 kB are refused


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, servers: Any) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("served")
    garden = root / "garden"
    garden.mkdir()
    for n in range(6):
        (garden / f"garden-{n}.txt").write_text(GARDEN.format(n=n) * 3, encoding="utf-8")
    port = servers.free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "SOURCED_TEST_AUTH": ":".join(AUTH), "SOURCED_TEST_INGEST_BESIDE": str(garden),
           "SOURCED_MAX_FILE_MB": str(LIMIT_MB), "GRADIO_TEMP_DIR": str(root / "elsewhere")}  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    with (root / "app.log").open("w") as log, servers.running(
        [sys.executable, str(ROOT / "tests" / "ui" / "serve.py"), str(root / "data"), str(port), str(SAMPLE)],
        url, timeout=900, stdout=log, stderr=subprocess.STDOUT, env=env,
    ):  # fmt: skip
        yield url, root / "data"


def _client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, auth=AUTH, verbose=False, download_files=False, httpx_kwargs={"timeout": 600})


def _session(client: Any, questions: tuple[str, str]) -> list[tuple[str, str, list[str]]]:
    """One conversation: each turn sends this session's own history."""
    history: list[list[Any]] = []
    turns = []
    for q in questions:
        answer = client.predict(q, history, api_name="/ask")
        history.append([q, answer])
        turns.append((answer["standalone_question"], answer["answer"], [c["sentence"] for c in answer["citations"]]))
    assert [h[0] for h in history] == list(questions)
    return turns


def test_twenty_client_sessions_beside_an_ingest_match_the_sequential_run(served: tuple[str, Path]) -> None:
    url, data_dir = served
    sessions = [QUESTIONS[i % len(QUESTIONS)] for i in range(20)]
    one = _client(url)
    sequential = [_session(one, qs) for qs in sessions]
    assert all(turns[0][2] for turns in sequential[:3])  # real answers with citations, not refusals

    clients = [_client(url) for _ in sessions]  # 20 connections, then 20 conversations at once
    (data_dir / "go").touch()  # the server starts ingesting the garden folder now
    with ThreadPoolExecutor(max_workers=20) as pool:
        concurrent = list(pool.map(_session, clients, sessions, timeout=1200))
    deadline = time.monotonic() + 300
    while not (data_dir / "ingested.json").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    report = json.loads((data_dir / "ingested.json").read_text(encoding="utf-8"))
    assert len(report["added"]) == 6 and not report["failed"]
    assert concurrent == sequential


def test_the_api_needs_the_login(served: tuple[str, Path]) -> None:
    import httpx
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    url, _ = served
    with pytest.raises(ValueError, match="Could not login"):
        Client(url, auth=(AUTH[0], "wrong"), verbose=False)
    with pytest.raises(AuthenticationError, match="credentials were not provided"):
        Client(url, verbose=False)
    assert httpx.post(f"{url}login", data={"username": AUTH[0], "password": "wrong"}, timeout=30).status_code == 400


def test_uploads_are_size_limited_and_stored_under_the_data_dir(served: tuple[str, Path]) -> None:
    import httpx

    url, data_dir = served
    with httpx.Client(base_url=url, timeout=60) as http:
        assert http.post("login", data={"username": AUTH[0], "password": AUTH[1]}).status_code == 200
        big = http.post("gradio_api/upload", files={"files": ("big.txt", b"word " * 20_000)})  # 100 kB
        assert big.status_code == 413
        small = http.post("gradio_api/upload", files={"files": ("small.txt", b"The mayor said so.\n")})
        assert small.status_code == 200, small.text
    [stored] = small.json()
    assert Path(stored).resolve().is_relative_to((data_dir / "uploads").resolve()) and Path(stored).is_file()
    elsewhere = data_dir.parent / "elsewhere"  # the environment's GRADIO_TEMP_DIR holds no file
    assert not [p for p in elsewhere.rglob("*") if p.is_file()]


def test_the_app_binds_loopback_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.ui import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(app, "launch", lambda settings, host, port, auth: seen.update(host=host, auth=auth))
    app.main([])
    assert seen == {"host": "127.0.0.1", "auth": None}
    assert inspect.signature(app.serve).parameters["host"].default == "127.0.0.1"
