"""Who-said scoring shared by the attribution bench's corpora (PolNeAR dev, GGT dev).

Each question's claim part is ranked against every claim (and uncovered sentence) of its corpus
the way :class:`assistant.attribution_qa.ClaimIndex` ranks them (by default with the claims'
sentences' vectors, as the live route does); the answer is the top claim's
speaker. A citation is correct when a sentence the answer would cite (the cue sentence and the
content sentences, as :class:`assistant.sources.SourceAnswerer` cites them) overlaps a gold
evidence span. Results are sliced by the items' tags.

Example:
    >>> is_correct("Khawaja Asif", ["Khawaja Asif", "Asif"])
    True
    >>> is_correct("Pakistan’s Defence Minister", ["Khawaja Asif"])
    False
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.attribution_qa import (
    EMBED_WEIGHT,
    RESCORE_MARGIN,
    RESCORE_TOP,
    ClaimIndex,
    _words,
    parse_source_question,
)
from index.attribution import Attribution
from index.attribution.speaker_canon import speaker_label
from index.embed import Embedder
from index.types import Sentence


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def is_correct(answer: str, golds: Sequence[str]) -> bool:
    """Gold occurs in the answer (normalised); a person's surname alone also counts."""
    ans = f" {_norm(answer)} "
    for g in golds:
        ng = _norm(g)
        if ng and f" {ng} " in ans:
            return True
        words = g.split()
        person = 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words)
        if person and f" {_norm(words[-1])} " in ans:  # a person: the surname alone counts
            return True
    return False


@dataclass(frozen=True)
class ItemResult:
    """One question's outcome at one embed weight."""

    id: str
    tags: tuple[str, ...]
    answer: str
    ok: bool
    cited: int
    cited_ok: int
    kind: str
    content: str
    right_article: bool


def cited_sentences(claim: Attribution) -> tuple[int, ...]:
    """The sentence indexes an answer from ``claim`` cites (cue sentence first)."""
    return tuple(dict.fromkeys((claim.cue_sentence, *claim.content_sentences)))


def _citations_ok(
    claim: Attribution, evidence: Iterable[Mapping], lookup: Mapping[tuple[str, int], Sentence]
) -> tuple[int, int]:
    spans = [(e.get("article_id"), e.get("start"), e.get("end")) for e in evidence]
    n = ok = 0
    for index in cited_sentences(claim):
        sent = lookup.get((claim.article_id, index))
        if sent is None:
            continue
        n += 1
        ok += any(
            art == claim.article_id and s is not None and e is not None and sent.start < e and s < sent.end
            for art, s, e in spans
        )
    return n, ok


def score_questions(
    questions: Sequence[dict],
    attributions: Sequence[Attribution],
    lookup: Mapping[tuple[str, int], Sentence],
    embedder: Embedder,
    weights: Iterable[float] = (EMBED_WEIGHT,),
    claim_vectors: str = "sentences",
    rescore_top: int = RESCORE_TOP,
    rescore_margin: float = RESCORE_MARGIN,
    counts: dict[str, int] | None = None,
) -> dict[float, list[ItemResult]]:
    """Answer every question from the claims; results per embed weight. ``claim_vectors``:
    ``sentences`` ranks a claim by its sentences' vectors and re-ranks the ``rescore_top`` best by
    their encoded contents, as the route does; ``contents`` encodes every claim's content span (the
    older way). ``rescore_margin``: see :class:`ClaimIndex`; ``counts`` gets how many rankings
    encoded contents."""
    sentence_vectors = None
    if claim_vectors == "sentences":
        keys = list(lookup)
        sentence_vectors = dict(zip(keys, embedder.embed([lookup[k].text for k in keys]), strict=True))
    index = ClaimIndex(attributions, embedder, lookup, sentence_vectors=sentence_vectors, rescore_top=rescore_top,
                       rescore_margin=rescore_margin)  # fmt: skip
    queries = []
    for q in questions:
        parsed = parse_source_question(q["question"])
        queries.append(parsed.text if parsed is not None and parsed.kind == "content" else q["question"])
    qmat = embedder.embed(queries)
    claim_words = [_words(c.content.text) for c in index.claims]  # lexical_overlap, precomputed
    out: dict[float, list[ItemResult]] = {w: [] for w in weights}
    for qi, q in enumerate(questions):
        q_words = _words(queries[qi])
        lex = np.array([len(q_words & w) / len(q_words) if q_words else 0.0 for w in claim_words])
        for w in out:
            claim = index.claims[int(index.order(qmat[qi], lex, w)[0][0])]
            answer = speaker_label(claim.speaker, claim.source.text if claim.source else None)
            answer = answer if claim.speaker_kind != "unresolved" else ""
            n, ok = _citations_ok(claim, q.get("evidence", []), lookup)
            out[w].append(
                ItemResult(
                    id=q["id"], tags=tuple(q.get("tags", [])), answer=answer,
                    ok=is_correct(answer, q["answers"]), cited=n, cited_ok=ok, kind=claim.speaker_kind,
                    content=claim.content.text[:160],
                    right_article=claim.article_id == q["evidence"][0].get("article_id"),
                )
            )  # fmt: skip
    if counts is not None:  # how many rankings encoded contents
        counts["rescored"], counts["rankings"] = index.rescored, len(questions) * len(out)
    return out


def summarise(results: Sequence[ItemResult], slices: Sequence[str] = ()) -> dict[str, dict[str, float]]:
    """Accuracy and citation precision overall and per tag in ``slices`` (``n`` per row)."""

    def row(sel: list[ItemResult]) -> dict[str, float]:
        cited = sum(r.cited for r in sel)
        return {
            "n": len(sel),
            "accuracy": round(100 * sum(r.ok for r in sel) / len(sel), 1) if sel else 0.0,
            "citation_precision": round(100 * sum(r.cited_ok for r in sel) / cited, 1) if cited else 0.0,
        }

    table = {"all": row(list(results))}
    for tag in slices:
        table[tag] = row([r for r in results if tag in r.tags])
    return table
