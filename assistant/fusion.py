"""Rank fusion, near-duplicate collapse and filters for hybrid retrieval.

* :func:`rrf` – reciprocal rank fusion of several rankings (Cormack et al. 2009), weighted.
* :func:`collapse_duplicates` – syndicated copies of one sentence become one result that keeps
  every source.
* :class:`Filters` – article, source, date range and speaker restrictions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Protocol, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

RRF_K = 60
_WORD = re.compile(r"[a-z0-9]+")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def rrf(rankings: Mapping[str, Sequence[K]], weights: Mapping[str, float] | None = None,
        k: int = RRF_K) -> dict[K, float]:  # fmt: skip
    """Fused score per key: sum over rankings of ``weight / (k + rank)`` (ranks from 1).

    Example:
        >>> scores = rrf({"dense": ["a", "b"], "bm25": ["b", "c"]})
        >>> sorted(scores, key=scores.get, reverse=True)
        ['b', 'a', 'c']
    """
    weights = weights or {}
    fused: dict[K, float] = {}
    for name, ranking in rankings.items():
        w = weights.get(name, 1.0)
        if not w:
            continue
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + w / (k + rank)
    return fused


def shingles(text: str) -> frozenset[str]:
    """Lower-cased word bigrams (words for one-word texts)."""
    words = _WORD.findall(text.lower())
    if len(words) < 2:
        return frozenset(words)
    return frozenset(f"{a} {b}" for a, b in pairwise(words))


def near_duplicate(a: str, b: str, threshold: float = 0.8) -> bool:
    """Two sentences are copies when ``threshold`` of the smaller one's word bigrams are in the
    other and neither is more than twice as long (a copy may add "…, AP reported").

    Example:
        >>> near_duplicate("Ford is recalling 2.9 million vehicles.", "Ford is recalling 2.9 million vehicles, AP says.")
        True
        >>> near_duplicate("Ford is recalling 2.9 million vehicles.", "GM is recalling 1 million cars.")
        False
    """
    return _copies(shingles(a), shingles(b), a, b, threshold)


def _copies(sa: frozenset[str], sb: frozenset[str], a: str, b: str, threshold: float) -> bool:
    if not sa or not sb:
        return a.strip().lower() == b.strip().lower()
    small, large = sorted((len(sa), len(sb)))
    return small >= large / 2 and len(sa & sb) / small >= threshold


def collapse_duplicates(items: Sequence[T], text: Callable[[T], str], threshold: float = 0.8
                        ) -> list[tuple[T, list[T]]]:  # fmt: skip
    """Keep the first (best) of each group of near-duplicates, with the copies it absorbed
    (each text's bigrams computed once: this runs on every question's candidates).

    Example:
        >>> collapse_duplicates(["Ford recalls cars.", "Ford recalls cars!", "GM too."], str)
        [('Ford recalls cars.', ['Ford recalls cars!']), ('GM too.', [])]
    """
    kept: list[tuple[T, list[T]]] = []
    heads: list[tuple[str, frozenset[str]]] = []
    for item in items:
        body = text(item)
        bigrams = shingles(body)
        for (head_text, head_bigrams), (_head, copies) in zip(heads, kept, strict=True):
            if _copies(head_bigrams, bigrams, head_text, body, threshold):
                copies.append(item)
                break
        else:
            kept.append((item, []))
            heads.append((body, bigrams))
    return kept


class ArticleMeta(Protocol):
    """What a filter reads of an article (``ArticleInfo`` has it)."""

    @property
    def id(self) -> str: ...

    @property
    def date(self) -> str: ...

    @property
    def source(self) -> str: ...


@dataclass(frozen=True)
class Filters:
    """Restrictions on what may be retrieved. Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``;
    ``until`` is inclusive (``until="2022"`` keeps all of 2022). Sources match case-insensitively,
    also as a suffix of a domain (``cnn`` matches ``cnn.com``).

    Example:
        >>> from types import SimpleNamespace as A
        >>> arts = [A(id="a", date="2022-06-01", source="cnn.com"), A(id="b", date="2023-01-05", source="theweek.co.uk")]
        >>> sorted(Filters(since="2022-05", until="2022").allowed(lambda: arts))
        ['a']
        >>> sorted(Filters(sources=("theweek",)).allowed(lambda: arts)), Filters().allowed(lambda: arts)
        (['b'], None)
    """

    articles: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    speaker: str = ""

    def __post_init__(self) -> None:
        for value in (self.since, self.until):
            if value and not _DATE.match(value):
                from assistant.errors import InputError

                raise InputError(f"Dates are written YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}.")

    @property
    def restricts_articles(self) -> bool:
        return bool(self.articles or self.sources or self.since or self.until)

    def _source_ok(self, source: str) -> bool:
        source = source.lower()
        return any(s.lower() == source or s.lower() in source.split(".") or source.startswith(s.lower())
                   for s in self.sources)  # fmt: skip

    def _date_ok(self, date: str) -> bool:
        if not (self.since or self.until):
            return True
        if not date:
            return False
        if self.since and date < self.since:
            return False
        return not (self.until and date[: len(self.until)] > self.until)

    def allowed(self, list_articles: Callable[[], Iterable[ArticleMeta]]) -> set[str] | None:
        """Ids of the articles that pass (``None`` when nothing restricts articles). The registry is
        listed (``list_articles()``) only when something does: at 20k articles a listing costs ~100 ms."""
        if not self.restricts_articles:
            return None
        wanted = set(self.articles)
        return {
            info.id for info in list_articles()
            if (not wanted or info.id in wanted)
            and (not self.sources or self._source_ok(info.source or ""))
            and self._date_ok(info.date or "")
        }  # fmt: skip

    def with_dates_from(self, other: Filters) -> Filters:
        """These filters, taking ``other``'s date range when these have none.

        Example:
            >>> Filters(sources=("cnn",)).with_dates_from(Filters(since="2023", until="2023")).since
            '2023'
        """
        if self.since or self.until or not (other.since or other.until):
            return self
        return replace(self, since=other.since, until=other.until)

    def speaker_ok(self, speaker: str | None) -> bool:
        """True when no speaker is asked for, or the sentence's speaker contains it."""
        if not self.speaker:
            return True
        return bool(speaker) and self.speaker.lower() in str(speaker).lower()


