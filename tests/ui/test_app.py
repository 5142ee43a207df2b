"""The web app's chat function, without a browser: one ChatSession per browser session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant

pytest.importorskip("gradio")

from assistant.ui.app import describe, render, responder  # noqa: E402


@dataclass
class Request:
    session_hash: str


def ask(respond: Any, message: str, history: list[dict[str, str]], session: str) -> str:
    *_, final = respond(message, history, Request(session))
    history += [{"role": "user", "content": message}, {"role": "assistant", "content": final}]
    return str(final)


def test_follow_ups_use_the_sessions_real_history(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    respond = responder(attribution_assistant)
    history: list[dict[str, str]] = []
    first = ask(respond, "What did the BLA claim?", history, "browser-1")
    assert "**Sources**" in first and "[1]" in first
    follow = ask(respond, "What else did they say?", history, "browser-1")
    assert "*Understood as:* What else did the BLA say?" in follow or "BLA" in follow
    # the second browser session starts from nothing: its pronoun has no referent
    other = ask(respond, "What else did they say?", [], "browser-2")
    assert "Understood as" not in other


def test_what_else_leaves_out_what_this_session_cited(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    respond = responder(attribution_assistant)
    history: list[dict[str, str]] = []
    first = ask(respond, "What did the BLA claim?", history, "s")
    shown = first.split("**Sources**")[1].split("\n\n")[1]  # the first source line
    again = ask(respond, "What else did the BLA claim?", history, "s")
    assert shown not in again.split("**Sources**")[1] or "Nothing else" in again


def test_rendered_answer_and_description(fake_assistant: Assistant, sample_path: Path) -> None:
    fake_assistant.add([sample_path])
    answer = fake_assistant.ask("Which brigade were the 18 suicide attackers from?")
    page = render(answer)
    assert page.startswith(answer.text) and "**Sources**" in page
    assert describe(fake_assistant).startswith("1 article(s) indexed.")
