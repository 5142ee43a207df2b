"""Quote continuation: which cue-less sentences carry on a passage someone else opened.

News style attributes a quotation once and lets it run on: ``“…,” Haley said. “We’ll see
more.”`` in the same paragraph, a whole paragraph in quotation marks after ``Haley said:`` or
after a paragraph that ends with Haley's words, or a string of reported sentences after
``Another official said that …``. A sentence with no cue of its own, not already part of an
attribution, inherits the speaker of the passage it continues:

- in the same paragraph: the sentence opens or lies inside a quotation; or the passage is
  reported speech (an indirect claim) and the sentence reads as more of it (its main verbs carry
  present tense or a modal, ``It chose violence and is now paying the price``, where the
  reporter's own narration is in the past: ``The river rose two metres overnight``), with
  nothing but that passage in between;
- in the next paragraph: the paragraph opens with a quotation mark, has no attribution of
  its own, and the paragraph before holds an attribution (its last one is continued).

Offsets are article offsets; sentences are ``(index, start, end)``.

Example:
    >>> text = '“We stay,” Ana said. “Nobody moves us.”'
    >>> continuations(text, [(0, 0, 20), (1, 21, 40)], [(0, (0,), True)], {1}, set(), [(0, 10), (21, 40)])
    [(1, 0)]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

_OPENERS = ("“", '"', "''", "‘")


def _opens_quote(text: str, start: int, end: int) -> bool:
    return text[start:end].lstrip().startswith(_OPENERS)


def continuations(
    text: str,
    sentences: Sequence[tuple[int, int, int]],
    attributions: Sequence[tuple[int, tuple[int, ...], bool]],
    cueless: set[int],
    present: set[int],
    quotes: Sequence[tuple[int, int]],
) -> list[tuple[int, int]]:
    """``(sentence, attribution)`` pairs: each uncovered cue-less sentence and the attribution
    (by position in ``attributions``: ``(cue_sentence, content_sentences, quoted)``) it continues;
    ``present``: the sentences whose main verbs carry present tense or a modal."""
    paragraphs = [m.start() for m in re.finditer(r"[^\n]+", text)]

    def para(i: int) -> int:
        return bisect.bisect_right(paragraphs, sentences[i][1]) - 1

    owner: dict[int, int] = {}  # sentence -> attribution covering it
    for n, (cue, content, _q) in enumerate(attributions):
        for s in (cue, *content):
            owner.setdefault(s, n)
    paras_with_attr = {para(s) for s in owner if s < len(sentences)}
    found: list[tuple[int, int]] = []
    for i, (index, start, end) in enumerate(sentences):
        if index in owner or index not in cueless or i == 0:
            continue
        prev = owner.get(sentences[i - 1][0])
        if prev is None and para(i) != para(i - 1):  # the last claim of the paragraph before
            before = [owner[s] for j, (s, *_) in enumerate(sentences[:i]) if s in owner and para(j) == para(i - 1)]
            prev = before[-1] if before else None
        if prev is None:
            continue
        in_quote = _opens_quote(text, start, end) or any(a < start < b for a, b in quotes)
        same_para = para(i) == para(i - 1)
        if same_para:
            quoted_passage = attributions[prev][2]
            if in_quote or (not quoted_passage and index in present):
                owner[index] = prev
                found.append((index, prev))
            continue
        para_start = paragraphs[para(i)]
        new_quote_para = _opens_quote(text, para_start, end) and para(i) not in paras_with_attr
        if new_quote_para and in_quote and para(i) - para(i - 1) == 1:
            owner[index] = prev
            found.append((index, prev))
    return found
