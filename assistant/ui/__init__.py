"""The web front: a Gradio chat over :class:`assistant.Assistant` (``sourced serve``).

Importing this package loads nothing heavy; :mod:`assistant.ui.app` imports Gradio.

Example:
    >>> from assistant.ui.app import build_app   # doctest: +SKIP
"""
