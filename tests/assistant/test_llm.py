"""The LLM layer without a real model: ScriptedLLM, helpers, load_llm choices."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import assistant.llm as llm_mod
from assistant.errors import ModelUnavailableError
from assistant.llm import LLM, OpenAICompatLLM, ScriptedLLM, chatml, load_llm, yes_from_text
from assistant.settings import Settings


def test_scripted_rules_then_queue_then_default() -> None:
    llm = ScriptedLLM(rules={"capital": "Paris."}, queue=["one", "two"], default="none")
    assert llm.complete("the capital?") == "Paris."
    assert [llm.complete("x"), llm.complete("y"), llm.complete("z")] == ["one", "two", "none"]
    assert llm.prompts == ["the capital?", "x", "y", "z"]
    assert isinstance(llm, LLM)


def test_scripted_stream_joins_to_complete_and_honours_stop() -> None:
    llm = ScriptedLLM(default="The BLA said so [1].\nQuestion: more")
    tokens = list(llm.stream("q", stop=("\nQuestion:",)))
    assert len(tokens) > 1
    assert "".join(tokens) == "The BLA said so [1]."


def test_scripted_p_yes_rules() -> None:
    llm = ScriptedLLM(yes_rules={"supported": 0.9, "wrong": 0.1}, yes_default=0.4)
    assert (llm.p_yes("a supported claim"), llm.p_yes("wrong one"), llm.p_yes("?")) == (0.9, 0.1, 0.4)


@pytest.mark.parametrize(
    ("reply", "p"), [("Yes.", 1.0), (" no, it doesn't", 0.0), ("Nope", 0.5), ("", 0.5)]
)
def test_yes_from_text(reply: str, p: float) -> None:
    assert yes_from_text(reply) == p


def test_chatml_template() -> None:
    text = chatml("Hello?")
    assert text.startswith("<|im_start|>system\n")
    assert "<|im_start|>user\nHello?<|im_end|>\n" in text
    assert text.endswith("<|im_start|>assistant\n")


def test_load_llm_extractive_and_auto_without_model(tmp_path: Path) -> None:
    absent = tmp_path / "absent.gguf"
    assert load_llm(Settings(generator="extractive", llm_model_path=absent)) is None
    assert load_llm(Settings(generator="auto", llm_model_path=absent)) is None


def test_load_llm_local_missing_model_says_make_model(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="make model") as info:
        load_llm(Settings(generator="local", llm_model_path=tmp_path / "absent.gguf"))
    assert str(tmp_path) in str(info.value)


def test_load_llm_local_and_auto_use_the_model_file(tmp_path: Path, monkeypatch) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    made: list[tuple[Path, int, int]] = []

    def fake(settings: Settings, path: Path) -> ScriptedLLM:
        made.append((path, settings.llm_threads, settings.llm_context))
        return ScriptedLLM()

    monkeypatch.setattr(llm_mod, "make_local_llm", fake)
    monkeypatch.setattr(llm_mod, "_LOCAL", {})
    for choice in ("local", "auto"):
        settings = Settings(generator=choice, llm_model_path=model, llm_threads=3, llm_context=1024)
        assert isinstance(load_llm(settings), ScriptedLLM)
    assert made == [(model.resolve(), 3, 1024)]  # one model per file and configuration


def test_the_local_model_runs_in_a_worker_unless_asked_otherwise(tmp_path: Path) -> None:
    from assistant.llm_worker import WorkerLLM

    worker = llm_mod.make_local_llm(Settings(llm_timeout=7.5), tmp_path / "m.gguf")
    assert isinstance(worker, WorkerLLM) and worker.timeout == 7.5 and worker.pid is None
    assert worker.backend_kwargs["model_path"] == str(tmp_path / "m.gguf")


def test_load_llm_openai_needs_no_server() -> None:
    llm = load_llm(Settings(generator="openai", openai_model="tiny"))
    assert isinstance(llm, OpenAICompatLLM)
    assert llm.name == "openai:tiny"


def _fake_chat(content: str, logprobs: list | None):
    def chat(messages, **kwargs):
        return SimpleNamespace(message=SimpleNamespace(content=content), logprobs=logprobs)

    return chat


def test_openai_p_yes_from_logprobs_then_from_text() -> None:
    llm = OpenAICompatLLM("http://127.0.0.1:9/v1", "tiny")
    top = [SimpleNamespace(token="Yes", logprob=-0.1), SimpleNamespace(token=" no", logprob=-2.5),
           SimpleNamespace(token="Maybe", logprob=-3.0)]
    object.__setattr__(llm, "_llm", SimpleNamespace(chat=_fake_chat("Yes", [top])))
    assert llm.p_yes("claim?") == pytest.approx(0.9168, abs=1e-3)
    object.__setattr__(llm, "_llm", SimpleNamespace(chat=_fake_chat("No.", None)))
    assert llm.p_yes("claim?") == 0.0
