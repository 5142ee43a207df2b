"""Turn the source tokens of a candidate into a resolved speaker and its kind.

Example:
    >>> from index.attribution.speakers import SpeakerBook
    >>> resolve_source((), SpeakerBook(), 0)
    Resolved(speaker='', kind='unresolved', entity=None)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from index.attribution.anaphora import described as described_tokens
from index.attribution.anaphora import is_bare_definite
from index.attribution.coref import in_subordinate_clause
from index.attribution.coref_words import DOCUMENT_NOUNS, ORG_NOUNS, PERSON_NOUNS, pronoun_gender
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
            and c.ent_type_ in {"", "NORP", "PERSON"}
            and c.i == tok.i - 1
        ]
        organisation = tok.tag_ == "NNPS" or tok.lemma_.lower() in ORG_NOUNS  # "(FSIN) Youth Councils"
        if names and tok.text[:1].isupper() and not tok.text.isupper() and not organisation:
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


@dataclass(frozen=True)
class Resolved:
    """A source resolved to a speaker: ``entity`` is the person's index in the book, if a person.

    Example:
        >>> Resolved("Doug McCallum", "named", 0).is_person
        True
    """

    speaker: str
    kind: str
    entity: int | None = None

    @property
    def is_person(self) -> bool:
        return self.entity is not None


_UNRESOLVED = Resolved("", "unresolved")
_DEFINITE = {"the", "this", "that"}


def _person(book: SpeakerBook, name: str, descriptor: str, start: int, head: Token) -> Resolved:
    entity = book.add_person_id(name, descriptor)
    book.coref.add_mention(entity, start, subject=not in_subordinate_clause(head), quoted=False)
    return Resolved(book.people[entity][1], "named", entity)


def _by_descriptor(book: SpeakerBook, speaker: str, kind: str) -> Resolved:
    entity = next((i for i, (_n, d) in enumerate(book.people) if d == speaker), None)
    return Resolved(speaker, kind, entity if kind == "named" else None)


def _org(book: SpeakerBook, name: str, start: int) -> Resolved:
    org = book.resolve_org(name)
    book.note_org(start, org, speaker=True)
    return Resolved(org, "named")


def _description(toks: Sequence[Token], head: Token, book: SpeakerBook, start: int) -> Resolved | None:
    """``the mayor`` / ``the company``: the person or organisation the article used it for."""
    if toks[0].lower_ not in _DEFINITE or head.tag_ in {"NNS", "NNPS"} or head.pos_ != "NOUN":
        return None
    if any(t.dep_ in {"cc", "conj"} for t in toks):  # "the nominee and his aides"
        return None
    lemma = head.lemma_.lower()
    words = [t.text for t in toks[1:]]
    if lemma in ORG_NOUNS:
        org = book.org_for(lemma, start)
        return Resolved(org, "named") if org else None
    entity = book.coref.resolve_description(lemma, words, start)
    if entity is None:
        return None
    return Resolved(book.people[entity][1], "named", entity)


def _document_author(head: Token, book: SpeakerBook, start: int) -> Resolved | None:
    """``her statement read`` / ``his letter said``: the person the possessive stands for."""
    if head.lemma_.lower() not in DOCUMENT_NOUNS:
        return None
    poss = [c for c in head.children if c.dep_ == "poss" and pronoun_gender(c.text) is not None]
    entity = book.coref.resolve_pronoun(pronoun_gender(poss[0].text), start) if poss else None
    return Resolved(book.people[entity][1], "named", entity) if entity is not None else None


def resolve_source(tokens: Sequence[Token], book: SpeakerBook, start: int) -> Resolved:
    """Resolve the source tokens at article offset ``start`` to a speaker."""
    toks = [t for t in tokens if not t.is_punct]
    if not toks:
        return _UNRESOLVED
    low = toks[0].lower_
    if len(toks) == 1 and low in RELATIVE_PRONOUNS:
        ante = _antecedent(toks[0])
        if ante:
            return resolve_source(ante, book, start)
        return _by_descriptor(book, *book.resolve_pronoun(low, start))
    if len(toks) == 1 and low in PERSON_PRONOUNS | GROUP_PRONOUNS:
        gender = pronoun_gender(low)
        if gender is not None:
            unnamed = _unnamed_antecedent(book, gender, start)
            if unnamed is not None:
                return Resolved(unnamed, "anonymous")
            entity = book.coref.resolve_pronoun(gender, start)
            if entity is not None:
                return Resolved(book.people[entity][1], "named", entity)
        speaker, kind = book.resolve_pronoun(low, start)
        return _by_descriptor(book, speaker, kind) if low in PERSON_PRONOUNS else Resolved(speaker, kind)
    head = _head(toks)
    text = _display(toks)
    descriptor = text if len(text.split()) <= _MAX_DESCRIPTOR_WORDS else ""
    person = _entity_text(toks, {"PERSON"})
    if (person and head.pos_ == "PROPN") or (person and head.ent_type_ == "PERSON"):
        return _person(book, person, descriptor or person, start, head)
    if head.pos_ == "PROPN" or (head.text.isupper() and len(head.text) > 1):
        bare = head.text.strip(".")
        named_before = len(toks) == 1 and not head.text.isupper() and book.lookup_person(head.text) is not None
        if named_before:  # "Lonechild said" after "Darian Lonechild", whatever the NER tagged
            return _person(book, head.text, head.text, start, head)
        if head.ent_type_ in _ORG_LABELS or bare in book.acronyms:
            return _org(book, text, start)
        if head.ent_type_ == "" and text in book.org_names and book.lookup_person(head.text) is None:
            return _org(book, text, start)  # untagged here, an organisation elsewhere in the article
        if book.lookup_person(head.text) is not None or head.ent_type_ == "":
            name = _display([t for t in toks if t.i >= head.i - 3 and t.pos_ == "PROPN"] or [head])
            return _person(book, name, descriptor, start, head)
        return _org(book, text, start)
    if person:  # "Trump's campaign manager", "the Clinton campaign"
        return Resolved(descriptor or person, "named")
    author = _document_author(head, book, start)
    if author is not None:
        return author
    described = _description(toks, head, book, start)
    if described is not None:
        return described
    role = book.resolve_role(text)
    if role:
        return _by_descriptor(book, role, "named")
    lemma = head.lemma_.lower()
    org = _entity_text(toks, _ORG_LABELS)
    if org and not is_anonymous_head(lemma):
        return _org(book, descriptor or org, start)
    full = book.intros.take_up(lemma, start, book.coref.paragraph) if is_bare_definite(toks, head) else None
    qualifier = full or _display(described_tokens(head, toks)) or descriptor or head.text
    if qualifier[:1].isupper() and (toks[0].pos_ == "DET" or head.pos_ == "NOUN") and not toks[0].ent_type_:
        qualifier = qualifier[0].lower() + qualifier[1:]
    if head.tag_ == "NN" and (lemma in PERSON_NOUNS or is_anonymous_head(lemma)):  # one unnamed person
        end = start + toks[-1].idx + len(toks[-1].text) - toks[0].idx
        book.intros.note_speaker(start, end, book.coref.paragraph, lemma, qualifier)
    return Resolved(qualifier, "anonymous")


def _unnamed_antecedent(book: SpeakerBook, gender: str, start: int) -> str | None:
    """The unnamed speaker a pronoun at ``start`` continues, if no named person came since."""

    def named_after(end: int) -> bool:
        return any(end <= m.pos < start and not m.quoted for m in book.coref.mentions)

    return book.intros.pronoun_antecedent(start, book.coref.paragraph, gender, named_after)
