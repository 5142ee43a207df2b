"""Parse ``[n]`` citation markers out of an LLM draft, and render them back renumbered.

Accepted marker forms: ``[1]``, ``[1, 2]``, ``[1; 2]``, ``[1][2]``, ``[1-3]`` (also en dash),
placed anywhere in a sentence or right after its final punctuation.

Example:
    >>> s = parse_answer("The BLA made the claim [2]. It lost 35 fighters. [3][9]", n_offered=3)
    >>> [(x.text, x.markers) for x in s]
    [('The BLA made the claim.', (2,)), ('It lost 35 fighters.', (3,))]
    >>> render(s, {2: 1, 3: 2})
    'The BLA made the claim [1]. It lost 35 fighters [2].'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

MARKER = re.compile(r"\[\s*(\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*)\s*\]")
_BOUNDARY = re.compile(r"[.!?][\"'”’)]*\s+|\n+")
_ABBREV = frozenset({
    "mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col", "jr", "sr", "no",
    "vs", "etc", "inc", "corp", "co", "prof", "capt", "sgt", "u.s", "u.k", "u.n",
})
_TRAILING = re.compile(r"([.!?]+[\"'”’)]*)$")
MAX_RANGE = 20


@dataclass(frozen=True)
class Claim:
    """One answer sentence, the 1-based numbers of the evidence it cites, and (once checked)
    the verifier's support for it. Every route (attribution index, extractive, LLM) makes these.

    Example:
        >>> Claim("The BLA said so.", (1,)).markers
        (1,)
    """

    text: str
    markers: tuple[int, ...] = ()
    support: float | None = None

    def shown(self, n_shown: int) -> list[int]:
        """Its markers that name one of ``n_shown`` shown sentences, in order (a model may cite a
        number it was not shown).

        Example:
            >>> Claim("So [2][7].", (2, 7)).shown(5)
            [2]
        """
        return [n for n in self.markers if 1 <= n <= n_shown]


def _numbers(inner: str) -> list[int]:
    """Expand the inside of one marker: ``"1, 3-5"`` -> ``[1, 3, 4, 5]``."""
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", inner):
        bounds = re.split(r"\s*[-–]\s*", part.strip())
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            if lo <= hi and hi - lo <= MAX_RANGE:
                out.extend(range(lo, hi + 1))
            else:
                out.extend((lo, hi))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def _segments(text: str) -> list[str]:
    """Split text into sentence-sized pieces; markers right after a split stay with the left."""
    raw_pieces, start = [], 0
    for match in _BOUNDARY.finditer(text):
        raw_pieces.append(text[start : match.start() + len(match.group(0).rstrip())])
        start = match.end()
    raw_pieces.append(text[start:])
    pieces: list[str] = []
    for raw in raw_pieces:
        piece = raw.strip()
        if not piece:
            continue
        lead = re.match(r"^(?:\s*" + MARKER.pattern + r")+", piece)
        if lead and pieces:
            pieces[-1] += " " + lead.group(0).strip()
            piece = piece[lead.end():].strip()
            if not piece:
                continue
        if pieces and _is_abbreviation(pieces[-1]):
            pieces[-1] += " " + piece
            continue
        pieces.append(piece)
    return pieces


def _is_abbreviation(piece: str) -> bool:
    """True when ``piece`` ends in an abbreviation's dot (``Mr.``, ``U.S.``) or an initial (``J.``)."""
    if not piece.endswith("."):
        return False
    last = piece.rsplit(None, 1)[-1].rstrip(".").lower()
    return last in _ABBREV or (len(last) == 1 and last.isalpha())


def _clean(text: str) -> str:
    text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", text)  # list bullets
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def parse_answer(text: str, n_offered: int) -> list[Claim]:
    """Split a draft into sentences and collect each sentence's citation numbers.

    Numbers outside ``1..n_offered`` are dropped (and logged); order is kept, repeats removed.
    Sentences that were only markers or punctuation are skipped.
    """
    sentences: list[Claim] = []
    for piece in _segments(text):
        found: list[int] = []
        for match in MARKER.finditer(piece):
            found.extend(_numbers(match.group(1)))
        unknown = [n for n in found if not 1 <= n <= n_offered]
        if unknown:
            log.info("dropping unknown citation numbers %s (offered 1..%d)", unknown, n_offered)
        markers = tuple(dict.fromkeys(n for n in found if 1 <= n <= n_offered))
        stripped = _clean(MARKER.sub(" ", piece))
        if not re.search(r"\w", stripped):
            continue
        if not re.search(r"[.!?][\"'”’)]*$", stripped):
            stripped += "."
        sentences.append(Claim(stripped, markers))
    return sentences


def first_use_numbering(sentences: Sequence[Claim]) -> dict[int, int]:
    """Map old marker numbers to 1..K in order of first use.

    Example:
        >>> first_use_numbering([Claim("a.", (4, 2)), Claim("b.", (2, 5))])
        {4: 1, 2: 2, 5: 3}
    """
    numbering: dict[int, int] = {}
    for sentence in sentences:
        for n in sentence.markers:
            numbering.setdefault(n, len(numbering) + 1)
    return numbering


def render(
    sentences: Sequence[Claim], numbering: Mapping[int, int] | None = None
) -> str:
    """Join sentences, putting ``[k]`` markers back before each sentence's final punctuation.

    ``numbering`` maps the draft's numbers to the final ones (default: first-use order);
    markers missing from it are left out.
    """
    numbering = first_use_numbering(sentences) if numbering is None else numbering
    out = []
    for sentence in sentences:
        new = sorted(dict.fromkeys(numbering[n] for n in sentence.markers if n in numbering))
        tag = "".join(f"[{k}]" for k in new)
        text = sentence.text
        if tag:
            end = _TRAILING.search(text)
            if end and not re.search(r"[\"'”’)]$", end.group(1)):
                text = f"{text[: end.start()]} {tag}{end.group(1)}"
            else:
                text = f"{text} {tag}"
        out.append(text)
    return " ".join(out)
