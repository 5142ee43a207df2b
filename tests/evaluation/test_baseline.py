"""The LlamaIndex baseline with a mock embedder: offsets mapped back, no global Settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from llama_index.core import Settings as LlamaSettings
from llama_index.core.embeddings import MockEmbedding

from evaluation.baseline import LlamaIndexBaseline, read_corpus, wrap_llm
from evaluation.gold import load_gold
from evaluation.runner import run_eval
from index.types import Article

ROOT = Path(__file__).resolve().parents[2]
TEXT = ("Khawaja Asif admitted that the forces were handicapped. The BLA said it lost 35 fighters."
        "\n\nOfficials say the admission says it all.")


@pytest.fixture(autouse=True)
def _no_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def article() -> Article:
    return Article(id="art", title="Title", text=TEXT)


def test_retrieval_only_answer_maps_citations_to_offsets() -> None:
    base = LlamaIndexBaseline([article()], embed_model=MockEmbedding(embed_dim=8), chunk_size=64)
    answer = base.ask("Who admitted that the forces were handicapped?")
    assert not answer.refused and answer.text.endswith("[1]")
    cite = answer.citations[0]
    assert cite.article_id == "art" and TEXT[cite.start : cite.end] == cite.sentence
    assert cite.sentence.startswith("Khawaja Asif admitted")
    assert answer.retrieved and all(
        TEXT[h.sentence.start : h.sentence.end] == h.sentence.text for h in answer.retrieved)
    assert LlamaSettings._llm is None and LlamaSettings._embed_model is None
    assert "retrieval only" in base.notes[0]


class ScriptedLLM:
    """The project's LLM interface: ``complete(prompt, max_tokens=..., stop=...) -> str``."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.prompts: list[str] = []

    def complete(self, prompt: str, max_tokens: int = 16, stop: Any = None) -> str:
        self.prompts.append(prompt)
        return self.reply


def test_llm_answer_uses_the_wrapped_llm_and_maps_each_marker() -> None:
    llm = ScriptedLLM("The BLA said it lost 35 fighters [1].")
    base = LlamaIndexBaseline([article()], embed_model=MockEmbedding(embed_dim=8), llm=llm,
                              chunk_size=512)
    answer = base.ask("How many fighters did the BLA lose?")
    assert llm.prompts and "Source 1:" in llm.prompts[0]
    assert answer.text == "The BLA said it lost 35 fighters [1]."
    (cite,) = answer.citations
    assert cite.sentence == "The BLA said it lost 35 fighters." == TEXT[cite.start : cite.end]
    assert LlamaSettings._llm is None
    refusal = LlamaIndexBaseline([article()], embed_model=MockEmbedding(embed_dim=8),
                                 llm=ScriptedLLM("The sources do not mention it.")).ask("PM?")
    assert refusal.refused


def test_wrap_llm_forwards_completions() -> None:
    llm = ScriptedLLM("ok")
    wrapped = wrap_llm(llm, context_window=1024, max_tokens=32)
    assert wrapped.complete("hello").text == "ok" and llm.prompts == ["hello"]
    assert wrapped.metadata.context_window == 1024 and wrapped.metadata.num_output == 32


def test_baseline_runs_through_the_runner_on_the_sample_article() -> None:
    articles = read_corpus([ROOT / "samples"])
    assert [a.id for a in articles] == ["86d868735b54c7d8"]
    base = LlamaIndexBaseline(articles, embed_model=MockEmbedding(embed_dim=8))
    items = load_gold(ROOT / "eval" / "sample-gold.jsonl")
    result = run_eval(items, base, limit=6, progress=False, system="llamaindex")
    assert result.summary.n == 6 and result.summary.errors == 0
    text = articles[0].text
    for r in result.items:
        assert r.answer is not None
        for c in r.answer.citations:
            assert text[c.start : c.end] == c.sentence
