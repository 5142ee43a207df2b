"""Turn the source tokens of a candidate into a resolved speaker and its kind.

Example:
    >>> from index.attribution.speakers import SpeakerBook
    >>> resolve_source((), SpeakerBook(), 0)
    ('', 'unresolved', False)
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from index.attribution.cues import GROUP_PRONOUNS, PERSON_PRONOUNS, RELATIVE_PRONOUNS
from index.attribution.speakers import SpeakerBook, clean_name, is_anonymous_head

_MAX_DESCRIPTOR_WORDS = 10
_ORG_LABELS = {"ORG", "NORP", "GPE", "FAC"}


def _head(tokens: Sequence[Token]) -> Token:
    ids = {t.i for t in tokens}
    for tok in tokens:
        if tok.head.i not in ids or tok.head is tok:
            return tok
    return tokens[0]


def _antecedent(tok: Token) -> list[Token]:
    """``Trump, who said …`` → the tokens of ``Trump``."""
    verb = tok.head
    if verb.dep_ == "relcl":
        noun = verb.head
        drop = {t.i for t in verb.subtree}
        toks = [t for t in noun.subtree if t.i not in drop and not t.is_punct]
        return [t for t in toks if t.i <= noun.i or t.dep_ in {"appos", "compound", "flat"}]
    return []


def _entity_text(tokens: Sequence[Token], label: set[str]) -> str:
    best = ""
    for tok in tokens:
        if tok.ent_type_ in label:
            ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
            if ent is not None and len(ent.text) > len(best):
                best = ent.text
    return best


def _display(tokens: Sequence[Token]) -> str:
    text = tokens[0].doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]
    return clean_name(text)


def person_mentions(doc: Doc) -> list[SpacySpan]:
    """PERSON entities, plus untagged ``First Last`` proper-noun subjects the NER missed."""
    found = [e for e in doc.ents if e.label_ == "PERSON"]
    for tok in doc:
        if tok.pos_ != "PROPN" or tok.ent_type_ or tok.dep_ not in {"nsubj", "appos"}:
            continue
        names = [
            c
            for c in tok.children
            if c.dep_ == "compound"
            and c.pos_ == "PROPN"
            and c.text[:1].isupper()
            and not c.ent_type_
            and c.i == tok.i - 1
        ]
        if names and tok.text[:1].isupper() and not tok.text.isupper():
            found.append(doc[names[0].i : tok.i + 1])
    return found


def mention_descriptor(ent: SpacySpan) -> str:
    """``Defence Minister Khawaja Asif`` / ``Khawaja Asif, the defence minister`` for a PERSON."""
    root = ent.root
    left = ent.start
    for child in root.children:
        if child.i < ent.start and child.dep_ in {"compound", "amod", "nmod", "poss"}:
            left = min(left, child.left_edge.i)
    if root.dep_ in {"compound", "appos"} and root.head.i > root.i and root.head.pos_ != "PROPN":
        return ent.text
    if root.dep_ == "appos" and root.head.i < root.i and root.head.i >= ent.start - 5:
        left = min(left, root.head.left_edge.i)
    toks = [t for t in ent.doc[left : ent.end] if not t.is_space]
    words = _display(toks) if toks else ent.text
    for child in root.children:
        if child.dep_ == "appos" and child.i > root.i and len(list(child.subtree)) <= 6:
            words += " " + _display(list(child.subtree))
    return words if len(words.split()) <= _MAX_DESCRIPTOR_WORDS else ent.text


def resolve_source(tokens: Sequence[Token], book: SpeakerBook, start: int) -> tuple[str, str, bool]:
    """Return ``(speaker, kind, is_person)`` for the source tokens at article offset ``start``."""
    toks = [t for t in tokens if not t.is_punct]
    if not toks:
        return "", "unresolved", False
    if len(toks) == 1 and toks[0].lower_ in RELATIVE_PRONOUNS:
        ante = _antecedent(toks[0])
        if ante:
            return resolve_source(ante, book, start)
        speaker, kind = book.resolve_pronoun(toks[0].lower_, start)
        return speaker, kind, False
    if len(toks) == 1 and toks[0].lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS:
        speaker, kind = book.resolve_pronoun(toks[0].lower_, start)
        return speaker, kind, toks[0].lower_ in PERSON_PRONOUNS and kind == "named"
    head = _head(toks)
    text = _display(toks)
    descriptor = text if len(text.split()) <= _MAX_DESCRIPTOR_WORDS else ""
    person = _entity_text(toks, {"PERSON"})
    if (person and head.pos_ == "PROPN") or (person and head.ent_type_ == "PERSON"):
        return book.add_person(person, descriptor or person), "named", True
    if head.pos_ == "PROPN" or (head.text.isupper() and len(head.text) > 1):
        bare = head.text.strip(".")
        if head.ent_type_ in _ORG_LABELS or bare in book.acronyms:
            return book.resolve_org(text), "named", False
        if book.lookup_person(head.text) is not None or head.ent_type_ == "":
            return (
                book.add_person(
                    _display([t for t in toks if t.i >= head.i - 3 and t.pos_ == "PROPN"] or [head]),
                    descriptor,
                ),
                "named",
                True,
            )
        return book.resolve_org(text), "named", False
    if person:  # "Trump's campaign manager", "the Clinton campaign"
        return descriptor or person, "named", False
    role = book.resolve_role(text)
    if role:
        return role, "named", True
    lemma = head.lemma_.lower()
    org = _entity_text(toks, _ORG_LABELS)
    if org and not is_anonymous_head(lemma):
        return book.resolve_org(descriptor or org), "named", False
    qualifier = descriptor or head.text
    if qualifier[:1].isupper() and toks[0].pos_ == "DET":
        qualifier = qualifier[0].lower() + qualifier[1:]
    return qualifier, "anonymous", False
