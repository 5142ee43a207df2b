"""Typed errors whose messages are written for the person using the assistant.

The library raises these; the edges (CLI, Gradio app) show ``str(error)``. They live on the
ground floor so that ``index`` can raise them without importing ``assistant``;
``assistant.errors`` re-exports them beside the answer pipeline's own errors.

Example:
    >>> str(NotFoundError("No article with id 'x' in the index."))
    "No article with id 'x' in the index."
"""

from __future__ import annotations


class SourcedError(Exception):
    """Base class of every error the assistant raises on purpose."""


class InputError(SourcedError, ValueError):
    """The user gave something the assistant cannot use (empty question, bad path, bad file)."""


class NotFoundError(SourcedError, KeyError):
    """Something asked for by id does not exist (an article, a speaker)."""

    def __str__(self) -> str:  # KeyError quotes its message; we don't want that.
        return str(self.args[0]) if self.args else "Not found."


class ModelUnavailableError(SourcedError):
    """A model file or package is missing; the message says how to get it."""


class StoreError(SourcedError):
    """The data directory or vector store is unusable (corrupt, locked, wrong version)."""
