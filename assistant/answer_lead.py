"""The phrase that answers: what a short extractive answer may lead with.

"Which team won the Stanley Cup?" asks for an organisation. :func:`expected_labels` reads that
from the wh-word and its head noun; :class:`AnswerLead` then looks for entities of those types
(spaCy NER) in the cited sentence, drops those already named in the question, and returns the
one that remains: a verbatim span of the sentence. Two or more candidates, or a question of no
clear type, give no lead: a wrong lead is worse than none.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.attribution_qa import parse_source_question
from index.errors import ModelUnavailableError
from index.lexicon import STOP_WORDS

log = logging.getLogger(__name__)

PERSON = frozenset({"PERSON"})
GPE = frozenset({"GPE"})
PLACE = frozenset({"GPE", "LOC"})
ORG = frozenset({"ORG"})
AMOUNT = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
DATE = frozenset({"DATE"})
WORK = frozenset({"WORK_OF_ART"})
NONE: frozenset[str] = frozenset()


def _heads(labels: frozenset[str], words: str) -> dict[str, frozenset[str]]:
    return dict.fromkeys(words.split(), labels)


#: Head nouns after "which"/"what" and the entity types that answer them (singular only:
#: "which countries" asks for several, and one lead would be a partial answer).
HEAD_NOUNS: dict[str, frozenset[str]] = {
    **_heads(PERSON, "person man woman leader star singer actor actress golfer player athlete politician "
             "republican democrat member president king queen prince princess monarch ceo billionaire "
             "rapper musician artist author writer director senator governor candidate lawmaker "
             "comedian host coach celebrity footballer quarterback pitcher boxer champion pope "
             "entrepreneur founder journalist activist scientist astronaut"),
    **_heads(GPE, "country nation city state town province county capital village"),
    **_heads(PLACE, "island region continent territory"),
    **_heads(ORG, "team company airline automaker carmaker chain school body club platform app giant "
             "newspaper firm university college agency organization organisation network retailer "
             "bank brand league manufacturer broadcaster magazine startup"),
    **_heads(AMOUNT, "percentage"),
    **_heads(DATE, "year date day month"),
    **_heads(WORK, "film movie book show series song album novel musical documentary sitcom"),
}
#: Words that end the search for a head noun ("which type of ..." has none).
_HEAD_STOP = STOP_WORDS | {"has", "have", "will", "would", "could", "can", "did", "does", "do"}
_HEAD_WINDOW = 6
_CLAUSE = re.compile(r"(?<=[.?!])\s+(?=[A-Z“\"])")
_TOKEN = re.compile(r"[a-z0-9$%][a-z0-9$%.’'-]*")
_TIME_UNITS = frozenset(["days", "weeks", "months", "years", "decades", "hours", "minutes"])
_WH = frozenset({"who", "whom", "whose", "which", "what", "when", "where", "how"})
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.I)
_POSSESSIVE = re.compile(r"[’']s?$")


def _tokens(text: str) -> list[str]:
    return [_POSSESSIVE.sub("", t.rstrip(".")) for t in _TOKEN.findall(text.lower())]


def expected_labels(question: str) -> frozenset[str]:
    """The spaCy entity labels that would answer ``question``; empty when its type is unclear.

    The wh-word is the first one of the question's last sentence that has one.

    Example:
        >>> sorted(expected_labels("Which team won the 2022 NHL Stanley Cup Finals?"))
        ['ORG']
        >>> sorted(expected_labels("Approximately how many people live on Earth?"))
        ['CARDINAL', 'MONEY', 'PERCENT', 'QUANTITY']
        >>> expected_labels("Which type of infrastructure could the lava reach?")
        frozenset()
    """
    for clause in reversed(_CLAUSE.split(question.strip())):
        words = _tokens(clause)
        at = next((i for i, w in enumerate(words) if w in _WH), None)
        if at is not None:
            return _labels_after(words[at], words[at + 1 :])
    return NONE


def _labels_after(wh: str, rest: list[str]) -> frozenset[str]:
    if wh in ("who", "whom", "whose"):
        return PERSON
    if wh == "when":
        return DATE
    if wh == "how":
        if rest[:1] == ["many"] and rest[1:2] and rest[1] in _TIME_UNITS:
            return AMOUNT | DATE  # "how many days": spaCy calls "45 days" a DATE
        return AMOUNT if rest[:1] in (["many"], ["much"]) else NONE
    if wh == "where":
        return NONE
    if rest[:4] in (["is", "the", "name", "of"], ["was", "the", "name", "of"]):
        rest = rest[4:]  # "what was the name of the storm?"
    for word in rest[:_HEAD_WINDOW]:
        if word in HEAD_NOUNS:
            return HEAD_NOUNS[word]
        if word in _HEAD_STOP and word not in ("the", "a", "an"):
            break
    return NONE


@dataclass(frozen=True)
class Entity:
    """A named entity of a sentence: ``sentence[start:end]`` with its spaCy ``label``.

    Example:
        >>> Entity(4, 21, "ORG").label
        'ORG'
    """

    start: int
    end: int
    label: str


Recognizer = Callable[[str], Sequence[Entity]]


def spacy_entities(text: str) -> list[Entity]:
    """Entities by the spaCy pipeline the attribution extractor uses (the same cached copy),
    running its NER alone (it does not listen to the shared tok2vec).

    Example:
        >>> [e.label for e in spacy_entities("Ford recalled 2.9 million vehicles.")]  # doctest: +SKIP
        ['ORG', 'CARDINAL']
    """
    from index.attribution import load_nlp
    from index.attribution.selective_ner import stock_entities

    doc = stock_entities(load_nlp(), text)
    return [Entity(e.start_char, e.end_char, e.label_) for e in doc.ents]


class AnswerLead:
    """Picks the phrase of a cited sentence that answers the question, or ``None``.

    Example:
        >>> ner = lambda s: [Entity(4, 22, "ORG"), Entity(38, 42, "DATE")]
        >>> AnswerLead(ner).lead("Which team won the Cup?", "The Colorado Avalanche won the Cup in 2022.")
        'Colorado Avalanche'
    """

    def __init__(self, recognizer: Recognizer | None = None) -> None:
        self.recognizer = recognizer or spacy_entities
        self.unavailable = False  # the spaCy model is missing: no leads, logged once

    def warm_up(self) -> None:
        """Load the recognizer now (the spaCy model takes seconds) rather than at the first answer."""
        self.lead("Who?", "Nobody.")

    def lead(self, question: str, sentence: str) -> str | None:
        """The single entity of the expected type in ``sentence`` that the question does not already
        name, as a verbatim span of ``sentence``; ``None`` when there is not exactly one."""
        labels = expected_labels(question)
        if not labels or self.unavailable or parse_source_question(question) is not None:
            return None
        found = self._answering(question, sentence, labels)
        if found is None:
            return None
        found = [s for s in found if not any(_content(s) < _content(other) for other in found)]
        counted = _counted(question)  # "how many miles": prefer the amount in miles
        if counted:
            found = [s for s in found if counted in {t.rstrip("s") for t in _tokens(s)}] or found
        return found[0] if len({_content(s) for s in found}) == 1 else None

    def missing_kind(self, question: str, sentences: Sequence[str]) -> str | None:
        """``"a figure"`` or ``"a date"`` when ``question`` asks for one (how many, how much, when,
        which year) and none of ``sentences`` holds one the question does not already name; ``None``
        when one does, when the question asks for another kind, or when there is no recognizer.

        Example:
            >>> typed = AnswerLead(lambda s: [Entity(0, 2, "CARDINAL")] if s[:1].isdigit() else [])
            >>> typed.missing_kind("How many weapons were seized?", ["The army said it won."])
            'a figure'
            >>> typed.missing_kind("How many weapons were seized?", ["12 rifles were seized."]) is None
            True
        """
        labels = expected_labels(question)
        if not labels or not labels <= AMOUNT | DATE or self.unavailable:
            return None
        if parse_source_question(question) is not None:
            return None
        for sentence in sentences:
            if self._answering(question, sentence, labels) != []:
                return None  # it holds one, or the recognizer is missing
        return "a date" if labels == DATE else "a figure"

    def _answering(self, question: str, sentence: str, labels: frozenset[str]) -> list[str] | None:
        """The distinct spans of ``sentence`` whose entity type is in ``labels`` and which the
        question does not already name; ``None`` when the recognizer is unavailable."""
        try:
            entities = self.recognizer(sentence)
        except ModelUnavailableError as exc:
            log.warning("%s Answers are not led by the phrase that answers, nor fallbacks checked for it.", exc)
            self.unavailable = True
            return None
        named = _named_words(question)
        spans = [_trimmed(sentence, e) for e in entities if e.label in labels and not _dateline(sentence, e)]
        return [s for s in dict.fromkeys(spans) if _content(s) and not (_content(s) & named)]


def _named_words(question: str) -> set[str]:
    """The question's names and numbers (words with a capital or a digit), lower-cased: an entity
    sharing one is what the question already says ("university" alone does not count)."""
    words = [w for w in re.findall(r"\S+", question) if any(c.isupper() or c.isdigit() for c in w)]
    return {t for t in _tokens(" ".join(words)) if t not in STOP_WORDS and t not in _WH}


def _counted(question: str) -> str | None:
    """The noun counted by "how many <noun>", singular-stemmed ("miles" → "mile")."""
    match = re.search(r"\bhow\s+many\s+(\w+)", question, re.I)
    return match.group(1).lower().rstrip("s") if match else None


def _dateline(sentence: str, entity: Entity) -> bool:
    """A source in parentheses: "(CNN)", "(Reuters)"."""
    return sentence[entity.start - 1 : entity.start] == "(" and sentence[entity.end : entity.end + 1] == ")"


def _trimmed(sentence: str, entity: Entity) -> str:
    """The entity's text without a leading article, a trailing possessive or stray quotes."""
    text = _LEADING.sub("", sentence[entity.start : entity.end]).rstrip(" '’\"“”,;:")
    return re.sub(r"[’']s$", "", text).rstrip(" '’\"“”,;:")


def _content(span: str) -> frozenset[str]:
    return frozenset(w for w in _tokens(span) if w not in STOP_WORDS)
