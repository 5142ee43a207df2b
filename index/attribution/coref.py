"""Speaker coreference within one article: which person a "she" or "the mayor" is.

People's mentions are recorded in reading order with where they stand (sentence, paragraph,
subject or not, inside a quotation or not) and whether they were just quoted; evidence of each
person's gender is gathered from the article itself (honorifics, gendered nouns, a "his" or
"she" that can refer to nobody else). A pronoun source then resolves to the most salient earlier
person whose gender agrees: the speaker of the passage it continues, else recent subjects first,
never a name that only occurs inside a quotation. A definite description resolves to the person
it was used for before (``Doug McCallum, the mayor`` / ``Mayor McCallum`` / ``mayoral candidate
Doug McCallum``), else, for a noun that can only mean a person (``the rookie defenceman``), to the
person the passage is about; one introduced as ``a spokesperson`` stays a description.

Example:
    >>> c = Coref()
    >>> c.at(0, 0)
    >>> c.add_mention(0, pos=0, subject=True, quoted=False)
    >>> c.add_gender(0, "f", 1.0)
    >>> c.at(1, 0)
    >>> c.resolve_pronoun("f", pos=40), c.resolve_pronoun("m", pos=40)
    (0, None)
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from index.attribution.coref_rank import CandidateRanker
from index.attribution.coref_words import PERSON_NOUNS, noun_gender, pronoun_gender, role_base

_PRONOUN_WINDOW = 8  # sentences back a pronoun may reach for a plain mention
_SPEAKER_PARAGRAPHS = 2  # paragraphs back the passage's speaker stays the default
_DESCRIPTION_PARAGRAPHS = 3  # paragraphs back a role-less description may reach


@dataclass(frozen=True)
class Mention:
    """One mention of person ``entity`` at article offset ``pos``."""

    entity: int
    pos: int
    sentence: int
    paragraph: int
    subject: bool
    quoted: bool


@dataclass
class Coref:
    """Mentions, gender evidence, roles and speakers of the people of one article."""

    mentions: list[Mention] = field(default_factory=list)
    votes: dict[int, dict[str, float]] = field(default_factory=lambda: defaultdict(lambda: {"m": 0.0, "f": 0.0}))
    roles: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    indefinite: set[str] = field(default_factory=set)
    speakers: list[tuple[int, int, int]] = field(default_factory=list)  # (entity, sentence, paragraph)
    sentence: int = 0
    paragraph: int = 0
    quote_paragraph: bool = False  # the current paragraph opens with a quotation mark
    ranker: CandidateRanker | None = None  # decides where the rules are unsure
    record: list[tuple[list[dict[str, float]], int]] | None = None  # training groups, when collected

    def at(self, sentence: int, paragraph: int, quote_paragraph: bool = False) -> None:
        """Move the reading position to ``sentence`` in ``paragraph``."""
        self.sentence, self.paragraph, self.quote_paragraph = sentence, paragraph, quote_paragraph

    def add_mention(self, entity: int, pos: int, subject: bool, quoted: bool) -> None:
        self.mentions.append(Mention(entity, pos, self.sentence, self.paragraph, subject, quoted))

    def add_gender(self, entity: int, gender: str, weight: float) -> None:
        self.votes[entity][gender] += weight

    def add_roles(self, entity: int, words: list[str]) -> None:
        """Words that describe ``entity`` (titles, appositions): ``the mayor`` can then find them."""
        for word in words:
            base = role_base(word)
            self.roles[entity].add(base)
            gender = noun_gender(base)
            if gender:
                self.add_gender(entity, gender, 2.0)

    def note_speaker(self, entity: int) -> None:
        """``entity`` is the source of an attribution at the current position."""
        self.speakers.append((entity, self.sentence, self.paragraph))

    def gender(self, entity: int) -> str | None:
        """The gender the article's evidence points to, if it is clear."""
        v = self.votes.get(entity)
        if not v:
            return None
        if v["m"] > 2 * v["f"] and v["m"] >= 1:
            return "m"
        if v["f"] > 2 * v["m"] and v["f"] >= 1:
            return "f"
        return None

    def last_entity_mention(self, pos: int) -> dict[int, Mention]:
        """Each entity's latest mention outside quotations before ``pos``."""
        latest: dict[int, Mention] = {}
        for m in self.mentions:
            if m.pos < pos and not m.quoted:
                latest[m.entity] = m
        return latest

    def _passage_speaker(self, gender: str | None) -> int | None:
        """The latest speaker of the last paragraphs, if their gender does not clash."""
        for entity, _sent, para in reversed(self.speakers):
            if self.paragraph - para > _SPEAKER_PARAGRAPHS:
                return None
            if gender is None or self.gender(entity) in (None, gender):
                return entity
            return None  # the latest speaker clashes: let the mentions decide
        return None

    def _ranked(self, gender: str | None, pos: int, window: int) -> list[tuple[float, int]]:
        ranked = []
        for entity, m in self.last_entity_mention(pos).items():
            known = self.gender(entity)
            if gender is not None and known is not None and known != gender:
                continue
            dist = self.sentence - m.sentence
            if dist > window:
                continue
            score = -dist + 1.5 * m.subject + 0.5 * (m.paragraph == self.paragraph)
            score += 0.75 * (known is not None)
            ranked.append((score, entity))
        return sorted(ranked, reverse=True)

    def resolve_pronoun(self, gender: str | None, pos: int) -> int | None:
        """The person a ``he`` / ``she`` source at ``pos`` stands for (``None``: nobody fits)."""
        return self._decide(self._rules_pronoun(gender, pos), gender, pos, _PRONOUN_WINDOW)

    def _rules_pronoun(self, gender: str | None, pos: int) -> int | None:
        ranked = self._ranked(gender, pos, _PRONOUN_WINDOW)
        speaker = self._passage_holder(gender, pos, ranked)
        if speaker is not None:
            return speaker
        return ranked[0][1] if ranked else None

    def _passage_holder(self, gender: str | None, pos: int, ranked: list[tuple[float, int]]) -> int | None:
        """The passage's speaker, unless a person introduced after the last quote, as a subject,
        takes over the passage (``Erik Lund has four goals. The 26-year-old said …``)."""
        speaker = self._passage_speaker(gender)
        if speaker is None:
            return None
        later = [e for _s, e in ranked if e != speaker and self._introduced_after_speaker(e, pos)]
        return later[0] if later else speaker

    def _introduced_after_speaker(self, entity: int, pos: int) -> bool:
        if not self.speakers:
            return False
        _e, sent, _para = self.speakers[-1]
        m = self.last_entity_mention(pos).get(entity)
        return m is not None and m.subject and m.sentence > sent

    def resolve_description(self, head: str, words: list[str], pos: int) -> int | None:
        """The person a definite description (``the mayor``, head ``mayor``) stands for."""
        head = role_base(head)
        latest = self.last_entity_mention(pos)
        # "the Democratic nominee" is not the one described as "Republican nominee"
        proper = {role_base(w) for w in words if w[:1].isupper() and role_base(w) != head}
        fitting = [e for e in latest if head in self.roles.get(e, set()) and proper <= self.roles[e]]
        if fitting:
            mods = {role_base(w) for w in words} - {head}
            return max(fitting, key=lambda e: (len(mods & self.roles[e]), latest[e].pos))
        aged = any(w.lower() == "year" and n.lower() == "old" for w, n in itertools.pairwise(words))  # 26-year-old
        if proper or (head not in PERSON_NOUNS and "year-old" not in words and not aged):
            return None
        if head in self.indefinite:  # "a spokesperson … the spokesperson": nobody named
            return None
        gender = noun_gender(head)
        speaker = self._passage_holder(gender, pos, self._ranked(gender, pos, _PRONOUN_WINDOW))
        if speaker is not None:
            return self._decide(speaker, gender, pos, _PRONOUN_WINDOW)
        ranked = [
            (s, e) for s, e in self._ranked(gender, pos, 2 * _PRONOUN_WINDOW)
            if self.paragraph - latest[e].paragraph <= _DESCRIPTION_PARAGRAPHS
        ]  # fmt: skip
        return self._decide(ranked[0][1], gender, pos, _PRONOUN_WINDOW) if ranked else None

    def _decide(self, choice: int | None, gender: str | None, pos: int, window: int) -> int | None:
        """The rules' ``choice``, unless a ranker is set and two or more people are in reach."""
        if self.ranker is None or choice is None:
            return choice
        cands = candidate_features(self, gender, pos, window, choice)
        if len(cands) < 2:
            return choice
        return cands[self.ranker.pick([f for _e, f in cands])][0]

    def note_named(self, entity: int, pos: int) -> None:
        """Training: a named source at ``pos`` mentioned before stands in for a hidden pronoun."""
        if self.record is None:
            return
        gender = self.gender(entity)
        choice = self._rules_pronoun(gender, pos)
        cands = candidate_features(self, gender, pos, _PRONOUN_WINDOW, choice)
        gold = [i for i, (e, _f) in enumerate(cands) if e == entity]
        if len(cands) >= 2 and gold:
            self.record.append(([f for _e, f in cands], gold[0]))


