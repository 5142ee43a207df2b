"""Unnamed speakers taken up again: a definite description that repeats an earlier indefinite
one, and a pronoun whose antecedent is an unnamed speaker.

News style introduces an unnamed source once in full and then shortens it: ``A person familiar
with the negotiations says …`` / ``…, according to the person``; ``reports by media outlets
including the Financial Times …`` / ``The reports said …``; ``a private security professional
told Reuters …`` / ``…, he said``. The short form names the same source, so the answer should
give the full description, not ``the person``.

:class:`Introductions` records, in reading order, the indefinite or bare noun phrases whose
words after the head say who they are (:func:`described`), and the unnamed singular speakers;
``take_up`` finds the phrase a bare ``the <noun>`` repeats, ``pronoun_antecedent`` the unnamed
speaker a ``he`` / ``she`` continues when no named person came after them.

Example:
    >>> intro = Introductions()
    >>> intro.found.append(Introduced(10, 0, "person", "a person familiar with the talks"))
    >>> intro.take_up("person", pos=90, paragraph=1)
    'a person familiar with the talks'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from index.attribution.coref_words import noun_gender

_POST_MODIFIERS = {"prep", "acl", "amod", "advmod", "npadvmod", "pobj", "det", "compound", "nummod"}
_MAX_MODIFIER_WORDS = 10
_INDEFINITE = {"a", "an", "another", "one", "some"}
_TAKE_UP_DETS = {"the", "this", "that", "these", "those"}
_PARAGRAPHS = 2  # paragraphs back a short form may reach


def described(head: Token, toks: Sequence[Token]) -> list[Token]:
    """An unnamed source with the words after its head that say who it is: ``another member of
    the public``, ``people arrested last week``, ``all those involved``, ``a release sent to media
    from the union`` (short participle and prepositional phrases; no relative clause or aside)."""
    kept = list(toks)
    end = max(t.i for t in toks)
    for child in sorted(head.children, key=lambda c: c.i):
        if child.i <= end:
            continue
        aside = {t.i for c in child.subtree if c.dep_ in {"relcl", "appos"} for t in c.subtree}
        sub = [t for t in child.subtree if t.i not in aside]
        while sub and sub[-1].dep_ == "punct":  # "of the public, whose name is withheld,"
            sub.pop()
        if (
            child.i != end + 1
            or child.dep_ not in _POST_MODIFIERS
            or len(sub) > _MAX_MODIFIER_WORDS
            or [t.i for t in sub] != list(range(sub[0].i, sub[-1].i + 1))
            or any(t.dep_ in {"punct", "ccomp", "mark"} for t in sub)
            or (child.dep_ == "acl" and child.tag_ not in {"VBN", "JJ"})
        ):
            break
        kept += sub
        end = max(t.i for t in sub)
    return sorted(kept, key=lambda t: t.i)


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text[:1].isupper() and not text.split()[0].isupper() else text


@dataclass(frozen=True)
class Introduced:
    """A noun phrase at article offset ``pos`` in ``paragraph``: its head lemma and full text."""

    pos: int
    paragraph: int
    lemma: str
    text: str


@dataclass
class Introductions:
    """Indefinite noun phrases with their describing words, and unnamed singular speakers."""

    found: list[Introduced] = field(default_factory=list)
    speakers: list[tuple[Introduced, int]] = field(default_factory=list)  # (speaker, end of source)

    def observe(self, doc: Doc, offset: int, paragraph: int, quoted: Callable[[int], bool]) -> None:
        """Record the sentence's indefinite (or bare plural) nouns described by words after them."""
        for tok in doc:
            if tok.pos_ != "NOUN" or quoted(offset + tok.idx):
                continue
            dets = [c.lower_ for c in tok.children if c.dep_ in {"det", "poss"}]
            if not (set(dets) & _INDEFINITE or (not dets and tok.tag_ == "NNS")):
                continue
            left = [t for t in tok.subtree if t.i <= tok.i]
            if [t.i for t in left] != list(range(left[0].i, tok.i + 1)):
                continue
            toks = described(tok, left)
            if toks[-1].i == tok.i:  # nothing after the head says who it is
                continue
            text = doc.text[toks[0].idx : toks[-1].idx + len(toks[-1].text)]
            self.found.append(Introduced(offset + toks[0].idx, paragraph, tok.lemma_.lower(), _lower_first(text)))

    def take_up(self, lemma: str, pos: int, paragraph: int) -> str | None:
        """The latest full phrase with head ``lemma`` before ``pos`` that ``the <noun>`` repeats."""
        for intro in reversed(self.found):
            if intro.pos < pos and intro.lemma == lemma and paragraph - intro.paragraph <= _PARAGRAPHS:
                return intro.text
        return None

    def note_speaker(self, pos: int, end: int, paragraph: int, lemma: str, text: str) -> None:
        """An unnamed singular person (``a private security professional``) spoke at ``pos``."""
        self.speakers.append((Introduced(pos, paragraph, lemma, _lower_first(text)), end))

    def pronoun_antecedent(
        self, pos: int, paragraph: int, gender: str | None, named_after: Callable[[int], bool]
    ) -> str | None:
        """The unnamed speaker a ``he`` / ``she`` (``gender``) at ``pos`` continues: the latest
        one, in this paragraph or the one before, of no other gender, when ``named_after(end of
        its source)`` finds no named person mentioned since."""
        before = [(s, end) for s, end in self.speakers if s.pos < pos]
        if not before:
            return None
        speaker, end = before[-1]
        if paragraph - speaker.paragraph > 1 or named_after(end):
            return None
        return speaker.text if noun_gender(speaker.lemma) in (None, gender) else None


def is_bare_definite(toks: Sequence[Token], head: Token) -> bool:
    """``the person`` / ``The reports``: a determiner and the head, nothing that describes it."""
    return len(toks) == 2 and toks[0].lower_ in _TAKE_UP_DETS and toks[1] is head
