"""bench.who_said ranks the claims the way the route does: by their sentences' vectors, or (the
older way, kept for comparison) by their encoded contents."""

from __future__ import annotations

import pytest

from bench.who_said import score_questions
from index.attribution import Attribution, Span
from index.types import Sentence
from tests.conftest import RecordingEmbedder

TEXT = "Asif said the army is stretched thin. Officials said talks stalled."
SENTS = [Sentence("a", 0, 0, 37, TEXT[:37]), Sentence("a", 1, 38, 67, TEXT[38:])]
LOOKUP = {("a", s.index): s for s in SENTS}


def said(index: int, content: str, speaker: str) -> Attribution:
    start = TEXT.index(content)
    return Attribution("a", index, None, Span(0, 0, "said"), Span(start, start + len(content), content),
                       speaker, "named", (index,))  # fmt: skip


CLAIMS = [said(0, "the army is stretched thin", "Khawaja Asif"), said(1, "talks stalled", "Officials")]
QUESTIONS = [
    {"id": "q1", "question": "Who said that the army was stretched thin?", "answers": ["Khawaja Asif"],
     "evidence": [{"article_id": "a", "start": 0, "end": 37}]},
    {"id": "q2", "question": "Who said that the talks had stalled?", "answers": ["Officials"],
     "evidence": [{"article_id": "a", "start": 38, "end": 67}]},
]  # fmt: skip


@pytest.mark.parametrize("claim_vectors", ["sentences", "contents"])
def test_both_ways_name_the_speaker_and_cite_the_sentence(claim_vectors: str) -> None:
    embedder = RecordingEmbedder()
    [results] = score_questions(QUESTIONS, CLAIMS, LOOKUP, embedder, claim_vectors=claim_vectors).values()  # type: ignore[arg-type]
    assert [(r.ok, r.cited, r.cited_ok) for r in results] == [(True, 1, 1), (True, 1, 1)]
    contents = {c.content.text for c in CLAIMS}
    assert bool(contents & set(embedder.seen)) == (claim_vectors == "contents")
