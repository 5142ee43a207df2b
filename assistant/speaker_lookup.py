"""A prebuilt speaker lookup: "what did X say?" without scanning every attribution.

:func:`~assistant.attribution_qa.speaker_matches` accepts a speaker string when it holds every
word of the query, ends with the query's last word, or (one-word query) has the query as its
initials. Each of those needs the query's last word among the string's name words or the query
as its initials, so the lookup keeps two postings, *name word → speaker strings* and
*initials → speaker strings*, over the distinct speaker and source strings of the index. A
question checks only the strings those postings give, then reads the attributions of the
matching articles alone. The result is exactly :func:`claims_by_speaker` over everything.

The lookup is rebuilt when the store's generation moves (one SQL pass over the attribution
rows, decoded by SQLite's JSON functions, not by Python).

Example:
    >>> lookup = SpeakerLookup(store)                  # doctest: +SKIP
    >>> [a.speaker for a in lookup.claims("Asif")]     # doctest: +SKIP
    ['Khawaja Asif', 'Khawaja Asif']
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import TYPE_CHECKING

from assistant.attribution_qa import _name_words, claims_by_speaker, initials, speaker_matches
from index.store import SentenceStore

if TYPE_CHECKING:
    from index.attribution import Attribution


class SpeakerLookup:
    """Speaker strings by name word and by initials, with the articles each string occurs in."""

    def __init__(self, store: SentenceStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._by_word: dict[str, set[str]] = {}
        self._by_initials: dict[str, set[str]] = {}
        self._articles: dict[str, set[str]] = {}

    def _build(self) -> None:
        by_word: defaultdict[str, set[str]] = defaultdict(set)
        by_initials: defaultdict[str, set[str]] = defaultdict(set)
        articles: defaultdict[str, set[str]] = defaultdict(set)
        for article_id, speaker, source in self.store.attribution_speakers():
            for text in {speaker, source} - {""}:
                if text not in articles:
                    words = _name_words(text)
                    for w in words:
                        by_word[w].add(text)
                    if words:
                        by_initials[initials(words)].add(text)
                articles[text].add(article_id)
        self._by_word, self._by_initials, self._articles = dict(by_word), dict(by_initials), dict(articles)

    def _current(self) -> None:
        self.store.refresh()
        generation = self.store.generation()
        if generation != self._generation:
            self._build()
            self._generation = generation

    def articles_of(self, speaker_query: str) -> set[str]:
        """The articles with an attribution whose speaker or source matches ``speaker_query``."""
        q = _name_words(speaker_query)
        if not q:
            return set()
        with self._lock:
            self._current()
            candidates = set(self._by_word.get(q[-1], ()))
            if len(q) == 1:
                candidates |= self._by_initials.get(q[0], set())
            found: set[str] = set()
            for text in candidates:
                if speaker_matches(speaker_query, text):
                    found |= self._articles[text]
            return found

    def claims(self, speaker_query: str) -> list[Attribution]:
        """:func:`claims_by_speaker` over the whole index, reading only the matching articles."""
        rows = [a for aid in sorted(self.articles_of(speaker_query)) for a in self.store.attributions(aid)]
        return claims_by_speaker(speaker_query, rows)
