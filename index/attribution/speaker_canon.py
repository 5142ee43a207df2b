"""One speaker, one entry: a grouping key per speaker, and the label an answer shows.

``speaker_key`` folds the variants an article (or several) use for one speaker: case,
determiners, plural and singular of an unnamed source ("Officials", "officials", "an
official"), and a name with or without its title ("Defence Minister Khawaja Asif" and
"Khawaja Asif"). ``speaker_label`` names the speaker and, when the source was a description
the extractor resolved ("the mayor"), keeps the article's words beside the name.

Example:
    >>> speaker_key("The experts") == speaker_key("expert")
    True
    >>> speaker_key("Pakistan’s Defence Minister Khawaja Asif") == speaker_key("Khawaja Asif")
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.attribution.coref_words import PERSON_NOUNS
from index.attribution.cues import GROUP_PRONOUNS, PERSON_PRONOUNS, ROLE_NOUNS
from index.lexicon import HONORIFICS

_WORD = re.compile(r"[\w’'-]+")
_DETS = {"the", "a", "an", "another", "some", "one", "other", "several", "many", "two", "three"}


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _name_part(words: list[str]) -> list[str]:
    """``Pakistan’s Defence Minister Khawaja Asif`` → ``Khawaja Asif``: the capitalised run
    after the last role word or possessive."""
    cut = 0
    for i, w in enumerate(words):
        low = w.lower().strip(".")
        if low in ROLE_NOUNS or low in PERSON_NOUNS or low in HONORIFICS or w.endswith(("’s", "'s")):
            cut = i + 1
    rest = words[cut:]
    return rest if rest and all(w[:1].isupper() for w in rest) else words


def speaker_key(speaker: str) -> str:
    """The key claims group under: lower case, no determiners, singular, name without title."""
    words = _WORD.findall(speaker)
    if not words:
        return ""
    if words[-1][:1].isupper() and len(words) > 1:  # a named speaker
        return " ".join(w.lower() for w in _name_part(words))
    kept = [w.lower() for w in words if w.lower() not in _DETS]
    if kept:
        kept[-1] = _singular(kept[-1])
    return " ".join(kept)


def group_by_speaker(pairs: Iterable[tuple[str, object]]) -> dict[str, list[object]]:
    """``(speaker, item)`` pairs grouped by :func:`speaker_key`, under the most used variant
    (ties: the longest)."""
    groups: dict[str, list[tuple[str, object]]] = {}
    for speaker, item in pairs:
        groups.setdefault(speaker_key(speaker), []).append((speaker, item))
    out: dict[str, list[object]] = {}
    for members in groups.values():
        names = [s for s, _ in members]
        best = max(set(names), key=lambda n: (names.count(n), len(n)))
        out[best] = [item for _, item in members]
    return out


def speaker_label(speaker: str, source_text: str | None) -> str:
    """The speaker as an answer names them: ``Doug McCallum (“the mayor”)`` when the article's
    own words were a description resolved to that name; otherwise the speaker alone."""
    if not source_text or not speaker:
        return speaker
    mention = " ".join(source_text.split()).strip(" ,")
    low = mention.lower()
    if low in PERSON_PRONOUNS | GROUP_PRONOUNS or low in {"who", "which", "that"}:
        return speaker
    spoken = {w.lower() for w in _WORD.findall(speaker)}
    if {w.lower() for w in _WORD.findall(mention)} <= spoken or not low.startswith(("the ", "this ")):
        return speaker
    return f"{speaker} (“{mention[0].lower() + mention[1:]}”)"
