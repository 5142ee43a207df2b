"""The supervised model worker: real child processes running the scripted backend.

Crashes (SIGKILL, SIGSEGV), hangs (SIGSTOP) and load failures must become typed errors, and the
next call must get a fresh worker.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.errors import LLMFailedError, ModelUnavailableError
from assistant.llm import ScriptedLLM
from assistant.llm_worker import WorkerLLM, describe_exit
from assistant.model_file import MODEL_SPEC, check_model_file

SCRIPTED = "assistant.llm:ScriptedLLM"
LONG = " ".join(f"word{i}" for i in range(40)) + "."


def scripted_worker(timeout: float = 20.0, **kwargs: object) -> WorkerLLM:
    return WorkerLLM(backend=SCRIPTED, backend_kwargs=kwargs, timeout=timeout, start_timeout=60.0)


def test_results_are_the_backends_own() -> None:
    kwargs = {"rules": {"capital": "Paris is the capital [1]."}, "yes_rules": {"Paris": 0.875}}
    direct, worker = ScriptedLLM(**kwargs), scripted_worker(**kwargs)
    try:
        for prompt in ("What is the capital?", "Something else"):
            assert worker.complete(prompt) == direct.complete(prompt)
            assert list(worker.stream(prompt)) == list(direct.stream(prompt))
        assert worker.p_yes("Is Paris big?") == direct.p_yes("Is Paris big?") == 0.875
        assert worker.complete("capital", stop=("capital [",)) == direct.complete("capital", stop=("capital [",))
        assert worker.restarts == 0
    finally:
        worker.close()
    assert worker.pid is None


def test_sigkill_mid_stream_is_a_typed_error_and_the_next_call_restarts() -> None:
    worker = scripted_worker(default=LONG, delay=0.2)
    try:
        stream = worker.stream("go")
        assert next(stream).startswith("word0")
        first_pid = worker.pid
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        with pytest.raises(LLMFailedError, match="killed"):
            list(stream)
        assert worker.pid is None
        assert worker.complete("again") == LONG
        assert worker.pid not in (None, first_pid)
    finally:
        worker.close()


def test_a_native_crash_names_the_cause_and_the_fix() -> None:
    worker = scripted_worker(default=LONG, delay=0.2)
    try:
        stream = worker.stream("go")
        next(stream)
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGSEGV)
        with pytest.raises(LLMFailedError, match=r"SIGSEGV.*make install"):
            list(stream)
    finally:
        worker.close()
    assert "SIGILL" in describe_exit(-signal.SIGILL) and "make install" in describe_exit(-signal.SIGILL)


def test_a_hung_worker_times_out_and_is_replaced() -> None:
    worker = scripted_worker(timeout=1.5, default=LONG, delay=0.1)
    try:
        stream = worker.stream("go")
        next(stream)
        hung = worker.pid
        assert hung is not None
        os.kill(hung, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(LLMFailedError, match=r"made no progress for 2 s"):
            list(stream)
        assert time.monotonic() - started < 15
        with pytest.raises(ProcessLookupError):  # the hung worker was killed, not left behind
            for _ in range(50):
                os.kill(hung, 0)
                time.sleep(0.1)
        assert worker.p_yes("x") == 0.5
    finally:
        worker.close()


def test_a_slow_but_working_worker_is_not_taken_for_hung() -> None:
    """CPU spent counts as progress: a busy worker keeps its answer, up to max_wait."""
    worker = scripted_worker(timeout=0.5, default="done", busy=2.0)
    try:
        assert worker.complete("x") == "done"  # 2 s of work, 0.5 s limit on silence without work
        worker.max_wait = 1.0
        with pytest.raises(LLMFailedError, match=r"did not answer within 1 s"):
            worker.complete("x")
    finally:
        worker.close()


def test_a_sleeping_worker_is_hung() -> None:
    worker = scripted_worker(timeout=0.5, default="done " * 5, delay=2.0)
    try:
        with pytest.raises(LLMFailedError, match=r"made no progress"):
            list(worker.stream("x"))
    finally:
        worker.close()


def test_an_abandoned_stream_is_cancelled_and_the_worker_stays_usable() -> None:
    worker = scripted_worker(rules={"long": LONG, "short": "Short one."}, delay=0.05)
    try:
        stream = worker.stream("long")
        next(stream)
        stream.close()
        assert worker.complete("short") == "Short one."
        assert worker.restarts == 0
    finally:
        worker.close()


def test_a_backend_that_cannot_load_is_a_clear_remembered_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 4096)
    worker = WorkerLLM(backend_kwargs={"model_path": str(bad), "n_ctx": 512}, start_timeout=120)
    with pytest.raises(ModelUnavailableError, match="could not be loaded"):
        worker.complete("hello")
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match="could not be loaded"):  # remembered: no new worker
        worker.complete("hello")
    assert time.monotonic() - started < 1 and worker.pid is None


def test_a_failing_request_leaves_the_worker_alive() -> None:
    worker = WorkerLLM(backend="assistant.llm:ScriptedLLM", backend_kwargs={"default": "ok"})
    try:
        worker.start()
        pid = worker.pid
        assert worker._conn is not None
        worker._conn.send(("nonsense",))
        with pytest.raises(LLMFailedError, match="unknown request"):
            worker._recv(5)
        assert worker.complete("x") == "ok" and worker.pid == pid
    finally:
        worker.close()


def test_model_file_checks(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="missing"):
        check_model_file(tmp_path / "absent.gguf")
    html = tmp_path / "model.gguf"
    html.write_bytes(b"<html>proxy error</html>")
    with pytest.raises(ModelUnavailableError, match="not a GGUF file"):
        check_model_file(html)
    truncated = tmp_path / MODEL_SPEC.file_name
    truncated.write_bytes(b"GGUF" + b"\x00" * 100)
    with pytest.raises(ModelUnavailableError, match="truncated"):
        check_model_file(truncated)


# -- the assistant's fallback ----------------------------------------------------------------
DRAFT = "The Balochistan Liberation Army claimed it killed 280 personnel [1]."


def _assistant_with(base: Assistant, llm: object, sample_path: Path) -> Assistant:
    base.add([sample_path])
    always = base.settings.updated(refusal_threshold=-1.0, answerability="cutoff")  # never refuse
    return Assistant.build(base.store, always, llm)  # type: ignore[arg-type]


def test_worker_killed_mid_answer_gives_an_extractive_answer_then_recovers(
    fake_assistant: Assistant, sample_path: Path
) -> None:
    worker = scripted_worker(default=DRAFT + " " + LONG, delay=0.15, yes_default=0.95)
    assistant = _assistant_with(fake_assistant, worker, sample_path)
    try:
        pieces = assistant.ask("How many personnel were killed?", stream=True)
        assert isinstance(next(pieces), str)
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        answer = list(pieces)[-1]
        assert answer.generator == "extractive" and answer.citations and not answer.refused
        assert any("killed" in note and "best matching sentence" in note for note in answer.notes)
        worker.backend_kwargs["delay"] = 0.0
        again = assistant.ask("How many personnel were killed?")
        assert again.generator.startswith("llm:") and worker.restarts == 1
    finally:
        worker.close()


def test_a_model_that_cannot_load_answers_extractively_with_a_note(
    fake_assistant: Assistant, tmp_path: Path, sample_path: Path
) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x01" * 2048)
    worker = WorkerLLM(backend_kwargs={"model_path": str(bad), "n_ctx": 512}, start_timeout=120)
    assistant = _assistant_with(fake_assistant, worker, sample_path)
    problem = assistant.warm_up()
    assert problem is not None and "could not be loaded" in problem
    answer = assistant.ask("How many personnel were killed?")
    assert answer.generator == "extractive" and answer.citations
    assert any("could not be loaded" in note for note in answer.notes)


def test_an_explicit_local_generator_refuses_a_truncated_model(tmp_path: Path) -> None:
    from assistant.llm import load_llm
    from assistant.settings import Settings

    truncated = tmp_path / MODEL_SPEC.file_name
    truncated.write_bytes(b"GGUF" + b"\x00" * 100)
    settings = Settings(data_dir=tmp_path / "d", generator="local", llm_model_path=truncated)
    with pytest.raises(ModelUnavailableError, match="truncated"):
        load_llm(settings)
    assert load_llm(settings.updated(generator="extractive")) is None
