"""The scale-out path: the same model behind llama.cpp's OpenAI-compatible server on 127.0.0.1.

The server is started by the test and stopped by its PID. Generation, the judge's P(yes) (from the
first token's logprobs) and a whole cited answer go through :class:`OpenAICompatLLM`, as they would
to a llama.cpp server, vLLM or Ollama on another machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.core import Assistant
from assistant.errors import ModelUnavailableError
from assistant.llm import OpenAICompatLLM, load_llm
from assistant.settings import Settings

MODEL = Settings().model_path
pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(not MODEL.is_file() and not os.environ.get("SOURCED_REQUIRE_MODEL"),
                       reason=f"local model {MODEL} absent; run `make model`"),
]


@pytest.fixture(scope="module")
def server_url(servers: Any) -> Iterator[str]:
    port = servers.free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with servers.running(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(MODEL), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", "2", "--model_alias", "qwen-local"],
        f"{url}/models", timeout=300, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ):  # fmt: skip
        yield url


def test_generation_and_the_judge_through_the_server(server_url: str) -> None:
    llm = OpenAICompatLLM(server_url, "qwen-local", timeout=120)
    assert llm.complete("Reply with the single word OK.", max_tokens=4).strip()
    assert "".join(llm.stream("Count from one to three in words.", max_tokens=12)).strip()
    yes = llm.p_yes("Is Paris the capital of France? Answer yes or no.")
    no = llm.p_yes("Is Berlin the capital of France? Answer yes or no.")
    # strictly between 0 and 1: read from logprobs, not parsed from a reply
    assert 0.5 < yes < 1.0 and 0.0 < no < 0.5


def test_a_cited_answer_from_the_server(server_url: str, real_assistant: Assistant) -> None:
    settings = real_assistant.settings.updated(generator="openai", openai_base_url=server_url,
                                               openai_model="qwen-local", retrieval="dense", answerability="cutoff")
    llm = load_llm(settings)
    assert isinstance(llm, OpenAICompatLLM)
    remote = Assistant.build(real_assistant.store, settings.updated(window=1), llm)
    answer = remote.ask("Who claimed that at least 280 Pakistani personnel were killed?")
    assert answer.generator == "llm:openai:qwen-local", answer.notes
    assert answer.citations and all(c.support is not None for c in answer.citations)


def test_an_unreachable_server_is_an_extractive_answer_with_a_note(real_assistant: Assistant, servers: Any) -> None:
    settings = real_assistant.settings.updated(generator="openai", openai_base_url=f"http://127.0.0.1:{servers.free_port()}/v1")
    llm = load_llm(settings)
    remote = Assistant.build(real_assistant.store, settings.updated(window=1), llm)
    answer = remote.ask("How much of Pakistan's territory is Balochistan?")
    assert answer.generator == "extractive" and answer.citations
    assert any("Cannot reach" in note for note in answer.notes)
    with pytest.raises(ModelUnavailableError):
        llm.complete("hello")

