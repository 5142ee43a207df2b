from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.errors import InputError
from assistant.prompts import CANNOT_ANSWER


def test_answer_cites_the_exact_sentence(fake_assistant: Assistant, sample_path: Path, sample_text: str) -> None:
    fake_assistant.add([sample_path])
    answer = fake_assistant.ask("Which brigade were the 18 suicide attackers from?")
    assert not answer.refused and answer.text.endswith("[1].")
    cited = answer.citations[0]
    assert cited.sentence == "This includes 18 suicide attackers from the Majeed Brigade."
    assert sample_text[cited.start : cited.end] == cited.sentence
    assert cited.article_id == "86d868735b54c7d8"


def test_refuses_when_the_evidence_does_not_answer_and_on_empty_index(fake_assistant: Assistant,
                                                                      sample_path: Path) -> None:  # fmt: skip
    empty = fake_assistant.ask("Who won?")
    assert empty.refused and empty.notes == ("No articles are indexed yet.",)
    fake_assistant.add([sample_path])
    answer = fake_assistant.ask("zebra quantum marmalade?")
    assert answer.refused and answer.text == CANNOT_ANSWER and answer.citations == ()
    assert answer.notes[0].startswith("Refused: the evidence does not answer the question")


def test_the_old_cutoff_refuses_below_threshold(dense_assistant: Assistant, sample_path: Path) -> None:
    dense_assistant.add([sample_path])
    answer = dense_assistant.ask("zebra quantum marmalade?")
    assert answer.refused and "below the refusal threshold" in answer.notes[0]


@pytest.mark.parametrize("bad", ["", "   ", None, "x" * 2001])
def test_bad_questions_raise_input_errors(fake_assistant: Assistant, bad: object) -> None:
    with pytest.raises(InputError):
        fake_assistant.ask(bad)  # type: ignore[arg-type]


def test_stream_yields_text_then_the_answer(fake_assistant: Assistant, sample_path: Path) -> None:
    fake_assistant.add([sample_path])
    pieces = list(fake_assistant.ask("How many fighters did the BLA lose?", stream=True))
    assert isinstance(pieces[-1].text, str) and "".join(pieces[:-1]) == pieces[-1].text


def test_chat_condenses_follow_ups(fake_assistant: Assistant, sample_path: Path) -> None:
    fake_assistant.add([sample_path])
    chat = fake_assistant.chat()
    first = chat.ask("What did Khawaja Asif admit?")
    assert first.standalone_question == "What did Khawaja Asif admit?"
    follow = chat.ask("What else did he say?")
    assert follow.question == "What else did he say?"
    assert "Khawaja Asif" in follow.standalone_question
    assert len(chat.history) == 2
