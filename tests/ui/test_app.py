"""The web app's chat function, without a browser: one ChatSession per browser session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant

pytest.importorskip("gradio")

from assistant.ui.app import describe, render, responder


@dataclass
class Request:
    session_hash: str


def ask(respond: Any, message: str, history: list[dict[str, str]], session: str) -> str:
    *_, final = respond(message, history, Request(session))
    history += [{"role": "user", "content": message}, {"role": "assistant", "content": final}]
    return str(final)


ASIF = "Khawaja Asif, admitted that the Pakistani security forces were handicapped"
NEED = "He also said that there is a need to deploy a massive amount of forces"


def test_follow_ups_use_the_sessions_real_history(attribution_assistant: Assistant, sample_path: Path) -> None:
    """The browser's history is rendered markdown; the session behind it keeps the real citations,
    so "what else" condenses against the last answer and leaves out what it cited."""
    attribution_assistant.add([sample_path])
    respond = responder(attribution_assistant)
    history: list[dict[str, str]] = []
    first = ask(respond, "What did Khawaja Asif admit?", history, "browser-1")
    assert "**Sources**" in first and ASIF in first and NEED not in first
    follow = ask(respond, "What else did he say?", history, "browser-1")
    assert "*Understood as:* What else did Khawaja Asif say?" in follow
    assert NEED in follow and ASIF not in follow
    # another browser session starts from nothing: its pronoun has no referent
    other = ask(respond, "What else did he say?", [], "browser-2")
    assert "Understood as" not in other and NEED not in other


def test_a_cleared_chat_starts_a_new_session(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    respond = responder(attribution_assistant)
    ask(respond, "What did Khawaja Asif admit?", [], "browser-1")
    again = ask(respond, "What else did he say?", [], "browser-1")  # the user cleared the chat
    assert "Understood as" not in again


def test_rendered_answer_and_description(fake_assistant: Assistant, sample_path: Path) -> None:
    fake_assistant.add([sample_path])
    answer = fake_assistant.ask("Which brigade were the 18 suicide attackers from?")
    page = render(answer)
    assert page.startswith(answer.text) and "**Sources**" in page
    assert describe(fake_assistant).startswith("1 article(s) indexed.")
