"""Resolve the source of an attribution to the speaker a reader would name.

``he`` becomes the last named person quoted, ``the Defence Minister`` the person
introduced with that title, ``Asif`` the fullest mention ``Pakistan’s Defence
Minister Khawaja Asif``, ``the BLA`` the defined ``Balochistan Liberation Army
(BLA)``; unnamed sources keep their qualifier (``another official``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.attribution.anaphora import Introductions
from index.attribution.coref import Coref
from index.attribution.coref_words import PERSON_NOUNS
from index.attribution.cues import ANON_HEADS, GROUP_PRONOUNS, PERSON_PRONOUNS, RELATIVE_PRONOUNS, ROLE_NOUNS

_ACRONYM = re.compile(r"\(([A-Z][A-Za-z]?[A-Z]{1,7})\)")
_SMALL = {"of", "and", "the", "for", "in", "on", "de", "e", "&"}
_WORD = re.compile(r"[\w’'-]+")
_DETS = {"the", "a", "an", "another", "one", "some", "two", "three", "several", "many", "other"}


def find_acronyms(text: str) -> dict[str, str]:
    """Map each acronym the text defines as ``Long Name (ACR)`` to ``Long Name (ACR)``.

    Example:
        >>> find_acronyms("the Balochistan Liberation Army (BLA) said")
        {'BLA': 'Balochistan Liberation Army (BLA)'}
    """
    found: dict[str, str] = {}
    for match in _ACRONYM.finditer(text):
        acr = match.group(1)
        letters = [c for c in acr if c.isupper()]
        words = _WORD.findall(text[max(0, match.start() - 120) : match.start()])
        picked: list[str] = []
        need = list(letters)
        for word in reversed(words):
            if not need:
                break
            if word.lower() in _SMALL and picked:
                picked.append(word)
                continue
            parts = [p for p in word.split("-") if p]
            initials = [p[0].upper() for p in parts if p[0].isupper()]
            if not initials or initials[-1] != need[-1]:
                break
            for init in reversed(initials):
                if need and need[-1] == init:
                    need.pop()
            picked.append(word)
        if not need and picked:
            while picked and picked[-1].lower() in _SMALL:
                picked.pop()
            found.setdefault(acr, " ".join(reversed(picked)) + f" ({acr})")
    return found


_PARTY_TAG = re.compile(r"(?:\s*\([DRI](?:-[A-Z][A-Za-z. ]{0,12})?\)?|\s+[DRI]-[A-Z][A-Za-z.]{1,12})[\s,.;:]*$")


def clean_name(text: str) -> str:
    """Drop appositive commas, leading adverbs and trailing punctuation from a source.

    Example:
        >>> clean_name("Even Pakistan’s Defence Minister, Khawaja Asif,")
        'Pakistan’s Defence Minister Khawaja Asif'
        >>> clean_name("Sen. Claire McCaskill (D-Mo.)")
        'Sen. Claire McCaskill'
    """
    text = _PARTY_TAG.sub("", text.strip())  # AP's party-state tag after a legislator's name
    text = re.sub(r"\s*,\s*", " ", text.strip())
    text = re.sub(r"^(?:even|also|now|then|but|and|however)\s+", "", text, flags=re.I)
    text = re.sub(r"[’']s$", "", text.strip(" ,.;:\"“”'’"))  # "Donald Trump’s" (a possessive source)
    return text.strip(" ,.;:\"“”'’")


def _key(text: str) -> list[str]:
    return [w.lower().strip(".") for w in _WORD.findall(text)]


_HONORIFICS = {"mr", "mrs", "ms", "dr", "miss", "sir", "prof", "rev"}


def _first_name(words: list[str]) -> str:
    """The given name of ``["mayor", "doug", "mccallum"]`` (``""`` for a surname alone or ``Mr. X``)."""
    names = [w for w in words if w not in _HONORIFICS and w not in PERSON_NOUNS and w not in ROLE_NOUNS]
    return names[-2] if len(names) > 1 else ""


@dataclass
class SpeakerBook:
    """Per-article memory of who has been mentioned and quoted, in reading order.

    Example:
        >>> book = SpeakerBook(acronyms={"BLA": "Balochistan Liberation Army (BLA)"})
        >>> book.resolve_org("the BLA")
        'Balochistan Liberation Army (BLA)'
    """

    acronyms: dict[str, str] = field(default_factory=dict)
    people: list[tuple[str, str]] = field(default_factory=list)  # (name, descriptor)
    last_person: str = ""
    last_any: tuple[str, str] = ("", "unresolved")
    person_mentions: list[tuple[int, str]] = field(default_factory=list)
    coref: Coref = field(default_factory=Coref)
    orgs: list[tuple[int, int, str, bool]] = field(default_factory=list)  # (pos, paragraph, name, speaker)
    intros: Introductions = field(default_factory=Introductions)  # unnamed sources, for short forms
    org_names: set[str] = field(default_factory=set)  # names tagged ORG so far in the article (read in order)

    def add_person(self, name: str, descriptor: str = "") -> str:
        """Record a person; return the fullest descriptor known for them."""
        return self.people[self.add_person_id(name, descriptor)][1]

    def add_person_id(self, name: str, descriptor: str = "") -> int:
        """Record a person; return their index in ``people`` (one per person of the article)."""
        name = clean_name(name)
        descriptor = clean_name(descriptor) or name
        match = self.lookup_person(name)
        if match is not None:
            i, (old_name, old_desc) = match
            best_name = name if len(name) > len(old_name) else old_name
            best_desc = descriptor if len(descriptor) > len(old_desc) else old_desc
            if len(best_name.split()) > 1 and best_name not in best_desc:
                best_desc = best_name
            self.people[i] = (best_name, best_desc)
            return i
        self.people.append((name, descriptor))
        return len(self.people) - 1

    def lookup_person(self, name: str) -> tuple[int, tuple[str, str]] | None:
        """Find a known person sharing the surname (last word) of ``name``.

        A bare name several people share (``Kim`` after ``Kim Jong-un`` and ``Kim Yong-chol``)
        goes to the one it is the surname of, else to the first introduced: news style names
        a later namesake in full.
        """
        words = _key(name)
        if not words:
            return None
        surname = words[-1]
        first = _first_name(words)
        found = []
        for i, (known_name, _desc) in enumerate(self.people):
            known = _key(known_name)
            if not known or not (known[-1] == surname or (len(words) == 1 and surname in known)):
                continue
            other = _first_name(known)
            if first and other and first != other and not (len(first) == 1 or len(other) == 1):
                continue  # "Melker Karlsson" is not "Erik Karlsson"
            found.append(i)
        if not found:
            return None
        if len(words) > 1:  # a fuller name: the latest namesake, as before
            return found[-1], self.people[found[-1]]
        exact = [i for i in found if _key(self.people[i][0])[-1] == surname]
        best = (exact or found)[0]
        return best, self.people[best]

    def resolve_role(self, text: str) -> str | None:
        """``the Defence Minister`` → the latest person whose descriptor has that role."""
        words = [w for w in _key(text) if w not in _DETS]
        roles = [w for w in words if w in ROLE_NOUNS]
        if not roles or _key(text)[:1] != ["the"]:
            return None
        for _name, desc in reversed(self.people):
            dwords = _key(desc)
            if all(w in dwords for w in words):
                return desc
        return None

    def resolve_org(self, text: str) -> str:
        """Expand a defined acronym; otherwise return the cleaned name."""
        core = clean_name(text)
        bare = re.sub(r"^the\s+", "", core, flags=re.I)
        if bare in self.acronyms:
            return self.acronyms[bare]
        for _acr, full in self.acronyms.items():
            if full.lower().startswith(bare.lower()) and len(bare) > 3:
                return full
        return core

    def note_org(self, pos: int, name: str, speaker: bool = False) -> None:
        """An organisation named at ``pos`` (``speaker``: as the source of an attribution)."""
        self.orgs.append((pos, self.coref.paragraph, name, speaker))

    def org_for(self, noun: str, pos: int) -> str | None:
        """``the company`` at ``pos``: the organisation just quoted, one whose name holds the noun
        (``the board`` → ``Central Okanagan School Board``), else the one just named."""
        recent = [o for o in self.orgs if o[0] < pos and self.coref.paragraph - o[1] <= 2]
        for _pos, _para, name, speaker in reversed(recent):
            if speaker:
                return name
        for _pos, _para, name, _speaker in reversed(recent):
            if noun in _key(name):
                return self.resolve_org(name)
        return self.resolve_org(recent[-1][2]) if recent else None

    def resolve_pronoun(self, pronoun: str, start: int) -> tuple[str, str]:
        """Resolve a subject pronoun to (speaker, kind) by recency."""
        low = pronoun.lower()
        if low in PERSON_PRONOUNS:
            if self.last_person:
                return self.last_person, "named"
            earlier = [name for pos, name in self.person_mentions if pos < start]
            if earlier:
                return self.add_person(earlier[-1]), "named"
            return "", "unresolved"
        if (low in GROUP_PRONOUNS or low in RELATIVE_PRONOUNS) and self.last_any[0]:
            return self.last_any
        return "", "unresolved"

    def remember(self, speaker: str, kind: str, is_person: bool) -> None:
        """Note the speaker of the attribution just extracted."""
        if kind == "unresolved" or not speaker:
            return
        self.last_any = (speaker, kind)
        if is_person and kind == "named":
            self.last_person = speaker


def is_anonymous_head(lemma: str) -> bool:
    """True for heads like ``official`` / ``sources`` naming nobody in particular.

    Example:
        >>> is_anonymous_head("official"), is_anonymous_head("army")
        (True, False)
    """
    return lemma.lower() in ANON_HEADS
