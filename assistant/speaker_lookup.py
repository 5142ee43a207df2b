"""A prebuilt speaker lookup: "what did X say?" without scanning every attribution.

:func:`~assistant.attribution_qa.speaker_matches` accepts a speaker string when it holds every
word of the query, ends with the query's last word, or (one-word query) has the query as its
initials. Each of those needs the query's last word among the string's name words or the query
as its initials, so the lookup keeps two postings, *name word → speaker strings* and
*initials → speaker strings*, over the distinct speaker and source strings of the index. A
question checks only the strings those postings give, then reads the attributions of the
matching articles alone. The result is exactly :func:`claims_by_speaker` over everything.

When the store's generation or its attribution generation (a re-extraction) moves, the lookup compares the articles' attribution versions
(:meth:`~index.store.SentenceStore.attribution_versions`) with those it holds and reads the
attributions of the added or changed articles alone
(SQLite's JSON functions decode them, not Python); it is rebuilt in one SQL pass only when more
than a tenth of the articles changed. Rebuilding after every add took 3.8 s at 10k articles.

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

    REBUILD_SHARE = 0.1  # more changed articles than this share of the index: one full pass instead

    def __init__(self, store: SentenceStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._generation: tuple[str, str] | None = None  # the store's generation and attribution generation
        self._versions: dict[str, int] = {}  # the articles the lookup holds, with their attribution versions
        self._by_word: defaultdict[str, set[str]] = defaultdict(set)
        self._by_initials: defaultdict[str, set[str]] = defaultdict(set)
        self._articles: defaultdict[str, set[str]] = defaultdict(set)  # speaker string -> articles
        self._texts: defaultdict[str, set[str]] = defaultdict(set)  # article -> its speaker strings

    def _posting_keys(self, text: str) -> list[tuple[defaultdict[str, set[str]], str]]:
        """The postings ``text`` belongs in: one per name word, and its initials'."""
        words = _name_words(text)
        return [(self._by_word, w) for w in words] + ([(self._by_initials, initials(words))] if words else [])

    def _postings(self, text: str) -> list[set[str]]:
        return [postings[key] for postings, key in self._posting_keys(text)]

    def _add(self, rows: list[tuple[str, str, str]]) -> None:
        for article_id, speaker, source in rows:
            for text in {speaker, source} - {""}:
                if not self._articles[text]:
                    for posting in self._postings(text):
                        posting.add(text)
                self._articles[text].add(article_id)
                self._texts[article_id].add(text)

    def _forget(self, article_id: str) -> None:
        """Drop ``article_id``'s speaker strings; a string no article holds any more leaves its
        postings, and a posting left empty goes (a long-running app drops and re-adds articles)."""
        for text in self._texts.pop(article_id, set()):
            holders = self._articles.get(text, set())
            holders.discard(article_id)
            if holders:
                continue
            self._articles.pop(text, None)
            for postings, key in self._posting_keys(text):
                posting = postings.get(key)
                if posting is not None:
                    posting.discard(text)
                    if not posting:
                        del postings[key]

    def _current(self) -> None:
        self.store.refresh()
        generation = (self.store.generation(), self.store.attribution_generation())
        if generation == self._generation:
            return
        versions = self.store.attribution_versions()
        changed = [aid for aid, version in versions.items() if self._versions.get(aid) != version]
        gone = [aid for aid in self._versions if aid not in versions]
        if self._generation is None or len(changed) + len(gone) > self.REBUILD_SHARE * max(len(versions), 1):
            self._by_word, self._by_initials = defaultdict(set), defaultdict(set)
            self._articles, self._texts = defaultdict(set), defaultdict(set)
            self._add(self.store.attribution_speakers())
        else:
            for aid in gone + changed:
                self._forget(aid)
            self._add(self.store.attribution_speakers(changed))
        self._versions, self._generation = versions, generation

    def warm(self) -> None:
        """Build the lookup now (tens of seconds at 100k articles), not at the first question."""
        with self._lock:
            self._current()

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
                    found |= self._articles.get(text, set())
            return found

    def claims(self, speaker_query: str) -> list[Attribution]:
        """:func:`claims_by_speaker` over the whole index, reading only the matching articles."""
        rows = [a for aid in sorted(self.articles_of(speaker_query)) for a in self.store.attributions(aid)]
        return claims_by_speaker(speaker_query, rows)
