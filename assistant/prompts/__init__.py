"""Prompt templates live here as ``*.txt`` files with ``{placeholder}`` fields.

Example:
    >>> text = load_prompt("condense", frozenset({"history", "question"}))
    >>> "{question}" in text
    True
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from assistant.errors import SourcedError

PROMPT_DIR = Path(__file__).resolve().parent

#: The one sentence every generator uses when the articles do not answer a question.
CANNOT_ANSWER = "The articles don't say."


class PromptError(SourcedError):
    """A prompt file is missing or its placeholders are not the ones the code fills."""


@cache
def load_prompt(name: str, placeholders: frozenset[str]) -> str:
    """Read ``assistant/prompts/<name>.txt`` and check it has exactly ``placeholders``."""
    path = PROMPT_DIR / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"Prompt file {path} is missing.") from exc
    found = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    if found != set(placeholders):
        raise PromptError(
            f"Prompt {path.name} has placeholders {sorted(found)}, expected {sorted(placeholders)}."
        )
    return text
