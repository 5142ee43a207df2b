"""The attribution index: who said what, with exact character offsets.

:mod:`index.attribution.extract` drives the pass over an article (``nlp``: the spaCy pipeline and
the extractor's fingerprint; ``records``: the ``Span`` and ``Attribution`` it returns); ``parse``, ``nominal`` and
``spans`` find cue / source / content candidates in a spaCy parse, ``resolve``, ``speakers``,
``coref`` and ``continuation`` turn sources into speakers and carry them over passages,
``speaker_canon`` gives one name per speaker, ``cues`` and ``cue_model`` decide what counts as a cue.

The names below load their module on first use, so that importing a light submodule
(``speaker_canon``) or the records does not load the parser.

Example:
    >>> from index.attribution import Span
    >>> Span(0, 5, "Hello").text
    'Hello'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.attribution.extract import attributions_from_docs, extract_attributions, extract_many
    from index.attribution.nlp import SPACY_MODEL, extractor_version, load_nlp, parse_text
    from index.attribution.records import Attribution, Span

__all__ = [
    "SPACY_MODEL",
    "Attribution",
    "Span",
    "attributions_from_docs",
    "extract_attributions",
    "extract_many",
    "extractor_version",
    "load_nlp",
    "parse_text",
]


_HOMES = {"Attribution": "records", "Span": "records", "SPACY_MODEL": "nlp", "extractor_version": "nlp",
          "load_nlp": "nlp", "parse_text": "nlp"}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module(f"index.attribution.{_HOMES.get(name, 'extract')}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
