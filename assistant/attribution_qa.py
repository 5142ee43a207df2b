"""Answer "who said X?" and "what did X say?" from the attribution index.

``parse_source_question`` recognises the two question shapes; :class:`ClaimIndex`
ranks claim contents against a content query (embedding cosine blended with
word overlap) and also ranks sentences no attribution covers, so a claim the
article attributes to nobody comes back as ``speaker_kind == "unresolved"``
instead of being pinned on a nearby name; ``claims_by_speaker`` finds what a
speaker said with forgiving name matching.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.lexicon import NAME_FILLERS, STOP_WORDS, WHAT_SAID_VERBS, WHO_SAID_VERBS
from index.types import Sentence

if TYPE_CHECKING:  # the records live beside the spaCy extractor: imported only when used
    from index.attribution import Attribution


class Embeds(Protocol):
    """Anything that turns texts into L2-normalised rows (an embedder, or the store)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


# Blend weight chosen on PolNeAR dev (bench/attribution.py sweeps it); the no-match
# threshold is provisional: not yet calibrated against negatives.
EMBED_WEIGHT = 0.5
NO_MATCH_THRESHOLD = 0.45
# Claims ranked by their sentences' stored vectors whose contents are then encoded and re-ranked
# (chosen on GGT dev and PolNeAR dev with bench/attribution.py's sweep)
RESCORE_TOP = 3
# ... unless the best claim by its sentences leads the next by this much: then the ranking is
# trusted (bench/attribution.py's sweep: 0.1 keeps every answer of encoding always, rescoring 7-8%
# of the dev questions; 0.15 leaves a margin, 9-11%)
RESCORE_MARGIN = 0.15

_VERBS = "|".join(WHO_SAID_VERBS)
_WHO = re.compile(
    rf"^\s*who\s+(?:else\s+)?(?:has\s+|had\s+|have\s+|did\s+)?(?:is\s+|was\s+)?"
    rf"(?:quoted\s+as\s+saying|(?:{_VERBS}))\b[\s,:]*(?P<rest>.+?)[\s?.!]*$",
    re.I,
)
_CLAIM = re.compile(
    r"^\s*who\s+made\s+(?:this|the|that)\s+(?:claim|statement|remark)\s*[:,]?\s*"
    r"(?:that\s+)?(?P<rest>.+?)[\s?.!]*$",
    re.I,
)
_ACCORDING = re.compile(
    r"^\s*according\s+to\s+whom\s*[,:]?\s*(?P<rest>.+?)[\s?.!]*$|"
    r"^\s*(?P<rest2>.+?),?\s+according\s+to\s+whom[\s?.!]*$",
    re.I,
)
_WHAT = re.compile(
    r"^\s*what\s+(?:else\s+)?(?:did|does|do|has|have|had)\s+(?P<who>.+?)\s+"
    rf"(?:else\s+)?(?:{'|'.join(WHAT_SAID_VERBS)})\b.*$",
    re.I,
)
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class SourceQuery:
    """A parsed attribution question: ``kind`` is ``content`` (who said X) or ``speaker``.

    Example:
        >>> parse_source_question("What did the BLA claim?")
        SourceQuery(kind='speaker', text='the BLA')
    """

    kind: str
    text: str


@dataclass(frozen=True)
class ClaimMatch:
    """The verdict on a content query: ``status`` is attributed / unattributed / no_match.

    Example:
        >>> ClaimMatch(status="no_match", attribution=None, score=0.1).status
        'no_match'
    """

    status: str
    attribution: Attribution | None
    score: float


def parse_source_question(question: str) -> SourceQuery | None:
    """Recognise who-said / what-did-X-say questions; ``None`` for anything else.

    Example:
        >>> parse_source_question("Who admitted that the forces were handicapped?")
        SourceQuery(kind='content', text='the forces were handicapped')
        >>> parse_source_question("Where is Balochistan?") is None
        True
    """
    q = question.strip()
    match = _WHAT.match(q)
    if match:
        return SourceQuery("speaker", match.group("who").strip())
    for pattern in (_CLAIM, _WHO):
        match = pattern.match(q)
        if match:
            rest = match.group("rest")
            words = rest.split()
            if "that" in (w.lower() for w in words[:6]):  # "told the Assembly that X"
                idx = [w.lower() for w in words].index("that")
                rest = " ".join(words[idx + 1 :])
            rest = rest.strip(" \"“”'")
            return SourceQuery("content", rest) if rest else None
    match = _ACCORDING.match(q)
    if match:
        rest = (match.group("rest") or match.group("rest2") or "").strip(" ,")
        return SourceQuery("content", rest) if rest else None
    return None


