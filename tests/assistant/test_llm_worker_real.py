"""The real local model in its worker: killed, hung, truncated or corrupt, the app keeps answering.

Skipped only when the model file is absent and SOURCED_REQUIRE_MODEL is unset (`make test` sets it).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.llm_worker import WorkerLLM
from assistant.model_file import MODEL_SPEC
from assistant.settings import Settings
from assistant.types import Answer

MODEL = Settings().model_path
pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(not MODEL.is_file() and not os.environ.get("SOURCED_REQUIRE_MODEL"),
                       reason=f"local model {MODEL} absent; run `make model`"),
]
PLAIN = "How much of Pakistan's territory is Balochistan?"  # no attribution: the generator's route
QUESTION = "Who claimed that at least 280 Pakistani personnel were killed?"  # the LLM answers it reliably


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory, sample_path_module: Path) -> Iterator[Assistant]:
    data = tmp_path_factory.mktemp("worker-data")
    full = Assistant.open(data, Settings(generator="local", llm_model_path=MODEL))
    full.add([sample_path_module])
    # without the attribution index, so that the question goes to the LLM
    # and on the dense route, whose answer to QUESTION the judge accepts (see test_assistant_llm)
    yield Assistant.build(full.store, full.settings.updated(window=1, retrieval="dense", answerability="cutoff"),
                          full.llm)


@pytest.fixture(scope="module")
def sample_path_module() -> Path:
    return Path(__file__).resolve().parents[2] / "samples" / "balochistan-ians-2026-02-04.txt"


def _worker(assistant: Assistant) -> WorkerLLM:
    assert isinstance(assistant.llm, WorkerLLM), "the local model must run in a worker by default"
    return assistant.llm


def _ask_and_signal(assistant: Assistant, sig: signal.Signals, timeout: float | None = None) -> Answer:
    """Ask QUESTION; once the first token has streamed, send ``sig`` to the model's worker
    (with ``timeout``, first shorten the worker's silence limit to that)."""
    pieces = assistant.ask(QUESTION, stream=True)
    first = next(pieces)
    assert isinstance(first, str), first
    if timeout is not None:
        _worker(assistant).timeout = timeout
    pid = _worker(assistant).pid
    assert pid is not None
    os.kill(pid, sig)
    final = list(pieces)[-1]
    assert isinstance(final, Answer)
    return final


def test_the_model_answers_from_its_worker(local: Assistant) -> None:
    answer = local.ask(QUESTION)
    assert answer.generator.startswith("llm:local:"), answer.notes
    assert "BLA" in answer.text or "Balochistan Liberation Army" in answer.text
    assert _worker(local).pid not in (None, os.getpid())


def test_sigkill_mid_answer_falls_back_and_the_next_question_gets_a_new_worker(local: Assistant) -> None:
    worker = _worker(local)
    before = worker.restarts
    answer = _ask_and_signal(local, signal.SIGKILL)
    assert answer.generator == "extractive" and answer.citations and not answer.refused
    assert any("killed" in note for note in answer.notes), answer.notes
    again = local.ask(QUESTION)
    assert again.generator.startswith("llm:local:"), again.notes
    assert worker.restarts == before + 1


def test_a_hung_worker_times_out_into_the_extractive_answer(local: Assistant) -> None:
    worker = _worker(local)
    saved = worker.timeout
    try:
        answer = _ask_and_signal(local, signal.SIGSTOP, timeout=3.0)
    finally:
        worker.timeout = saved
    assert answer.generator == "extractive" and answer.citations
    assert any("made no progress for 3 s" in note for note in answer.notes), answer.notes
    assert local.ask(QUESTION).generator.startswith("llm:local:")


def test_a_truncated_model_is_reported_at_open_and_answers_are_extractive(
    tmp_path: Path, sample_path_module: Path
) -> None:
    truncated = tmp_path / MODEL_SPEC.file_name
    with MODEL.open("rb") as src:
        truncated.write_bytes(src.read(4 * 1024 * 1024))
    assistant = Assistant.open(tmp_path / "data", Settings(generator="auto", llm_model_path=truncated))
    assert assistant.llm_problem and "truncated" in assistant.llm_problem
    assistant.add([sample_path_module])
    answer = assistant.ask(PLAIN)
    assert answer.generator == "extractive" and answer.citations
    assert any("truncated" in note for note in answer.notes)


def test_a_corrupt_model_fails_at_warm_up_not_in_the_app(tmp_path: Path, sample_path_module: Path) -> None:
    corrupt = tmp_path / "other-model.gguf"  # not the pinned name: only loading can tell
    with MODEL.open("rb") as src:
        corrupt.write_bytes(src.read(2 * 1024 * 1024))
    assistant = Assistant.open(tmp_path / "data", Settings(generator="auto", llm_model_path=corrupt))
    problem = assistant.warm_up()
    assert problem is not None and "could not be loaded" in problem
    assistant.add([sample_path_module])
    answer = assistant.ask(PLAIN)
    assert answer.generator == "extractive" and answer.citations
    assert any("could not be loaded" in note for note in answer.notes)
