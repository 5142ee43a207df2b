"""The records of the attribution index: a :class:`Span` of article text and an :class:`Attribution`
(who said what, where). Plain dataclasses, no spaCy, so the store can read attributions without
loading the parser.

Example:
    >>> Attribution("a1", 0, None, Span(0, 4, "said"), Span(5, 7, "no"), "", "unresolved", (0,)).speaker_kind
    'unresolved'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A stretch of the article text: ``article.text[start:end] == text``.

    Example:
        >>> Span(0, 5, "Hello").end
        5
    """

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Attribution:
    """One reported claim: who (``speaker``) said what (``content``) where (``cue``).

    ``speaker_kind`` is ``named``, ``anonymous`` (qualifier kept in ``speaker``)
    or ``unresolved`` (``speaker == ""``).

    Example:
        >>> s = Span(0, 4, "Asif")
        >>> a = Attribution("a1", 0, s, Span(5, 9, "said"), Span(10, 12, "no"), "Khawaja Asif",
        ...                 "named", (0,))
        >>> a.speaker_kind
        'named'
    """

    article_id: str
    cue_sentence: int
    source: Span | None
    cue: Span
    content: Span
    speaker: str
    speaker_kind: str
    content_sentences: tuple[int, ...]
