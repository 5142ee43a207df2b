"""Follow-up condensing: rules and LLM with fallback."""

from __future__ import annotations

import pytest

from assistant.condense import LLMCondenser, RuleCondenser, needs_context
from assistant.llm import ScriptedLLM

ASIF = [("What did Khawaja Asif admit?",
         "Khawaja Asif admitted that the Pakistani security forces were handicapped [1].")]
BLA = [("Who claimed that at least 280 Pakistani personnel were killed?",
        "The Balochistan Liberation Army (BLA) claimed it killed at least 280 personnel [1].")]


@pytest.mark.parametrize(
    ("history", "question", "expected"),
    [
        (ASIF, "What else did he say?", "What else did Khawaja Asif say?"),
        (ASIF, "What else?", "What else did Khawaja Asif say?"),
        (ASIF, "Why did he say that?", "Why did Khawaja Asif say that?"),
        (ASIF, "What did his ministry deny?", "What did Khawaja Asif’s ministry deny?"),
        (ASIF, "And the BLA?", "What did the BLA admit?"),
        (BLA, "How many fighters did they lose?",
         "How many fighters did Balochistan Liberation Army lose?"),
        ([("Who is Pakistan's Defence Minister?", "Khawaja Asif [1]."), ("What did he admit?", "")],
         "What did he say it was due to?", "What did Khawaja Asif say it was due to?"),
    ],
)
def test_rule_condenser(history, question: str, expected: str) -> None:
    assert RuleCondenser().condense(history, question) == expected


def test_rule_condenser_prefers_given_speaker_and_leaves_standalone_questions() -> None:
    rules = RuleCondenser()
    assert rules.condense(ASIF, "What did he say?", speaker="Imran Khan") == "What did Imran Khan say?"
    assert rules.condense(ASIF, "Who is Imran Khan?") == "Who is Imran Khan?"
    assert rules.condense([], "What did he say?") == "What did he say?"
    assert needs_context("and the army?") and not needs_context("Who won the vote?")


def test_llm_condenser_uses_the_model_output() -> None:
    llm = ScriptedLLM(default="Standalone question: What else did Khawaja Asif say?")
    out = LLMCondenser(llm).condense(ASIF, "What else did he say?")
    assert out == "What else did Khawaja Asif say?"
    assert "User: What did Khawaja Asif admit?" in llm.prompts[0]
    assert "[1]" not in llm.prompts[0]


@pytest.mark.parametrize(
    "bad",
    ["", "He said Balochistan is over 40 per cent of Pakistan [2].",
     "Khawaja Asif said that the size of the province made it hard to deploy forces. " * 3,
     "Khawaja Asif said the forces faced geographical challenges"],
)
def test_llm_condenser_falls_back_to_rules_on_bad_output(bad: str) -> None:
    out = LLMCondenser(ScriptedLLM(default=bad)).condense(ASIF, "What else did he say?")
    assert out == "What else did Khawaja Asif say?"


def test_llm_condenser_without_history_does_not_call_the_model() -> None:
    llm = ScriptedLLM(default="nonsense")
    assert LLMCondenser(llm).condense([], " What did he say? ") == "What did he say?"
    assert llm.prompts == []


def test_ordinary_wh_questions_are_not_elliptical() -> None:
    assert not needs_context("How many fighters did the BLA lose?")
    assert RuleCondenser().condense(ASIF, "When did the BLA attack?") == "When did the BLA attack?"
    assert RuleCondenser().condense(ASIF, "Why?") == "Why did Khawaja Asif say that?"
