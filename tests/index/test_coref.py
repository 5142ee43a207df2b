"""Speaker coreference, passage continuation and one-name-per-speaker, on hand-written fixtures."""

from __future__ import annotations

from pathlib import Path

from index.attribution import extract_attributions
from index.attribution.continuation import continuations
from index.attribution.speaker_canon import group_by_speaker, speaker_key, speaker_label
from index.types import Article
from tests.index.test_attribution import extract, speaker_of, split

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "balochistan-ians-2026-02-04.txt"


def test_pronoun_agrees_in_gender_with_its_antecedent(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Maria Lopez runs the shelter. Her budget was cut last year.\n"
        "Tom Becker, the city treasurer, defended the cut.\n"
        "“We had no choice,” he said.\n"
        "“The shelter will close in March,” she said."
    )
    attrs = extract(text, nlp)
    assert "Tom Becker" in speaker_of(attrs, "no choice")
    assert "Maria Lopez" in speaker_of(attrs, "close in March")


def test_pronoun_skips_names_inside_quotations(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Anna Berg spoke first.\n“Even Peter Holt agrees with us,” she said.\n“We will win,” she said."
    assert "Anna Berg" in speaker_of(extract(text, nlp), "We will win")


def test_role_from_apposition_and_title_adjective(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Mayoral candidate Leo Varga promised a new bridge.\n"
        "Critics doubted the plan.\n"
        "The mayor said the bridge would open in 2030."
    )
    a = next(a for a in extract(text, nlp) if "2030" in a.content.text)
    assert "Leo Varga" in a.speaker and a.speaker_kind == "named"
    assert speaker_label(a.speaker, a.source.text if a.source else None).endswith("(“the mayor”)")


def test_description_with_other_party_is_not_resolved(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Republican nominee Jack Stone spoke in Ohio. The Democratic nominee said the speech was weak."
    a = next(a for a in extract(text, nlp) if "weak" in a.content.text)
    assert "Stone" not in a.speaker


def test_person_noun_description_takes_the_passage_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Sarah Miller scored twice on Saturday.\n"
        "“It was a good night,” Miller said.\n"
        "“I felt fast,” the rookie forward said."
    )
    assert "Sarah Miller" in speaker_of(extract(text, nlp), "felt fast")


def test_quote_paragraph_after_an_attribution_inherits_it(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "“We lost our way,” coach Sam Reid said.\n“Next week we start again.”\n\nThe team flew home."
    attrs = extract(text, nlp)
    cont = next(a for a in attrs if "start again" in a.content.text)
    assert "Sam Reid" in cont.speaker and cont.content_sentences == (1,) and cont.source is None
    assert not any("flew home" in a.content.text for a in attrs)


def test_sample_official_passage_continues(nlp) -> None:  # type: ignore[no-untyped-def]
    text = SAMPLE.read_text(encoding="utf-8")
    attrs = extract_attributions(Article("s", "", text), split("s", text), nlp)
    assert speaker_of(attrs, "It chose violence instead") == "another official"
    assert speaker_of(attrs, "army top brass are too egoistic") == "another official"
    whole = next(a for a in attrs if "failing to do so" in a.content.text)
    assert "managed to conceal its losses" in whole.content.text  # not cut at "but"
    names = group_by_speaker((a.speaker, a) for a in attrs if a.speaker_kind != "unresolved")
    keys = [speaker_key(n) for n in names]
    assert len(keys) == len(set(keys)) and sum(k == "expert" for k in keys) == 1


def test_continuations_need_present_tense_for_reported_speech() -> None:
    text = "Ana said the town would hold. The river rose. It is a disaster."
    sents = [(0, 0, 29), (1, 30, 45), (2, 46, 62)]
    assert continuations(text, sents, [(0, (0,), False)], {1, 2}, {2}, []) == []
    assert continuations(text, sents, [(0, (0,), False)], {1, 2}, {1, 2}, []) == [(1, 0), (2, 0)]


def test_speaker_key_folds_case_determiners_number_and_titles() -> None:
    assert len({speaker_key(s) for s in ("officials", "Officials", "an official", "the official")}) == 1
    assert speaker_key("Indian officials") != speaker_key("officials")
    assert speaker_key("Defence Minister Khawaja Asif") == speaker_key("Khawaja Asif")
    groups = group_by_speaker([("the experts", 1), ("experts", 2), ("The expert", 3), ("Asif", 4)])
    assert sorted(groups.values(), key=len) == [[4], [1, 2, 3]]


def test_label_keeps_names_and_pronouns_plain() -> None:
    assert speaker_label("Khawaja Asif", "he") == "Khawaja Asif"
    assert speaker_label("Khawaja Asif", "Asif") == "Khawaja Asif"
    assert speaker_label("ECB", "The bank") == "ECB (“the bank”)"
