"""ChatSession: history, condensing, "what else" leaving out what was cited, streaming, reset."""

from __future__ import annotations

from pathlib import Path

from assistant import Answer, Assistant

BLA_280_START = "The events in Balochistan have left the Pakistan establishment embarrassed"


def test_what_else_leaves_out_the_sentences_already_cited(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    chat = attribution_assistant.chat()
    first = chat.ask("What did the BLA claim?")
    assert [c.sentence[:73] for c in first.citations] == [BLA_280_START]
    again = chat.ask("What else did the BLA claim?")
    assert again.generator == "attribution" and again.citations
    assert not any(c.sentence.startswith(BLA_280_START) for c in again.citations)
    assert "The BLA has said that it lost 35 of its fighters." in [c.sentence for c in again.citations]


def test_without_else_nothing_is_left_out(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    chat = attribution_assistant.chat()
    assert chat.ask("What did the BLA claim?").citations == chat.ask("What did the BLA claim?").citations


def test_streamed_turns_enter_the_history_and_reset_forgets(fake_assistant: Assistant, sample_path: Path) -> None:
    fake_assistant.add([sample_path])
    chat = fake_assistant.chat()
    *_, answer = chat.ask("What did Khawaja Asif admit?", stream=True)
    assert isinstance(answer, Answer) and chat.history == [("What did Khawaja Asif admit?", answer)]
    follow = chat.ask("What else did he say?")
    assert follow.standalone_question == "What else did Khawaja Asif say?"
    chat.reset()
    assert chat.history == [] and chat.ask("What else did he say?").standalone_question == "What else did he say?"
