"""Typed errors whose messages are written for the person using the assistant.

The library raises these; the edges (CLI, Gradio app) show ``str(error)``. The common ones are
defined on the ground floor (:mod:`index.errors`) and re-exported here.
"""

from __future__ import annotations

from index.errors import InputError, ModelUnavailableError, NotFoundError, SourcedError, StoreError

__all__ = ["InputError", "ModelUnavailableError", "NotFoundError", "SourcedError", "StoreError"]
