"""Typed errors whose messages are written for the person using the assistant.

The library raises these; the edges (CLI, Gradio app) show ``str(error)``.
"""

from __future__ import annotations


class SourcedError(Exception):
    """Base class of every error the assistant raises on purpose."""


class InputError(SourcedError, ValueError):
    """The user gave something the assistant cannot use (empty question, bad path, bad file)."""


class ArticleReadError(InputError):
    """An article file could not be read or parsed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Could not read {path}: {reason}")
        self.path = path
        self.reason = reason


class NotFoundError(SourcedError, KeyError):
    """Something asked for by id does not exist (an article, a speaker)."""

    def __str__(self) -> str:  # KeyError quotes its message; we don't want that.
        return str(self.args[0]) if self.args else "Not found."


class ModelUnavailableError(SourcedError):
    """A model file or package is missing; the message says how to get it."""


class StoreError(SourcedError):
    """The data directory or vector store is unusable (corrupt, locked, wrong version)."""


class LLMFailedError(SourcedError):
    """The language model failed while answering (its worker crashed, hung or ran out of memory).

    The assistant catches it and answers without the model, saying why in the answer's notes.
    """
