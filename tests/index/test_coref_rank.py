"""The learned coreference ranker: where the rules are unsure, candidates are scored; fixtures of our own."""

from __future__ import annotations

import json
from pathlib import Path

from index.attribution import extract_attributions
from index.attribution.coref import Coref, candidate_features
from index.attribution.coref_rank import FEATURES, CandidateRanker, default_ranker, fit_softmax, load_ranker
from index.types import Article
from tests.index.test_attribution import split

# Two men in reach of "he": the rules keep the passage's speaker (Kane), a ranker that prefers the
# latest subject picks Ortiz, who was introduced after Kane's quote.
TWO_MEN = (
    "“We were flat tonight,” coach Ben Kane said after the loss.\n"
    "Leo Ortiz scored twice in the second period.\n"
    "“It felt good to help,” he said."
)
RECENT_SUBJECT = CandidateRanker({"dist": -4.0, "subject": 1.0})
PASSAGE_SPEAKER = CandidateRanker({"passage_speaker": 3.0, "last_speaker": 1.0})


def speaker(text: str, nlp, ranker: CandidateRanker | None) -> str:  # type: ignore[no-untyped-def]
    attrs = extract_attributions(Article("t", "", text), split("t", text), nlp, ranker=ranker)
    return next(a.speaker for a in attrs if "help" in a.content.text)


def test_ranker_decides_between_two_people_in_reach(nlp) -> None:  # type: ignore[no-untyped-def]
    assert "Ortiz" in speaker(TWO_MEN, nlp, RECENT_SUBJECT)
    assert "Kane" in speaker(TWO_MEN, nlp, PASSAGE_SPEAKER)


def test_one_candidate_keeps_the_rules_choice(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Maria Lopez runs the shelter. Her budget was cut last year.\n"
        "Tom Becker, the city treasurer, defended the cut.\n"
        "“We had no choice,” he said.\n"
        "“The shelter stays,” she said."
    )  # Tom is a man by now: Maria is the only woman in reach, whatever the ranker prefers
    attrs = extract_attributions(Article("t", "", text), split("t", text), nlp, ranker=RECENT_SUBJECT)
    assert "Maria Lopez" in next(a.speaker for a in attrs if "stays" in a.content.text)


def test_features_mark_the_passage_speaker_and_the_quote_paragraph() -> None:
    c = Coref()
    c.at(0, 0)
    c.add_mention(0, pos=0, subject=True, quoted=False)
    c.note_speaker(0)
    c.at(1, 1)
    c.add_mention(1, pos=50, subject=True, quoted=False)
    c.at(2, 2, quote_paragraph=True)
    feats = dict(candidate_features(c, "m", pos=100, window=8, choice=0))
    assert feats[0]["passage_speaker"] == 1.0 and feats[0]["quote_para_speaker"] == 1.0
    assert feats[1]["passage_speaker"] == 0.0 and feats[1]["after_speaker"] == 1.0
    assert feats[0]["rules"] == 1.0 and feats[1]["rules"] == 0.0
    assert set(feats[0]) == set(FEATURES)


def test_clashing_gender_is_not_a_candidate() -> None:
    c = Coref()
    c.at(0, 0)
    c.add_mention(0, pos=0, subject=True, quoted=False)
    c.add_gender(0, "f", 3.0)
    c.add_mention(1, pos=20, subject=False, quoted=False)
    c.at(1, 0)
    assert [e for e, _f in candidate_features(c, "m", pos=40, window=8, choice=1)] == [1]


def test_named_sources_seen_before_become_training_groups(nlp) -> None:  # type: ignore[no-untyped-def]
    from index.attribution import attributions_from_docs

    text = TWO_MEN + "\n“We need more shots,” Kane said."
    sents = split("t", text)
    record: list = []
    attributions_from_docs(Article("t", "", text), sents, nlp.pipe([s.text for s in sents]), record=record)
    assert record, "Kane, named again with Ortiz in reach, is a training group"
    cands, gold = record[-1]
    assert len(cands) >= 2 and cands[gold]["last_speaker"] == 0.0  # Ortiz spoke last, Kane is the answer


def test_fit_learns_the_feature_that_separates(tmp_path: Path) -> None:
    groups = [([{"subject": 1.0, "dist": 0.5}, {"subject": 0.0, "dist": 0.1}], 0)] * 20
    groups += [([{"subject": 0.0, "dist": 0.1}, {"subject": 1.0, "dist": 0.2}], 1)] * 20
    ranker = fit_softmax(groups)
    assert ranker.weights["subject"] > 0.5
    path = tmp_path / "w.json"
    path.write_text(ranker.to_json())
    assert load_ranker(path) == ranker


def test_shipped_weights_cover_the_features() -> None:
    data = json.loads(Path(__file__).resolve().parents[2].joinpath("index/attribution/coref_rank.json").read_text())
    assert set(data["weights"]) == set(FEATURES)
    assert default_ranker().weights["rules"] != 0.0
