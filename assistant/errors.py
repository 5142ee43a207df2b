"""Typed errors whose messages are written for the person using the assistant.

The library raises these; the edges (CLI, Gradio app) show ``str(error)``. The common ones are
defined on the ground floor (:mod:`index.errors`) and re-exported here beside the answer
pipeline's own (:class:`LLMFailedError`).
"""

from __future__ import annotations

from index.errors import InputError, ModelUnavailableError, NotFoundError, SourcedError, StoreError

__all__ = ["InputError", "LLMFailedError", "ModelUnavailableError", "NotFoundError", "SourcedError", "StoreError"]


class LLMFailedError(SourcedError):
    """The language model failed while answering (its worker crashed, hung or ran out of memory).

    The assistant catches it and answers without the model, saying why in the answer's notes.
    """