def _words(text: str) -> set[str]:
    return {w for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS}


def lexical_overlap(query: str, text: str) -> float:
    """Share of the query's content words found in ``text`` (0..1).

    Example:
        >>> lexical_overlap("forces were handicapped", "the forces are handicapped")
        1.0
    """
    q = _words(query)
    return len(q & _words(text)) / len(q) if q else 0.0


def _unattributed(
    attributions: Sequence[Attribution], sentence_lookup: Mapping[tuple[str, int], Sentence]
) -> list[Attribution]:
    from index.attribution import Attribution, Span

    covered = {(a.article_id, i) for a in attributions for i in (*a.content_sentences, a.cue_sentence)}
    out = []
    for key, sent in sentence_lookup.items():
        if key in covered:
            continue
        out.append(
            Attribution(
                article_id=sent.article_id,
                cue_sentence=sent.index,
                source=None,
                cue=Span(sent.start, sent.start, ""),
                content=Span(sent.start, sent.end, sent.text),
                speaker="",
                speaker_kind="unresolved",
                content_sentences=(sent.index,),
            )
        )
    return out


def vector_sentences(claim: Attribution) -> list[tuple[str, int]]:
    """The sentences whose stored vectors stand for ``claim``: its content sentences (the cue
    sentence's when it has none), as ``(article_id, index)``."""
    return [(claim.article_id, i) for i in (claim.content_sentences or (claim.cue_sentence,))]


