"""Source questions ("who said X?", "what did X say?") answered from the attribution index.

Attributions are extracted at ingest (``index.attribution``) and stored with the article;
this module reads them back, typed, through the store.
At question time, dense retrieval finds the sentences closest to the claim; the attributions
covering those sentences are ranked against it (``assistant.attribution_qa``), and the answer
names the resolved speaker and cites the sentence(s) holding the cue and the claim. A claim
no attribution covers is answered as unattributed instead of being pinned on a nearby name.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.attribution_qa import ClaimIndex, decide, parse_source_question, vector_sentences
from assistant.citations import Claim
from assistant.condense import PRONOUN
from assistant.retrieval import Retriever
from assistant.speaker_lookup import SpeakerLookup
from assistant.types import Hit
from index.attribution.speaker_canon import group_by_speaker, speaker_label
from index.lexicon import HEARER_CUES, NON_VERB_CUES, STANCE_VERB_STEMS
from index.store import SentenceStore

if TYPE_CHECKING:
    from index.attribution import Attribution

log = logging.getLogger(__name__)

MAX_LISTED_CLAIMS = 6
_LOWER_STARTS = {"This", "That", "These", "Those", "It", "Its", "The", "There", "Their", "They", "We", "Our",
                 "He", "His", "She", "Her", "A", "An", "In", "If", "Many", "Some", "Most", "All"}  # fmt: skip
_QUESTION_VERB = re.compile(rf"\b({'|'.join(STANCE_VERB_STEMS)})\w*", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_ABOUT = re.compile(r"\b(?:about|regarding|on the subject of)\s+(?P<topic>.+?)[\s?.!]*$", re.I)
TOPIC_MIN_COSINE = 0.35


def phrase(a: Attribution) -> str:
    """One answer sentence stating who said what, e.g. "Khawaja Asif admitted that …"."""
    content = a.content.text.strip().rstrip(".,;").strip()
    first = content.split(" ", 1)[0]
    if first in _LOWER_STARTS:
        content = first.lower() + content[len(first) :]
    label = speaker_label(a.speaker, a.source.text if a.source else None)
    speaker = label[:1].upper() + label[1:]
    cue = a.cue.text.strip()
    if cue.lower() in NON_VERB_CUES or not cue:
        return f"According to {label}, {content}."
    if content[:1] in "“\"'‘":
        return f"{speaker} {cue}: {content}"
    if cue.lower() in HEARER_CUES:  # "told the Assembly that …": the object is not in the cue span
        cue = "said"
    return f"{speaker} {cue} that {content}."


def _resolved_note(a: Attribution) -> tuple[str, ...]:
    """A note when the speaker was resolved from a pronoun, role noun or short name."""
    if a.source is None or not a.speaker:
        return ()
    if set(_WORD.findall(a.speaker.lower())) <= set(_WORD.findall(a.source.text.lower())):
        return ()
    return (f"“{a.source.text}” was resolved to {a.speaker} from earlier in the article.",)


@dataclass(frozen=True)
class SourceAnswer:
    """Claims to show, the hits they cite, and notes on how the speaker was found."""

    claims: list[Claim]
    hits: list[Hit]
    notes: tuple[str, ...] = ()


class AttributionAnswerer:
    """Answers source questions from stored attributions (``answer``; ``None`` when it has none).

    Example:
        >>> answerer = AttributionAnswerer(store, retriever)            # doctest: +SKIP
        >>> answerer.answer("Who admitted that the forces were handicapped?").claims[0].text  # doctest: +SKIP
        'Pakistan’s Defence Minister, Khawaja Asif admitted that the Pakistani security forces …'
    """

    def __init__(
        self, store: SentenceStore, retriever: Retriever, candidates: int = 12, *, encode_claims: bool = False
    ) -> None:
        self.store = store
        self.retriever = retriever
        self.candidates = candidates
        # True: encode every candidate claim's content per question (the behaviour before the
        # stored sentence vectors stood in for them; kept for bench.who_said_latency's A/B)
        self.encode_claims = encode_claims
        self.lookup = SpeakerLookup(store)
        self._all: tuple[str, list[Attribution]] | None = None
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._all = None

    def all_attributions(self) -> list[Attribution]:
        """Every attribution (the claims table of every speaker), reloaded when the store changed."""
        with self._lock:
            self.store.refresh()
            generation = self.store.generation()
            if self._all is None or self._all[0] != generation:
                self._all = (generation, self.store.attributions())
            return self._all[1]

    def answer(self, question: str, exclude: set[tuple[str, int]] | None = None) -> SourceAnswer | None:
        """An answer from the attribution index, or ``None`` when it has none to give."""
        query = parse_source_question(question)
        if query is None:
            return None
        if query.kind == "speaker":
            if PRONOUN.fullmatch(query.text.strip()):
                return None  # "what did he say?" un-condensed: a pronoun names nobody
            verb = _QUESTION_VERB.search(question)
            about = _ABOUT.search(question)
            return self._by_speaker(query.text, exclude or set(), verb.group(1).lower() if verb else None,
                                    about.group("topic") if about else None)  # fmt: skip
        return self._by_content(query.text)

    def _hit(self, article_id: str, index: int, score: float, speaker: str | None) -> Hit | None:
        found = self.store.sentences(article_id, index, index)
        if not found:
            return None
        info = self.store.article_info(article_id)
        return Hit(found[0], score, title=info.title if info else "", date=info.date if info else "", speaker=speaker)

    def _cite(self, a: Attribution, score: float, hits: list[Hit]) -> tuple[int, ...]:
        markers = []
        for index in dict.fromkeys((a.cue_sentence, *a.content_sentences)):
            key = (a.article_id, index)
            position = next((i for i, h in enumerate(hits) if (h.sentence.article_id, h.sentence.index) == key), None)
            if position is None:
                hit = self._hit(a.article_id, index, score, a.speaker or None)
                if hit is None:
                    continue
                hits.append(hit)
                position = len(hits) - 1
            markers.append(position + 1)
        return tuple(markers)

    def _by_content(self, content: str) -> SourceAnswer | None:
        retrieved = self.retriever.retrieve(content, self.candidates)
        if not retrieved:
            return None
        keys = {(h.sentence.article_id, h.sentence.index) for h in retrieved}
        articles = {k[0] for k in keys}
        candidates = [
            a for aid in sorted(articles) for a in self.store.attributions(aid)
            if keys & {(a.article_id, i) for i in (a.cue_sentence, *a.content_sentences)}
        ]  # fmt: skip
        lookup = {(h.sentence.article_id, h.sentence.index): h.sentence for h in retrieved}
        vectors = None
        if not self.encode_claims:  # the claims' sentences' stored vectors: no claim is encoded
            wanted = {key for a in candidates for key in vector_sentences(a)}
            vectors = self.store.sentence_vectors(wanted | set(lookup))
        verdict = decide(ClaimIndex(candidates, self.store, lookup, sentence_vectors=vectors).rank(content))
        if verdict.status == "no_match" or verdict.attribution is None:
            log.info("no attribution matches %r (best %.2f)", content, verdict.score)
            return None
        best = verdict.attribution
        hits: list[Hit] = []
        markers = self._cite(best, verdict.score, hits)
        if verdict.status == "unattributed":
            return SourceAnswer([Claim("The articles do not attribute this claim to anyone.", markers)], hits,
                                ("No speaker, cue or source is attached to this claim in the article.",))  # fmt: skip
        return SourceAnswer([Claim(phrase(best), markers)], hits, _resolved_note(best))

    def _by_speaker(
        self, speaker: str, exclude: set[tuple[str, int]], verb: str | None, topic: str | None
    ) -> SourceAnswer | None:
        """What ``speaker`` said; a specific verb ("admit") puts those claims first, a topic filters them."""
        everything = self.lookup.claims(speaker)
        if topic and everything:
            vectors = self.store.embed([topic, *(a.content.text for a in everything)])
            everything = [a for a, v in zip(everything, vectors[1:], strict=True) if float(v @ vectors[0]) >= TOPIC_MIN_COSINE]
        if not everything:
            return None
        found = [a for a in everything if (a.article_id, a.cue_sentence) not in exclude]
        notes: list[str] = []
        if not found:
            found = everything
            notes.append(f"Nothing else: these are all the claims the articles attribute to {everything[0].speaker}.")
        if verb:
            matching = [a for a in found if a.cue.text.lower().startswith(verb[:4])]
            found = matching or found
        if len(found) > MAX_LISTED_CLAIMS:
            notes.append(f"{len(found)} claims found; showing the first {MAX_LISTED_CLAIMS}.")
        hits: list[Hit] = []
        claims = [Claim(phrase(a), self._cite(a, 1.0, hits)) for a in found[:MAX_LISTED_CLAIMS]]
        return SourceAnswer(claims, hits, tuple(notes))

    def speakers(self, speaker: str | None = None) -> dict[str, list[Attribution]]:
        """Speaker → their claims (all speakers, or those matching ``speaker``)."""
        chosen: Sequence[Attribution] = (
            self.lookup.claims(speaker) if speaker
            else [a for a in self.all_attributions() if a.speaker_kind != "unresolved"]
        )  # fmt: skip
        return group_by_speaker((a.speaker, a) for a in chosen)  # type: ignore[return-value]
