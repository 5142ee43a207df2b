"""The attribution route without spaCy: the fake extractor of conftest feeds the store."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant
from assistant.attribution_qa import RESCORE_TOP
from tests.conftest import RecordingEmbedder

BLA_280 = ("The events in Balochistan have left the Pakistan establishment embarrassed as the Balochistan "
           "Liberation Army (BLA) has claimed that it killed at least 280 Pakistani personnel during Phase II "
           'of "Operation Herof".')  # fmt: skip
ASIF = ("Even Pakistan’s Defence Minister, Khawaja Asif, admitted that the Pakistani security forces were "
        "handicapped against the Baloch rebels.")  # fmt: skip
NEED_CONTENT = "there is a need to deploy a massive amount of forces, and ruled out any talks with the BLA."


def test_who_question_is_answered_from_the_attributions(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    answer = attribution_assistant.ask("Who admitted that the security forces were handicapped?")
    assert answer.generator == "attribution" and not answer.refused
    assert answer.text == ("Khawaja Asif admitted that the Pakistani security forces were handicapped "
                           "against the Baloch rebels [1].")  # fmt: skip
    assert [c.sentence for c in answer.citations] == [ASIF]
    assert "attribution" in answer.timings and "retrieve" not in answer.timings


def test_what_did_x_claim_puts_the_matching_verb_first(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    answer = attribution_assistant.ask("What did the BLA claim?")
    assert answer.generator == "attribution"
    assert [c.sentence for c in answer.citations] == [BLA_280]


def test_claims_table_and_removal(attribution_assistant: Assistant, sample_path: Path) -> None:
    (article_id,) = attribution_assistant.add([sample_path]).added
    table = attribution_assistant.claims("Asif")
    assert list(table) == ["Khawaja Asif"]
    assert [c.sentence for c in table["Khawaja Asif"]] == [ASIF[62:], NEED_CONTENT]
    attribution_assistant.remove(article_id)
    assert attribution_assistant.claims() == {}
    assert attribution_assistant.ask("What did the BLA claim?").refused


def test_without_an_extractor_there_is_no_attribution_route(fake_assistant: Assistant, sample_path: Path) -> None:
    fake_assistant.add([sample_path])
    assert fake_assistant.ask("What did the BLA claim?").generator == "extractive"
    assert fake_assistant.claims() == {}


def test_who_said_encodes_the_question_and_only_the_best_claims(
    attribution_assistant: Assistant, sample_path: Path
) -> None:
    """The claims are ranked by their sentences' stored vectors: at question time the encoder sees
    the question's claim part and, unless the best claim leads clearly, the contents of the few
    best claims, re-ranked by them (it used to encode every candidate claim)."""
    attribution_assistant.add([sample_path])
    recorder = RecordingEmbedder(attribution_assistant.store.embedder)
    attribution_assistant.store.embedder = recorder
    answer = attribution_assistant.ask("Who admitted that the security forces were handicapped?")
    assert answer.generator == "attribution" and "Khawaja Asif" in answer.text
    claims = [text for text in recorder.seen if text != "the security forces were handicapped"]
    assert recorder.seen[0] == "the security forces were handicapped"  # by retrieval, then the ranking
    assert len(claims) <= RESCORE_TOP, recorder.seen  # none when the best claim leads clearly
