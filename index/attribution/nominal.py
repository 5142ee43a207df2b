"""Nominal and prepositional attribution cues: ``Trump's claim that …``, ``according to X``,
``in a CNN poll, …`` and ``Speaker: text`` labels (offsets relative to the sentence).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from index.attribution.cues import NON_SPEAKER_LABELS, NOUN_CUES, REPORT_NOUNS, colon_source
from index.attribution.spans import Candidate, char_range, source_tokens


def noun_candidates(doc: Doc) -> list[Candidate]:
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
        poss = [c for c in tok.children if c.dep_ == "poss" and c.lower_ not in {"its", "their"}]
        if not clause or not poss:
            continue
        src = source_tokens(poss[0])
        src = [t for t in src if t.dep_ != "case"] or src
        found.append(
            Candidate(
                cue=(tok.idx, tok.idx + len(tok.text)),
                source=char_range(src),
                content=char_range(list(clause[0].subtree)),
                source_tokens=tuple(src),
                cue_text=tok.text,
                source_text=" ".join(t.text for t in src),
            )
        )
    return found


def according_candidates(doc: Doc) -> list[Candidate]:
    found: list[Candidate] = []
    for tok in doc:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        pobj = [c for c in to.children if c.dep_ == "pobj"] or [c for c in tok.children if c.dep_ == "pobj"]
        if not pobj:
            continue
        src = source_tokens(pobj[0])
        phrase = {t.i for t in tok.subtree} | {t.i for t in to.subtree}
        lo, hi = min(phrase), max(phrase)
        before = [t for t in doc if t.i < lo]
        after = [t for t in doc if t.i > hi]
        content = before if len(before) >= len(after) else after
        if _parenthetical(doc, lo, hi) and not any(t.pos_ in {"VERB", "AUX"} for t in before):
            content = before + after  # "Some of those concerns, according to experts, include …"
        found.append(
            Candidate(
                cue=(tok.idx, to.idx + len(to.text)),
                source=char_range(src),
                content=char_range(content),
                source_tokens=tuple(src),
                cue_text=doc.text[tok.idx : to.idx + len(to.text)],
                source_text=" ".join(t.text for t in src),
            )
        )
    return found


def _parenthetical(doc: Doc, lo: int, hi: int) -> bool:
    """Tokens ``lo..hi`` stand inside the sentence between commas."""
    return lo > 0 and hi + 1 < len(doc) and doc[lo - 1].text == "," and doc[hi + 1].text == ","


def colon_candidate(doc: Doc) -> list[Candidate]:
    rng = colon_source(doc.text)
    if rng is None:
        return []
    colon = doc.text.index(":", rng[1])
    src = [t for t in doc if rng[0] <= t.idx < rng[1]]
    if any(t.pos_ in {"VERB", "AUX"} for t in src) or not src:
        return []
    label = doc.text[rng[0] : rng[1]]
    if label.lower().replace("’", "'") in NON_SPEAKER_LABELS:  # "The Latest:", "UPDATE:"
        return []
    if any(
        e.label_ in {"GPE", "LOC", "DATE", "TIME"} and e.start_char <= rng[0] and rng[1] <= e.end_char
        for e in doc.ents
    ):
        return []  # "Iowa: ..." dateline-style headings
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


def _named_report(noun: Token) -> bool:
    """``a CNN poll`` / ``a new survey``, not ``the polls`` (the horse race)."""
    if noun.tag_ == "NNS":
        return False
    det = [c.lower_ for c in noun.children if c.dep_ == "det"]
    named = any(c.dep_ in {"compound", "nmod", "poss"} for c in noun.children)
    return named or det[:1] in (["a"], ["an"])


def in_report_candidates(doc: Doc) -> list[Candidate]:
    """``In a CNN poll released Monday, 50 percent chose Clinton``: the poll is the source."""
    found: list[Candidate] = []
    for tok in doc:
        if tok.lower_ != "in" or tok.dep_ != "prep":
            continue
        pobj = [c for c in tok.children if c.dep_ == "pobj" and c.lemma_.lower() in REPORT_NOUNS]
        if not pobj or tok.head.pos_ not in {"VERB", "AUX"} or not _named_report(pobj[0]):
            continue
        src = source_tokens(pobj[0])
        phrase = {t.i for t in tok.subtree}
        content = [t for t in tok.head.subtree if t.i not in phrase]
        rng = char_range(content)
        if rng is None or len(content) < 3:
            continue
        found.append(
            Candidate(
                cue=(tok.idx, tok.idx + len(tok.text)),
                source=char_range(src),
                content=rng,
                source_tokens=tuple(src),
                cue_text=tok.text,
                source_text=" ".join(t.text for t in src),
            )
        )
    return found
