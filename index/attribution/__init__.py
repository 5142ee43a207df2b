"""The attribution index: who said what, with exact character offsets.

:mod:`index.attribution.extract` drives the pass over an article; ``parse``, ``nominal`` and
``spans`` find cue / source / content candidates in a spaCy parse, ``resolve`` and
``speakers`` turn sources into speakers, ``cues`` and ``cue_model`` decide what counts as a cue.

Example:
    >>> Span(0, 5, "Hello").text
    'Hello'
"""

from index.attribution.extract import (
    SPACY_MODEL,
    Attribution,
    Span,
    attributions_from_docs,
    extract_attributions,
    extract_many,
    extractor_version,
    load_nlp,
)

__all__ = [
    "SPACY_MODEL",
    "Attribution",
    "Span",
    "attributions_from_docs",
    "extract_attributions",
    "extract_many",
    "extractor_version",
    "load_nlp",
]
