"""Question parsing, claim ranking, unattributed claims and speaker lookup."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from assistant.attribution_qa import (
    ClaimIndex,
    SourceQuery,
    claim_vectors,
    claims_by_speaker,
    decide,
    lexical_overlap,
    parse_source_question,
    speaker_matches,
)
from assistant.errors import ModelUnavailableError
from index.attribution import Attribution, Span, extract_attributions, load_nlp
from index.embed import HashEmbedder
from index.types import Article, Sentence
from tests.conftest import RecordingEmbedder

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "balochistan-ians-2026-02-04.txt"
ASIF = (
    "Even Pakistan’s Defence Minister, Khawaja Asif, admitted that the Pakistani security forces "
    "were handicapped against the Baloch rebels."
)


def split(article_id: str, text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text):
        pos = line.start()
        for part in re.split(r"(?<=[.!?])\s+|(?<=[.!?][”\"])\s+", line.group()):
            if part.strip():
                start = text.index(part, pos)
                out.append(Sentence(article_id, len(out), start, start + len(part), part))
                pos = start + len(part)
    return out


def claim(text: str, content: str, speaker: str, kind: str = "named", idx: int = 0) -> Attribution:
    start = text.index(content)
    return Attribution(
        "a", idx, None, Span(0, 0, ""), Span(start, start + len(content), content), speaker, kind, (idx,)
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Who admitted that the security forces were handicapped?",
            SourceQuery("content", "the security forces were handicapped"),
        ),
        ("who said the BLA lost 35 fighters?", SourceQuery("content", "the BLA lost 35 fighters")),
        ("Who claimed that 280 personnel were killed?", SourceQuery("content", "280 personnel were killed")),
        ("Who warned that losses would mount?", SourceQuery("content", "losses would mount")),
        (
            "Who told the National Assembly that forces faced geographical challenges?",
            SourceQuery("content", "forces faced geographical challenges"),
        ),
        (
            "According to whom is the establishment cornered?",
            SourceQuery("content", "is the establishment cornered"),
        ),
        (
            "The establishment is cornered, according to whom?",
            SourceQuery("content", "The establishment is cornered"),
        ),
        ("Who made this claim: the army is stretched?", SourceQuery("content", "the army is stretched")),
        ("Who is quoted as saying “We will win”?", SourceQuery("content", "We will win")),
        ("What did Khawaja Asif say?", SourceQuery("speaker", "Khawaja Asif")),
        ("What else did the BLA claim about the attacks?", SourceQuery("speaker", "the BLA")),
        ("What has the Defence Minister admitted?", SourceQuery("speaker", "the Defence Minister")),
    ],
)
def test_parse_source_question(question: str, expected: SourceQuery) -> None:
    assert parse_source_question(question) == expected


@pytest.mark.parametrize(
    "question", ["What happened in Balochistan?", "How many fighters did the BLA lose?", "Who is Asif?", ""]
)
def test_parse_source_question_rejects_other_questions(question: str) -> None:
    assert parse_source_question(question) is None


TEXT = "Asif said the army is stretched thin. Officials said talks stalled. The river flooded the valley."
SENTS = {("a", s.index): s for s in split("a", TEXT)}
CLAIMS = [
    claim(TEXT, "the army is stretched thin", "Khawaja Asif", idx=0),
    claim(TEXT, "talks stalled", "officials", "anonymous", idx=1),
]


def test_claim_index_puts_matching_content_first() -> None:
    ranked = ClaimIndex(CLAIMS, HashEmbedder(), SENTS).rank("the army is stretched")
    assert ranked[0][0].speaker == "Khawaja Asif"
    assert ranked[0][1] > ranked[1][1]
    assert decide(ranked).status == "attributed"


def test_unattributed_sentence_is_reported_as_such() -> None:
    ranked = ClaimIndex(CLAIMS, HashEmbedder(), SENTS).rank("the river flooded the valley")
    best = ranked[0][0]
    assert best.speaker_kind == "unresolved" and best.speaker == ""
    assert best.content.text == "The river flooded the valley."
    verdict = decide(ranked)
    assert verdict.status == "unattributed" and verdict.attribution is best


def test_decide_no_match_below_threshold() -> None:
    ranked = ClaimIndex(CLAIMS, HashEmbedder(), SENTS).rank("stock markets rallied in Tokyo")
    assert decide(ranked, threshold=0.9).status == "no_match"
    assert decide([]).status == "no_match"


def test_lexical_overlap_ignores_stopwords() -> None:
    assert lexical_overlap("the army is stretched", "army stretched") == 1.0
    assert lexical_overlap("the army", "navy") == 0.0


@pytest.mark.parametrize(
    ("query", "speaker", "ok"),
    [
        ("Asif", "Pakistan’s Defence Minister Khawaja Asif", True),
        ("khawaja asif", "Pakistan’s Defence Minister Khawaja Asif", True),
        ("the BLA", "Balochistan Liberation Army (BLA)", True),
        ("BLA", "Balochistan Liberation Army", True),
        ("Smith", "John Smithers", False),
        ("the TTP", "Balochistan Liberation Army (BLA)", False),
    ],
)
def test_speaker_matches(query: str, speaker: str, ok: bool) -> None:
    assert speaker_matches(query, speaker) is ok


def test_claims_by_speaker_skips_unresolved() -> None:
    extra = claim(TEXT, "The river flooded the valley", "", "unresolved", idx=2)
    assert [a.speaker for a in claims_by_speaker("asif", [*CLAIMS, extra])] == ["Khawaja Asif"]
    assert claims_by_speaker("nobody", CLAIMS) == []


# --- end to end on the sample article (spaCy parse, hash embedder) --------------------


@pytest.fixture(scope="module")
def sample() -> tuple[list[Sentence], list[Attribution]]:
    try:
        nlp = load_nlp()
    except ModelUnavailableError as exc:  # pragma: no cover - depends on the install
        pytest.skip(str(exc))
    text = SAMPLE.read_text(encoding="utf-8")
    sents = split("sample", text)
    return sents, extract_attributions(Article("sample", "", text), sents, nlp)


def test_sample_who_admitted(sample) -> None:  # type: ignore[no-untyped-def]
    sents, attrs = sample
    query = parse_source_question("Who admitted that the security forces were handicapped?")
    assert query is not None and query.kind == "content"
    lookup = {("sample", s.index): s for s in sents}
    verdict = decide(ClaimIndex(attrs, HashEmbedder(), lookup).rank(query.text))
    assert verdict.status == "attributed" and verdict.attribution is not None
    assert "Khawaja Asif" in verdict.attribution.speaker
    cited = [sents[i].text for i in verdict.attribution.content_sentences]
    assert cited == [ASIF]


def test_sample_bla_claims_by_speaker(sample) -> None:  # type: ignore[no-untyped-def]
    _sents, attrs = sample
    contents = " | ".join(a.content.text for a in claims_by_speaker("the BLA", attrs))
    assert "280 Pakistani personnel" in contents
    assert "35 of its fighters" in contents
    assert "kill members of the Army" in contents
    assert "handicapped" not in contents


def test_claim_vectors_are_the_mean_of_their_sentences_vectors() -> None:
    e = HashEmbedder()
    vectors = {k: e.embed([s.text])[0] for k, s in SENTS.items()}
    two = Attribution("a", 0, None, Span(0, 0, ""), Span(0, 10, "x"), "Asif", "named", (0, 1))
    rows = claim_vectors([CLAIMS[0], two], vectors, None)
    assert np.allclose(rows[0], vectors[("a", 0)])
    mean = vectors[("a", 0)] + vectors[("a", 1)]
    assert np.allclose(rows[1], mean / np.linalg.norm(mean))


def test_claim_index_with_sentence_vectors_encodes_only_the_query() -> None:
    e = RecordingEmbedder()
    vectors = {k: e.inner.embed([s.text])[0] for k, s in SENTS.items()}
    ranked = ClaimIndex(CLAIMS, e, SENTS, sentence_vectors=vectors, rescore_top=0).rank("the army is stretched")
    assert ranked[0][0].speaker == "Khawaja Asif"
    assert [c.speaker_kind for c, _ in ranked].count("unresolved") == 1  # the uncovered river sentence
    assert e.seen == ["the army is stretched"]


def test_the_best_claims_by_sentence_are_reranked_by_their_encoded_contents() -> None:
    e = RecordingEmbedder()
    query = "the army is stretched"
    qvec = e.inner.embed([query])[0]
    vectors = {k: e.inner.embed([s.text])[0] for k, s in SENTS.items()}
    vectors[("a", 0)] = -qvec  # Asif's sentence looks unlike the question; his claim's content does not
    vectors[("a", 1)] = qvec  # the officials' sentence looks like it; their claim's content does not
    always = float("inf")  # rescore whatever the lead of the best claim by its sentences
    assert ClaimIndex(CLAIMS, e, SENTS, sentence_vectors=vectors, rescore_top=0).rank(query)[0][0].speaker == (
        "officials"
    )
    one = ClaimIndex(CLAIMS, e, SENTS, sentence_vectors=vectors, rescore_top=1, rescore_margin=always)
    assert one.rank(query)[0][0].speaker == "officials"  # Asif's claim is not among the claims re-ranked
    trusted = ClaimIndex(CLAIMS, e, SENTS, sentence_vectors=vectors, rescore_top=3, rescore_margin=0.3)
    e.seen.clear()
    assert trusted.rank(query)[0][0].speaker == "officials" and e.seen == [query]  # a lead of 0.31 is trusted
    assert trusted.rescored == 0
    e.seen.clear()
    index = ClaimIndex(CLAIMS, e, SENTS, sentence_vectors=vectors, rescore_top=3, rescore_margin=0.35)
    ranked = index.rank(query)
    assert ranked[0][0].speaker == "Khawaja Asif" and decide(ranked).status == "attributed"
    assert e.seen[0] == query
    assert sorted(e.seen[1:]) == ["The river flooded the valley.", "talks stalled", "the army is stretched thin"]
    index.rank(query)
    assert e.seen[4:] == [query] and index.rescored == 2  # each content is encoded once per index


def test_a_claim_whose_sentence_has_no_vector_is_encoded_alone() -> None:
    e = RecordingEmbedder()
    vectors = {k: e.inner.embed([s.text])[0] for k, s in SENTS.items() if k != ("a", 1)}
    index = ClaimIndex(CLAIMS, e, SENTS, sentence_vectors=vectors)
    assert e.seen == ["talks stalled"]
    assert index.matrix.shape == (3, e.inner.dim)
    assert np.allclose(np.linalg.norm(index.matrix, axis=1), 1.0, atol=1e-5)
