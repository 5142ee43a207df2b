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


@pytest.mark.parametrize(("claim_vectors", "rescore_top"), [("sentences", 0), ("sentences", 1), ("contents", 0)])
def test_each_way_names_the_speaker_and_cites_the_sentence(claim_vectors: str, rescore_top: int) -> None:
    embedder = RecordingEmbedder()
    [results] = score_questions(QUESTIONS, CLAIMS, LOOKUP, embedder,  # type: ignore[arg-type]
                                claim_vectors=claim_vectors, rescore_top=rescore_top,
                                rescore_margin=float("inf")).values()  # fmt: skip
    assert [(r.ok, r.cited, r.cited_ok) for r in results] == [(True, 1, 1), (True, 1, 1)]
    encoded = {c.content.text for c in CLAIMS} & set(embedder.seen)
    if claim_vectors == "contents":
        assert len(encoded) == 2
    else:  # only the best claim of each question has its content encoded when re-ranking
        assert len(encoded) == (2 if rescore_top else 0)
