"""The data model of the ground floor: articles and their sentences.

Plain frozen dataclasses: cheap to build, hashable, free of any framework. The attribution
records (:class:`index.attribution.Attribution`, :class:`index.attribution.Span`) live with
their extractor; the assistant's own records (hits, citations, answers) in ``assistant.types``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article, with its exact text.

    Example:
        >>> Article(id="a1", title="T", text="Hello.", date="2026-02-04").id
        'a1'
    """

    id: str
    title: str
    text: str
    date: str = ""
    source: str = ""
    author: str = ""
    path: str = ""
    encoding: str = field(default="", compare=False)  # how the file was decoded ("utf-8", "cp1252", …); "" when not read from a file


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article; ``article.text[start:end] == text``.

    Example:
        >>> Sentence(article_id="a1", index=0, start=0, end=6, text="Hello.").end
        6
    """

    article_id: str
    index: int
    start: int
    end: int
    text: str