def claim_vectors(
    claims: Sequence[Attribution], sentence_vectors: Mapping[tuple[str, int], np.ndarray], embedder: Embeds | None
) -> np.ndarray:
    """One L2-normalised row per claim: the mean of its content sentences' stored vectors
    (the cue sentence's when it has none), so no claim is encoded at question time; only a
    claim with a sentence missing from ``sentence_vectors`` has its content encoded.

    Example:
        >>> from index.attribution import Attribution, Span
        >>> a = Attribution("a1", 0, None, Span(0, 4, "said"), Span(5, 9, "rain"), "Ann", "name", (0, 1))
        >>> rows = claim_vectors([a], {("a1", 0): np.array([1.0, 0.0]), ("a1", 1): np.array([0.0, 1.0])}, None)
        >>> [round(float(x), 3) for x in rows[0]]
        [0.707, 0.707]
    """
    rows: list[np.ndarray | None] = []
    for c in claims:
        keys = vector_sentences(c)
        found = [sentence_vectors[k] for k in keys if k in sentence_vectors]
        rows.append(np.mean(found, axis=0) if len(found) == len(keys) else None)
    missing = [i for i, row in enumerate(rows) if row is None]
    if missing and embedder is not None:
        for i, vector in zip(missing, embedder.embed([claims[i].content.text for i in missing]), strict=True):
            rows[i] = vector
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    matrix = np.array(rows, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class ClaimIndex:
    """Claims (and uncovered sentences) with their embeddings, ready to rank.

    ``sentence_vectors`` (the store's vectors of the claims' sentences) stand in for the claims'
    own, so only the query is encoded to rank them; then the ``rescore_top`` best claims have
    their content spans encoded (once per index) and are re-ranked by them, as a claim's
    sentence also holds its speaker and cue. Without ``sentence_vectors`` every claim's content
    is encoded up front.

    Example:
        >>> idx = ClaimIndex([], HashEmbedder(), {})   # doctest: +SKIP
        >>> idx.rank("anything")                         # doctest: +SKIP
        []
    """

    def __init__(
        self,
        attributions: Sequence[Attribution],
        embedder: Embeds,
        sentence_lookup: Mapping[tuple[str, int], Sentence] | None = None,
        embed_weight: float = EMBED_WEIGHT,
        sentence_vectors: Mapping[tuple[str, int], np.ndarray] | None = None,
        rescore_top: int = RESCORE_TOP,
        rescore_margin: float = RESCORE_MARGIN,
    ) -> None:
        self.claims = list(attributions) + _unattributed(attributions, sentence_lookup or {})
        self.embedder = embedder
        self.embed_weight = embed_weight
        self.rescore_top = 0 if sentence_vectors is None else max(0, rescore_top)
        self.rescore_margin = rescore_margin
        self.rescored = 0  # rankings that encoded contents (the rest trusted the sentences' lead)
        self._content: dict[int, np.ndarray] = {}  # claim position -> its encoded content
        if sentence_vectors is None:
            self.matrix = embedder.embed([c.content.text for c in self.claims])
        else:
            self.matrix = claim_vectors(self.claims, sentence_vectors, embedder)

    def content_vectors(self, positions: Sequence[int] | np.ndarray) -> np.ndarray:
        """The encoded content spans of the claims at ``positions`` (each encoded once)."""
        todo = list(dict.fromkeys(int(i) for i in positions if int(i) not in self._content))
        if todo:
            vectors = self.embedder.embed([self.claims[i].content.text for i in todo])
            self._content.update(zip(todo, vectors, strict=True))
        return np.array([self._content[int(i)] for i in positions], dtype=np.float32)

    def order(self, qvec: np.ndarray, lex: np.ndarray, weight: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Claim positions best first and their scores for a query's vector and word overlaps:
        the ``rescore_top`` first by their encoded contents, then the rest as the sentences rank them
        (no content is encoded when the best claim leads the next by ``rescore_margin``)."""
        w = self.embed_weight if weight is None else weight
        score = w * (self.matrix @ qvec) + (1 - w) * lex
        order = np.argsort(-score, kind="stable")
        if self.rescore_top == 0 or (len(order) > 1 and score[order[0]] - score[order[1]] >= self.rescore_margin):
            return order, score
        self.rescored += 1
        head = order[: self.rescore_top]
        score = score.copy()
        score[head] = w * (self.content_vectors(head) @ qvec) + (1 - w) * lex[head]
        head = head[np.argsort(-score[head], kind="stable")]
        return np.concatenate([head, order[self.rescore_top :]]), score

    def rank(self, content_query: str, top: int | None = None) -> list[tuple[Attribution, float]]:
        """Claims best first with a blended score in [0, 1] (with rescoring, the re-ranked head
        comes first whatever the scores of the rest)."""
        if not self.claims:
            return []
        qvec = self.embedder.embed([content_query])[0]
        lex = np.array([lexical_overlap(content_query, c.content.text) for c in self.claims])
        order, score = self.order(qvec, lex)
        if top is not None:
            order = order[:top]
        return [(self.claims[i], float(score[i])) for i in order]


def decide(ranked: Sequence[tuple[Attribution, float]], threshold: float = NO_MATCH_THRESHOLD) -> ClaimMatch:
    """Turn a ranking into a verdict the answering code can phrase.

    ``unattributed`` means: say "The articles do not attribute this claim to anyone [n]".

    Example:
        >>> decide([]).status
        'no_match'
    """
    if not ranked or ranked[0][1] < threshold:
        return ClaimMatch("no_match", ranked[0][0] if ranked else None, ranked[0][1] if ranked else 0.0)
    best, score = ranked[0]
    status = "unattributed" if best.speaker_kind == "unresolved" else "attributed"
    return ClaimMatch(status, best, score)


def _name_words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(text.lower()) if w not in NAME_FILLERS]


def initials(name_words: Sequence[str]) -> str:
    """The initials of a name's words, stop words skipped (``the BLA`` matches them)."""
    return "".join(w[0] for w in name_words if w not in STOP_WORDS)


def speaker_matches(speaker_query: str, speaker: str) -> bool:
    """Fuzzy speaker match: all query words, the surname, or an acronym.

    Example:
        >>> speaker_matches("the BLA", "Balochistan Liberation Army (BLA)")
        True
        >>> speaker_matches("Asif", "Pakistan’s Defence Minister Khawaja Asif")
        True
    """
    q, s = _name_words(speaker_query), _name_words(speaker)
    if not q or not s:
        return False
    if all(w in s for w in q) or q[-1] == s[-1]:
        return True
    return len(q) == 1 and len(q[0]) > 1 and (q[0] == initials(s) or q[0] in s)


def claims_by_speaker(speaker_query: str, attributions: Sequence[Attribution]) -> list[Attribution]:
    """Every attribution whose resolved speaker (or source text) matches ``speaker_query``.

    Example:
        >>> claims_by_speaker("nobody", [])
        []
    """
    hits = [
        a
        for a in attributions
        if a.speaker_kind != "unresolved"
        and (
            speaker_matches(speaker_query, a.speaker)
            or (a.source is not None and speaker_matches(speaker_query, a.source.text))
        )
    ]
    return sorted(hits, key=lambda a: (a.article_id, a.cue_sentence, a.cue.start))