_IN_YEAR = re.compile(r"\b(?:in|during|of)\s+((?:19|20)\d\d)\b", re.I)
_SINCE_YEAR = re.compile(r"\b(?:since|after)\s+((?:19|20)\d\d)\b", re.I)
_THIS_WEEK = re.compile(r"\bthis (week|month|year)\b", re.I)


def dates_in_question(question: str, latest: str) -> Filters:
    """Date limits a question states: "in 2023" keeps 2023; "since 2017" keeps 2017 on (it once
    kept only 2017, so "the first time since 2017" hid 2022's story); "this week/month/year" keeps
    the week/month/year before ``latest`` (the newest article's date, the collection's "now").

    Example:
        >>> dates_in_question("Who won the Emmy in 2023?", "2025-01-01")
        Filters(articles=(), sources=(), since='2023', until='2023', speaker='')
        >>> dates_in_question("Over which country, for the first time since 2017?", "")
        Filters(articles=(), sources=(), since='2017', until='', speaker='')
        >>> dates_in_question("Which team won this week?", "2022-06-27").since
        '2022-06-20'
    """
    import datetime as dt

    years = {m.group(1) for m in _IN_YEAR.finditer(question)}
    if len(years) == 1:
        year = years.pop()
        return Filters(since=year, until=year)
    if not years and (since := sorted(m.group(1) for m in _SINCE_YEAR.finditer(question))):
        return Filters(since=since[0])
    match = _THIS_WEEK.search(question)
    if match and re.match(r"^\d{4}-\d{2}-\d{2}$", latest):
        end = dt.date.fromisoformat(latest)
        days = {"week": 7, "month": 31, "year": 366}[match.group(1).lower()]
        return Filters(since=(end - dt.timedelta(days=days)).isoformat(), until=latest)
    return Filters()
