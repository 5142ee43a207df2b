"""Sentence segmentation with exact character offsets (``text[start:end] == sentence``).

Punkt (the model llama-index bundles) splits paragraphs into sentences; we add
news abbreviations it misses, skip a ``date YYYY-MM-DD`` header and a leading
dateline such as ``New Delhi, Feb 4 (IANS)``, and trim Markdown markers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from index.errors import ModelUnavailableError
from index.types import Article, Sentence

# AP-style state abbreviations that end in a period ("Mo.", "N.Y."), as in the party-state tag
# after a legislator's name: "Sen. Claire McCaskill (D-Mo.) said" is one sentence.
_AP_STATES = (
    "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la",
    "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "n.h", "n.j", "n.m", "n.y", "n.c",
    "n.d", "okla", "ore", "pa", "r.i", "s.c", "s.d", "tenn", "vt", "va", "wash", "w.va", "wis", "wyo",
)  # fmt: skip
_EXTRA_ABBREVIATIONS = {
    "gov", "sen", "sens", "rep", "reps", "gen", "lt", "col", "maj", "sgt", "capt", "cmdr", "adm", "supt",
    "rev", "msgr", "atty", "st", "ft", "mt", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "no", "nos", "vs", "v", "jr", "sr", "dr", "mr", "mrs", "ms", "prof",
    "inc", "corp", "co", "ltd", "u.s", "u.k", "u.n",
} | {f"{party}-{state}" for party in "dri" for state in _AP_STATES}  # fmt: skip
_DATE_HEADER = re.compile(r"\s*date\s+\d{4}-\d{2}-\d{2}\b\s*")
_DATELINE = re.compile(
    r"\s*(?:"
    # New Delhi, Feb 4 (IANS)   /   LONDON, March 3 (Reuters) -
    r"[A-Z][\w.'’ -]{1,40},\s+[A-Z][a-z]{2,9}\.?\s+\d{1,2}\s*\([A-Za-z]{2,12}\)"
    # WASHINGTON (AP) —
    r"|[A-Z][A-Z.'’ -]{2,40}(?:,\s+[A-Za-z.' ]{2,30})?\s*\([A-Za-z]{2,12}\)"
    r")\s*[-–—:]?\s*"
)
#: Longest sentence passed on (spaCy's parser is quadratic-ish in sentence length; E088 past 1M).
MAX_SENTENCE_CHARS = 2000
_PARAGRAPH = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[#>*+-]|\d+\.)\s)|(?<=\n)(?=#)")
_MD_PREFIX = re.compile(r"(?:#{1,6}\s+|>\s*|[*+-]\s+|\d+\.\s+)+")


@cache
def _punkt() -> Any:
    import llama_index.core
    import nltk

    bundled = os.path.join(os.path.dirname(llama_index.core.__file__), "_static", "nltk_cache")
    if bundled not in nltk.data.path:
        nltk.data.path.append(bundled)
    try:
        tokenizer = nltk.tokenize.PunktTokenizer("english")
    except LookupError as exc:  # never download at run time
        raise ModelUnavailableError(
            "The sentence splitter's punkt data is missing; reinstall llama-index-core."
        ) from exc
    tokenizer._params.abbrev_types.update(_EXTRA_ABBREVIATIONS)
    return tokenizer


def body_start(text: str) -> int:
    """Offset where the article's prose begins (after a date header and a dateline)."""
    pos = 0
    header = _DATE_HEADER.match(text)
    if header:
        pos = header.end()
    dateline = _DATELINE.match(text, pos)
    if dateline and dateline.end() < len(text):
        pos = dateline.end()
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _paragraphs(text: str, start: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _PARAGRAPH.finditer(text, start):
        if match.start() > pos:
            spans.append((pos, match.start()))
        pos = match.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    prefix = _MD_PREFIX.match(text, start, end)
    if prefix:
        start = prefix.end()
    return start, end


def _pieces(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` cut at white space into spans of at most ``max_chars`` (hard cuts
    only inside a longer run without spaces)."""
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars + 1)
        cut = cut if cut > start else start + max_chars
        s, e = _trim(text, start, cut)
        if e > s:
            yield s, e
        start = cut
        while start < end and text[start].isspace():
            start += 1
    s, e = _trim(text, start, end)
    if e > s:
        yield s, e


def split_sentences(text: str, start: int = 0, max_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` from ``start`` on; a "sentence" longer than
    ``max_chars`` (a page without punctuation) is cut at spaces into pieces no longer than that.

    Example:
        >>> t = "Mr. Smith left. He said “No.”"
        >>> [t[a:b] for a, b in split_sentences(t)]
        ['Mr. Smith left.', 'He said “No.”']
    """
    tokenizer = _punkt()
    spans: list[tuple[int, int]] = []
    for p_start, p_end in _paragraphs(text, start):
        chunk = text[p_start:p_end]
        for a, b in tokenizer.span_tokenize(chunk):
            s, e = _trim(text, p_start + a, p_start + b)
            pieces = _pieces(text, s, e, max_chars) if e - s > max_chars else [(s, e)]
            spans.extend((p, q) for p, q in pieces if q - p >= 2 and any(ch.isalnum() for ch in text[p:q]))
    return spans


def segment(article: Article, max_sentence_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """The article's sentences, numbered from 0, with offsets into ``article.text``.

    Example:
        >>> a = Article(id="a", title="t", text="date 2026-02-04\\nDelhi, Feb 4 (IANS) It rained. Dr. Roy said so.")
        >>> [s.text for s in segment(a)]
        ['It rained.', 'Dr. Roy said so.']
    """
    spans = split_sentences(article.text, body_start(article.text), max_sentence_chars)
    return [
        Sentence(article_id=article.id, index=i, start=s, end=e, text=article.text[s:e])
        for i, (s, e) in enumerate(spans)
    ]
