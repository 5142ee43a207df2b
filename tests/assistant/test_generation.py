"""LLMGenerator prompt building and drafting, with a scripted LLM."""

from __future__ import annotations

from assistant.generation import (
    EVIDENCE_TOKEN_BUDGET,
    LLMGenerator,
    approx_tokens,
    evidence_line,
    is_refusal,
)
from assistant.llm import ScriptedLLM
from assistant.prompts import CANNOT_ANSWER, load_prompt
from assistant.types import Hit
from index.types import Sentence


def hit(text: str, i: int = 0, speaker: str | None = None, score: float = 0.5) -> Hit:
    return Hit(Sentence("a1", i, 0, len(text), text), score, title="Balochistan report",
               date="2026-02-04", speaker=speaker)


HITS = [
    hit("The BLA has claimed that it killed at least 280 Pakistani personnel.", 0, "BLA", 0.8),
    hit("This is due to the sheer size of the Balochistan province, he said.", 9, "Khawaja Asif"),
    hit("Many are not interested in this battle.", 5),
]


def test_prompt_numbers_evidence_with_speaker_only_when_known() -> None:
    prompt, shown = LLMGenerator(ScriptedLLM()).build_prompt("Who claimed 280?", HITS)
    assert shown == HITS
    assert "[1] (Balochistan report, 2026-02-04; speaker: BLA) The BLA has claimed" in prompt
    assert "[2] (Balochistan report, 2026-02-04; speaker: Khawaja Asif) This is due" in prompt
    assert "[3] (Balochistan report, 2026-02-04) Many are not" in prompt
    assert "Question: Who claimed 280?" in prompt
    assert CANNOT_ANSWER in prompt


def test_prompt_file_asks_for_markers_and_refusal() -> None:
    text = load_prompt("answer", frozenset({"evidence", "question"}))
    assert "like [4]" in text and CANNOT_ANSWER in text


def test_evidence_stays_within_budget_dropping_lowest_ranked() -> None:
    many = [hit(f"Sentence number {i} says something fairly long about the battle in the province "
                f"and the forces deployed there by the army.", i) for i in range(40)]
    gen = LLMGenerator(ScriptedLLM())
    prompt, shown = gen.build_prompt("What happened?", many)
    assert 1 < len(shown) < len(many)
    assert shown == many[: len(shown)]
    evidence = "\n".join(evidence_line(i, h) for i, h in enumerate(shown, start=1))
    assert approx_tokens(evidence) <= EVIDENCE_TOKEN_BUDGET
    assert f"[{len(shown)}]" in prompt and f"[{len(shown) + 1}]" not in prompt


def test_one_huge_sentence_is_cut_to_budget() -> None:
    huge = hit("word " * 1000)
    prompt, shown = LLMGenerator(ScriptedLLM(), budget=50).build_prompt("q?", [huge])
    assert shown == [huge]
    assert approx_tokens(prompt) < 200


def test_stream_passes_prompt_and_returns_text() -> None:
    llm = ScriptedLLM(default="The BLA claimed it [1].")
    gen = LLMGenerator(llm, max_tokens=50)
    assert "".join(gen.stream("Who claimed 280?", HITS)) == "The BLA claimed it [1]."
    assert "speaker: BLA" in llm.prompts[0]


def test_refusals_are_recognised_and_no_hits_skip_the_llm() -> None:
    llm = ScriptedLLM(default="The articles don’t say. Sorry.")
    gen = LLMGenerator(llm)
    assert is_refusal("".join(gen.stream("Who won?", HITS)))
    assert list(gen.stream("Who won?", [])) == [CANNOT_ANSWER]
    assert len(llm.prompts) == 1
    assert is_refusal("") and not is_refusal("Asif said it [1].")
