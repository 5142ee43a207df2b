"""Shared pieces of the attribution parser: the ``Candidate`` record and span helpers.

Offsets are relative to the sentence text (see :mod:`index.attribution.parse`).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

EDGE_PUNCT = set(",.;:—–-()[]")
_QUOTE_TOKENS = frozenset({"“", "”", '"', "''"})
_QUOTES_KEY = "sourced_quote_tokens"


def quote_tokens(doc: Doc) -> frozenset[str]:
    """The quotation-mark tokens (``“ ” " ''``) ``doc`` holds, found once per doc: each verb's
    cue features and rules ask, and a scan of the doc per verb was a tenth of the extraction.

    Example:
        >>> from spacy.vocab import Vocab
        >>> sorted(quote_tokens(Doc(Vocab(), words=["“", "Go", "”", ",", "she", "said"])))
        ['“', '”']
    """
    found = doc.user_data.get(_QUOTES_KEY)
    if found is None:
        found = doc.user_data[_QUOTES_KEY] = frozenset(t.text for t in doc if t.text in _QUOTE_TOKENS)
    return found


def follows_marker(n: int) -> tuple[int, int]:
    """Content marker ``(n, n)`` (empty, at the sentence end): the next sentence is the content."""
    return (n, n)


def precedes_marker() -> tuple[int, int]:
    """Content marker ``(0, 0)``: the quotation that ends the sentence before is the content
    (``“…?” / he said.`` split after the question mark)."""
    return (0, 0)


@dataclass(frozen=True)
class Candidate:
    """One attribution found in a sentence; offsets relative to the sentence text."""

    cue: tuple[int, int]
    source: tuple[int, int] | None
    content: tuple[int, int] | None
    source_tokens: tuple[Token, ...] = ()
    cue_text: str = ""
    source_text: str = ""
    cue_lemma: str = ""


def char_range(tokens: list[Token]) -> tuple[int, int] | None:
    if not tokens:
        return None
    toks = sorted(tokens, key=lambda t: t.i)
    while toks and (
        toks[0].text in EDGE_PUNCT
        or toks[0].is_space
        or (toks[0].lower_ == "that" and toks[0].dep_ == "mark")
    ):
        toks.pop(0)
    while toks and (toks[-1].text in EDGE_PUNCT or toks[-1].is_space):
        if toks[-1].text == ")" and any(t.text == "(" for t in toks):
            break
        toks.pop()
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _name_end(head: Token) -> int:
    """Index of the last token of the organisation's name ``head`` stands in (``head.i`` if none):
    "the Committee to Protect Journalists" is one name, whatever the parser makes of its clause."""
    if head.ent_type_ != "ORG" or head.pos_ != "PROPN":
        return head.i
    end = next((e.end - 1 for e in head.doc.ents if e.start <= head.i < e.end), head.i)
    above = {t.i for t in head.ancestors}  # "Obama Sees 'Personal Insult'" tagged ORG holds the cue
    return head.i if any(i in above for i in range(head.i, end + 1)) else end


def source_tokens(head: Token) -> list[Token]:
    """The subject phrase without relative clauses, edge punctuation or leading adverbs."""
    dropped: set[int] = set()
    for child in head.children:
        if child.dep_ in {"relcl", "acl"} or (
            child.dep_ == "advmod" and child.i < head.i and child.i == head.left_edge.i
        ):
            dropped.update(t.i for t in child.subtree)
        if child.dep_ == "prep" and child.i > head.i and len(list(child.subtree)) > 6:
            dropped.update(t.i for t in child.subtree)
    toks = [t for t in head.subtree if t.i not in dropped]
    # keep a contiguous stretch around the head
    idx = [t.i for t in toks]
    lo = hi = head.i
    while lo - 1 in idx:
        lo -= 1
    while hi + 1 in idx:
        hi += 1
    toks = [t for t in toks if lo <= t.i <= hi]
    if _name_end(head) > hi:
        toks = list(head.doc[lo : _name_end(head) + 1])
    while toks and (toks[0].text in EDGE_PUNCT or toks[0].dep_ == "cc"):
        toks.pop(0)
    while toks and (toks[-1].text in EDGE_PUNCT or toks[-1].dep_ == "cc"):
        if toks[-1].text == ")" and any(t.text == "(" for t in toks):
            break
        toks.pop()
    return toks
