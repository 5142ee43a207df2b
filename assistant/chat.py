"""Chat sessions: history, follow-up condensing, one Answer per turn."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from assistant.types import Answer

if TYPE_CHECKING:
    from assistant.core import Assistant

_PRONOUN = re.compile(r"\b(he|she|they|him|her|his|hers|their|them|it|its)\b", re.IGNORECASE)
_NAME = re.compile(r"\b(?:[A-Z][\w’'-]+|[A-Z]{2,})(?:\s+(?:[A-Z][\w’'-]+|[A-Z]{2,}))*")
_STOP_CAPS = {"What", "Who", "Whom", "When", "Where", "Why", "How", "Did", "Does", "Do", "Is", "Are",
              "Was", "Were", "The", "A", "An", "And", "But", "Which", "That", "This", "Tell", "Can"}  # fmt: skip


def _last_name(texts: Sequence[str]) -> str | None:
    for text in reversed(texts):
        names = []
        for match in _NAME.finditer(text):
            words = [w for w in match.group(0).split() if w not in _STOP_CAPS]
            if words:
                names.append(" ".join(words))
        if names:
            return max(names, key=len)
    return None


def rule_condense(history: Sequence[tuple[str, Answer]], question: str) -> str:
    """Resolve pronouns in a follow-up to the latest name in the earlier questions.

    Example:
        >>> rule_condense([("What did Khawaja Asif admit?", Answer("...", False))], "What else did he say?")
        'What else did Khawaja Asif say?'
    """
    if not history or not _PRONOUN.search(question):
        return question
    name = _last_name([q for q, _ in history])
    if not name:
        return question
    possessive = {"his", "her", "hers", "their", "its"}

    def swap(match: re.Match[str]) -> str:
        return f"{name}’s" if match.group(0).lower() in possessive else name

    return _PRONOUN.sub(swap, question, count=1)


class ChatSession:
    """A conversation with the assistant; follow-ups are condensed before retrieval.

    Example:
        >>> chat = assistant.chat()                           # doctest: +SKIP
        >>> chat.ask("What did Khawaja Asif admit?").text     # doctest: +SKIP
        >>> chat.ask("What else did he say?").standalone_question  # doctest: +SKIP
        'What else did Khawaja Asif say?'
    """

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.history: list[tuple[str, Answer]] = []

    def ask(self, question: str, *, stream: bool = False) -> Any:
        """Answer a turn; with ``stream=True`` an iterator of text pieces ending with the Answer."""
        from assistant.core import check_question

        question = check_question(question)
        standalone = self.assistant.condense(self.history, question)
        if stream:
            return self._stream(question, standalone)
        answer = self.assistant.respond(question, standalone)
        self.history.append((question, answer))
        return answer

    def _stream(self, question: str, standalone: str) -> Iterator[str | Answer]:
        for piece in self.assistant.respond_stream(question, standalone):
            if isinstance(piece, Answer):
                self.history.append((question, piece))
            yield piece

    def reset(self) -> None:
        self.history.clear()
