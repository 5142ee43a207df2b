"""End to end with the real MiniLM embedder and a real Chroma directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.core import Assistant

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent
BLA_SENTENCE = (
    "The events in Balochistan have left the Pakistan establishment embarrassed as the Balochistan "
    "Liberation Army (BLA) has claimed that it killed at least 280 Pakistani personnel during Phase II "
    'of "Operation Herof".'
)


def sourced(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, "SOURCED_GENERATOR": "extractive"},
    )  # fmt: skip


def test_bla_question_cites_exactly_that_sentence(real_assistant: Assistant, sample_text: str) -> None:
    answer = real_assistant.ask("Who claimed that at least 280 Pakistani personnel were killed?")
    assert not answer.refused
    assert "BLA" in answer.text
    first = answer.citations[0]
    assert first.sentence == BLA_SENTENCE
    assert sample_text[first.start : first.end] == BLA_SENTENCE
    assert (first.start, first.end) == (sample_text.index(BLA_SENTENCE), sample_text.index(BLA_SENTENCE) + len(BLA_SENTENCE))


@pytest.mark.parametrize(
    "question", ["What is the capital of France?", "Who won the 2022 football World Cup final?"]
)
def test_questions_about_absent_things_are_refused(real_assistant: Assistant, question: str) -> None:
    answer = real_assistant.ask(question)
    assert answer.refused and answer.citations == ()


def test_cli_reopens_the_index_in_a_new_process(real_assistant: Assistant, real_data_dir: Path) -> None:
    result = sourced(real_data_dir, "ask", "--json", "Who claimed that at least 280 Pakistani personnel were killed?")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["refused"] is False and "BLA" in payload["answer"]
    assert payload["citations"][0]["sentence"] == BLA_SENTENCE
    assert set(payload["citations"][0]) >= {"n", "article_id", "title", "sentence", "start", "end", "score"}


def test_cli_reingest_is_a_no_op_and_errors_are_readable(real_assistant: Assistant, real_data_dir: Path) -> None:
    result = sourced(real_data_dir, "ingest", "--json", str(ROOT / "samples"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"added": [], "unchanged": ["86d868735b54c7d8"], "replaced": [], "failed": [],
                                         "encodings": {}}  # fmt: skip
    missing = sourced(real_data_dir, "remove", "no-such-id")
    assert missing.returncode == 2 and missing.stderr.strip() == "error: No article with id 'no-such-id' in the index."


@pytest.mark.app
def test_sourced_serve_round_trip_from_another_directory(
    real_assistant: Assistant, real_data_dir: Path, tmp_path: Path, servers: Any
) -> None:
    from gradio_client import Client

    port = servers.free_port()
    env = {**os.environ, "SOURCED_GENERATOR": "extractive", "PYTHONPATH": str(ROOT)}
    url = f"http://127.0.0.1:{port}/"
    with (tmp_path / "app.log").open("w") as log, servers.running(  # `sourced serve`, started outside the repository
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(real_data_dir), "serve", "--host", "127.0.0.1",
         "--port", str(port)], url, timeout=180, cwd=real_data_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
    ):  # fmt: skip
        reply = Client(url, verbose=False).predict("Who admitted that the security forces were handicapped?", [],
                                                   api_name="/ask")  # fmt: skip
    assert "Khawaja Asif" in reply["answer"] and reply["citations"][0]["n"] == 1
    assert "handicapped" in reply["citations"][0]["sentence"] and not reply["refused"]


def test_attributions_from_an_older_extractor_are_refreshed_on_open(tmp_path: Path, sample_path: Path) -> None:
    from assistant.settings import Settings
    from index.attribution import extractor_version

    settings = Settings(generator="extractive")
    first = Assistant.open(tmp_path, settings)
    (article_id,) = first.add([sample_path]).added
    assert first.store.meta("extractor") == extractor_version()
    claims = first.claims()
    first.store.replace_attributions(article_id, [], {})  # as if an old extractor had found nothing
    first.store.set_meta("extractor", "an-older-version")
    assert first.store.attributions() == []
    first.close()

    again = Assistant.open(tmp_path, settings)
    assert again.store.meta("extractor") == extractor_version() and again.claims() == claims
    answer = again.ask("Who admitted that the security forces were handicapped?")
    assert "Khawaja Asif" in answer.text


def test_the_real_store_caps_blas_threads_as_settings_say(real_assistant: Assistant) -> None:
    """numpy's BLAS threads spin on the encoder's cores (``Settings.blas_threads``, default 1)."""
    from threadpoolctl import threadpool_info

    assert real_assistant.settings.blas_threads == 1
    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and set(blas) == {1}
