"""ChatSession: history, condensing, "what else" leaving out what was cited, streaming, reset."""

from __future__ import annotations

from pathlib import Path

from assistant import Answer, Assistant

ASIF = ("Even Pakistan’s Defence Minister, Khawaja Asif, admitted that the Pakistani security forces were "
        "handicapped against the Baloch rebels.")  # fmt: skip
NEED = ("He also said that there is a need to deploy a massive amount of forces, and ruled out any talks "
        "with the BLA.")  # fmt: skip


def test_what_else_leaves_out_the_sentences_already_cited(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    chat = attribution_assistant.chat()
    first = chat.ask("What did Khawaja Asif admit?")
    assert [c.sentence for c in first.citations] == [ASIF]
    again = chat.ask("What else did he say?")
    assert again.standalone_question == "What else did Khawaja Asif say?"
    assert again.generator == "attribution" and [c.sentence for c in again.citations] == [NEED]


def test_without_else_nothing_is_left_out(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    chat = attribution_assistant.chat()
    first = chat.ask("What did the BLA say?").citations
    assert len(first) == 3 and chat.ask("What did the BLA say?").citations == first


def test_streamed_turns_enter_the_history_and_reset_forgets(fake_assistant: Assistant, sample_path: Path) -> None:
    fake_assistant.add([sample_path])
    chat = fake_assistant.chat()
    *_, answer = chat.ask("What did Khawaja Asif admit?", stream=True)
    assert isinstance(answer, Answer) and chat.history == [("What did Khawaja Asif admit?", answer)]
    follow = chat.ask("What else did he say?")
    assert follow.standalone_question == "What else did Khawaja Asif say?"
    chat.reset()
    assert chat.history == [] and chat.ask("What else did he say?").standalone_question == "What else did he say?"