def candidate_features(
    coref: Coref, gender: str | None, pos: int, window: int, choice: int | None
) -> list[tuple[int, dict[str, float]]]:
    """The people in reach of a source at ``pos`` whose gender does not clash, with the features
    of :data:`index.attribution.coref_rank.FEATURES`."""
    latest = coref.last_entity_mention(pos)
    counts: dict[int, int] = defaultdict(int)
    for m in coref.mentions:
        if m.pos < pos and not m.quoted:
            counts[m.entity] += 1
    spoke: dict[int, int] = defaultdict(int)
    for e, _s, _p in coref.speakers:
        spoke[e] += 1
    passage = coref._passage_speaker(gender)
    last = coref.speakers[-1][0] if coref.speakers else None
    first = min(latest, key=lambda e: min(m.pos for m in coref.mentions if m.entity == e), default=None)
    out = []
    for entity, m in latest.items():
        known = coref.gender(entity)
        dist = coref.sentence - m.sentence
        clash = gender is not None and known is not None and known != gender
        if (clash or dist > window) and entity != choice:
            continue
        out.append((entity, {
            "dist": min(dist, 8) / 8, "same_sentence": float(dist == 0), "prev_sentence": float(dist == 1),
            "para_dist": min(coref.paragraph - m.paragraph, 3) / 3, "subject": float(m.subject),
            "gender_known": float(known is not None), "passage_speaker": float(entity == passage),
            "last_speaker": float(entity == last), "spoke": math.log1p(spoke[entity]),
            "mentions": math.log1p(counts[entity]), "first_person": float(entity == first),
            "after_speaker": float(coref._introduced_after_speaker(entity, pos)),
            "quote_para_speaker": float(coref.quote_paragraph and entity == last),
            "rules": float(entity == choice),
        }))  # fmt: skip
    return out


