"""What a reader browses beside the answers: an article with its cited spans marked, the article
list searched by title, and the claims table flattened into rows.

Plain data, no HTML: the web app escapes and lays these out; a script can use them as they are.

Example:
    >>> view = mark_spans("Asif spoke. BLA claimed it. Others agreed.", focus=[(12, 27)], also=[(0, 11)])
    >>> [(s.text, s.level) for s in view]
    [('Asif spoke.', 'also'), (' ', ''), ('BLA claimed it.', 'focus'), (' Others agreed.', '')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.types import Citation
from index.store import ArticleInfo
from index.types import Article

Level = Literal["focus", "also", ""]


@dataclass(frozen=True)
class Segment:
    """A run of an article's text: ``level`` is ``"focus"`` (the span the reader opened),
    ``"also"`` (another span cited beside it) or ``""`` (unmarked).

    Example:
        >>> Segment("Hello.", "focus", 0).level
        'focus'
    """

    text: str
    level: Level
    start: int


@dataclass(frozen=True)
class SourceView:
    """One article opened at a citation: its record and its text cut into marked segments.

    Example:
        >>> art = Article(id="a1", title="T", text="One. Two.")
        >>> SourceView(art, mark_spans(art.text, focus=[(5, 9)])).focused
        'Two.'
    """

    article: Article
    segments: tuple[Segment, ...]

    @property
    def focused(self) -> str:
        return " ".join(s.text for s in self.segments if s.level == "focus")


def mark_spans(
    text: str, focus: Iterable[tuple[int, int]] = (), also: Iterable[tuple[int, int]] = ()
) -> tuple[Segment, ...]:
    """``text`` cut at the given character spans; a span in both lists counts as ``focus``, and
    overlapping or out-of-range spans are clipped so every character appears exactly once."""
    levels: dict[tuple[int, int], Level] = {(s, e): "also" for s, e in also}
    levels.update({(s, e): "focus" for s, e in focus})
    segments: list[Segment] = []
    pos = 0
    for (start, end), level in sorted(levels.items()):
        start, end = max(start, pos), min(end, len(text))
        if end <= start:
            continue
        if start > pos:
            segments.append(Segment(text[pos:start], "", pos))
        segments.append(Segment(text[start:end], level, start))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:], "", pos))
    return tuple(segments)


def search_titles(articles: Sequence[ArticleInfo], query: str) -> list[ArticleInfo]:
    """The articles whose title (or source) contains every word of ``query``, case-insensitively.

    Example:
        >>> rows = [ArticleInfo("a", "BLA attack in Quetta", "", "IANS", "", 3),
        ...         ArticleInfo("b", "Budget vote", "", "Reuters", "", 5)]
        >>> [r.id for r in search_titles(rows, "quetta bla")], len(search_titles(rows, ""))
        (['a'], 2)
    """
    words = query.lower().split()
    return [a for a in articles if all(w in f"{a.title} {a.source}".lower() for w in words)]


@dataclass(frozen=True)
class ClaimRow:
    """One attributed claim: who, what (as a citation into its article), and where.

    Example:
        >>> c = Citation(n=1, article_id="a", title="T", sentence="it worked", start=3, end=12, score=1.0)
        >>> ClaimRow("Asif", c, "IANS", "2026-02-04").citation.sentence
        'it worked'
    """

    speaker: str
    citation: Citation
    source: str = ""
    date: str = ""


def claim_rows(
    table: Mapping[str, Sequence[Citation]], infos: Mapping[str, ArticleInfo], article_id: str | None = None
) -> list[ClaimRow]:
    """The claims table as rows, speakers with the most claims first, optionally of one article."""
    rows: list[ClaimRow] = []
    for speaker, cites in sorted(table.items(), key=lambda kv: (-len(kv[1]), kv[0].lower())):
        for c in cites:
            if article_id and c.article_id != article_id:
                continue
            info = infos.get(c.article_id)
            rows.append(ClaimRow(speaker, c, info.source if info else "", info.date if info else ""))
    return rows
