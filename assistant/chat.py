"""Chat sessions: history, follow-up condensing, one Answer per turn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, overload

from assistant.fusion import Filters
from assistant.pipeline import MAX_QUESTION_CHARS, AnswerPipeline, check_question
from assistant.types import Answer

_ELSE = re.compile(r"\b(else|other|another|more)\b", re.IGNORECASE)


class ChatSession:
    """A conversation with the assistant; follow-ups are condensed before retrieval, and
    "what else …" leaves out the sentences already cited.

    Example:
        >>> chat = assistant.chat()                           # doctest: +SKIP
        >>> chat.ask("What did Khawaja Asif admit?").text     # doctest: +SKIP
        >>> chat.ask("What else did he say?").standalone_question  # doctest: +SKIP
        'What else did Khawaja Asif say?'
    """

    def __init__(self, pipeline: AnswerPipeline, max_question_chars: int = MAX_QUESTION_CHARS) -> None:
        self.pipeline = pipeline
        self.max_question_chars = max_question_chars
        self.history: list[tuple[str, Answer]] = []

    @overload
    def ask(self, question: str, *, stream: Literal[False] = False, filters: Filters | None = None) -> Answer: ...

    @overload
    def ask(self, question: str, *, stream: Literal[True], filters: Filters | None = None) -> Iterator[str | Answer]: ...

    def ask(self, question: str, *, stream: bool = False, filters: Filters | None = None) -> Answer | Iterator[str | Answer]:
        """Answer a turn; with ``stream=True`` an iterator of text pieces ending with the Answer.
        ``filters`` limit the articles and speakers (:class:`~assistant.fusion.Filters`)."""
        question = check_question(question, self.max_question_chars)
        standalone = self.pipeline.condense(self.history, question)
        exclude = self._already_cited() if _ELSE.search(question) else None
        if stream:
            return self._stream(question, standalone, exclude, filters)
        answer = self.pipeline.respond(question, standalone, exclude, filters)
        self.history.append((question, answer))
        return answer

    def _already_cited(self) -> set[tuple[str, int]]:
        """Sentences cited earlier in the conversation ("what else …" should not repeat them)."""
        return {(c.article_id, c.sentence_index) for _, a in self.history for c in a.citations}

    def _stream(
        self, question: str, standalone: str, exclude: set[tuple[str, int]] | None, filters: Filters | None
    ) -> Iterator[str | Answer]:
        for piece in self.pipeline.stream(question, standalone, exclude, filters):
            if isinstance(piece, Answer):
                self.history.append((question, piece))
            yield piece

    def reset(self) -> None:
        self.history.clear()