_SUBORDINATORS = frozenset(
    {"although", "though", "while", "whereas", "if", "unless", "because", "since", "when", "whenever",
     "before", "after", "until", "once"}
)  # fmt: skip


def in_subordinate_clause(tok: Token) -> bool:
    """``tok`` stands in an adverbial clause opened by ``although`` / ``if`` / ``because`` …: its
    subject is in the background (``Although Trump has tweeted …, its inclusion …``)."""
    for node in (tok, *tok.ancestors):
        if node.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _SUBORDINATORS for c in node.children):
            return True
    return False


def _is_subject(tok: Token) -> bool:
    """A main-clause subject (or a name in apposition to one)."""
    if in_subordinate_clause(tok):
        return False
    if tok.dep_ in {"nsubj", "nsubjpass"}:
        return True
    return tok.dep_ in {"appos", "compound", "conj"} and tok.head.dep_ in {"nsubj", "nsubjpass"}


def _role_words(ent: SpacySpan) -> list[str]:
    """Titles and appositions around a name: ``Education Minister``, ``…, the mayor,``."""
    root = ent.root
    words = [t for t in root.children if t.i < ent.start and t.dep_ in {"compound", "amod", "nmod"}]
    words += [t for c in words for t in c.subtree if t.i < ent.start]
    for child in root.children:  # "Rob Fleming, the education minister"
        if child.dep_ == "appos" and child.i >= ent.end:
            words += [t for t in child.subtree if t.i <= child.i]
    if root.dep_ == "appos" and root.head.i < ent.start:  # "the mayor, Doug McCallum"
        words += [t for t in root.head.subtree if t.i <= root.head.i]
    if root.dep_ == "compound" and root.head.pos_ == "NOUN":  # "Stella's owners Tore Sohlberg"
        words.append(root.head)
    return [t.lemma_.lower() for t in words if t.pos_ in {"NOUN", "PROPN", "ADJ"} and t.i not in range(ent.start, ent.end)]


def observe_sentence(
    coref: Coref, doc: Doc, offset: int, quoted: Callable[[int], bool], people: Sequence[tuple[SpacySpan, int]]
) -> None:
    """Record one parsed sentence: its people (``(span, entity)``), their roles and gender evidence,
    and the heads of indefinite descriptions (``a spokesperson``)."""
    for ent, entity in people:
        pos = offset + ent.start_char
        coref.add_mention(entity, pos, _is_subject(ent.root), quoted(pos))
        coref.add_roles(entity, _role_words(ent))
        before = doc[ent.start - 1] if ent.start > 0 else None
        for tok in ([before] if before is not None else []) + [ent[0]]:
            gender = noun_gender(tok.text.rstrip("."))
            if gender and tok.text[:1].isupper():
                coref.add_gender(entity, gender, 3.0)
    for tok in doc:
        if tok.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ in {"a", "an", "another"} for c in tok.children):
            coref.indefinite.add(tok.lemma_.lower())
    here = [m for m in coref.mentions if m.sentence == coref.sentence and not m.quoted]
    before_me = [m for m in coref.mentions if m.sentence == coref.sentence - 1 and not m.quoted]
    for tok in doc:  # the sentence's first pronoun: a later one may go back to it instead
        gender = pronoun_gender(tok.text)
        if gender is None or quoted(offset + tok.idx):
            continue
        earlier = {m.entity for m in here if m.pos < offset + tok.idx} or {m.entity for m in before_me}
        # "Patterson dragged her": an object pronoun is someone other than its clause's subject
        if len(earlier) == 1 and not (tok.tag_ == "PRP" and tok.dep_ in {"dobj", "dative", "pobj"}):
            coref.add_gender(next(iter(earlier)), gender, 1.0)
        break
