"""The attribution path end to end on the sample article (real spaCy + MiniLM)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.sources import phrase
from index.attribution import Attribution, Span

pytestmark = pytest.mark.integration
ASIF = "Even Pakistan’s Defence Minister, Khawaja Asif, admitted that the Pakistani security forces were handicapped against the Baloch rebels."


def test_who_admitted_names_asif_and_cites_that_sentence(real_assistant: Assistant, sample_text: str) -> None:
    answer = real_assistant.ask("Who admitted that the security forces were handicapped?")
    assert answer.generator == "attribution" and not answer.refused
    assert "Khawaja Asif" in answer.text and answer.text.endswith("[1].")
    [cited] = answer.citations
    assert cited.sentence == ASIF and sample_text[cited.start : cited.end] == ASIF


def test_what_did_the_bla_claim_lists_its_claims(real_assistant: Assistant, sample_text: str) -> None:
    answer = real_assistant.ask("What did the BLA claim?")
    assert answer.generator == "attribution"
    cited = [c.sentence for c in answer.citations]
    assert any("at least 280 Pakistani personnel" in s for s in cited)
    assert "The BLA has said that it lost 35 of its fighters." in cited
    assert any("managed to kill members of the Army" in s for s in cited)
    assert not any("Asif" in s for s in cited)
    assert [c.n for c in answer.citations] == list(range(1, len(cited) + 1))
    for c in answer.citations:
        assert sample_text[c.start : c.end] == c.sentence


def test_pronoun_speaker_is_resolved_and_explained(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("Who said that this is due to the sheer size of the Balochistan province?")
    assert "Khawaja Asif" in answer.text
    assert answer.citations[0].sentence == "This is due to the sheer size of the Balochistan province, he said."
    assert any("“he” was resolved" in note for note in answer.notes)


def test_anonymous_source_keeps_its_qualifier(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("Who said that it is not in a position to reduce manpower on one front?")
    assert "Intelligence Bureau official" in answer.text


def test_unattributed_claim_is_not_pinned_on_a_name(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("Who said that even women are playing an active part in the struggle?")
    assert answer.text.startswith("The articles do not attribute this claim to anyone")
    assert "women are playing an active part" in answer.citations[0].sentence


def test_follow_up_what_else_skips_what_was_shown(real_assistant: Assistant) -> None:
    chat = real_assistant.chat()
    first = chat.ask("What did Khawaja Asif admit?")
    assert [c.sentence for c in first.citations] == [ASIF]
    follow = chat.ask("What else did he say?")
    assert follow.standalone_question == "What else did Khawaja Asif say?"
    cited = [c.sentence for c in follow.citations]
    assert ASIF not in cited and "Asif told the National Assembly that their forces were facing geographical challenges." in cited


def test_claims_table_and_cli(real_assistant: Assistant, real_data_dir: Path) -> None:
    table = real_assistant.claims("Asif")
    assert list(table) == ["Pakistan’s Defence Minister Khawaja Asif"]
    # four cued claims and one reported-speech continuation (issue 15): "Balochistan constitutes …"
    assert [c.sentence_index for c in table["Pakistan’s Defence Minister Khawaja Asif"]] == [25, 26, 28, 29, 30]
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--data-dir", str(real_data_dir), "claims", "BLA", "--json"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "SOURCED_GENERATOR": "extractive"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    claims = json.loads(result.stdout)
    assert list(claims) == ["Balochistan Liberation Army (BLA)"] and len(claims["Balochistan Liberation Army (BLA)"]) == 4


def test_phrasing_rules() -> None:
    def attribution(cue: str, content: str, speaker: str = "the minister") -> Attribution:
        return Attribution("a", 0, None, Span(0, len(cue), cue), Span(0, len(content), content), speaker, "named", (0,))

    assert phrase(attribution("said", "This is hard.")) == "The minister said that this is hard."
    assert phrase(attribution("told", "forces were tired")) == "The minister said that forces were tired."
    assert phrase(attribution("according to", "It rained")) == "According to the minister, it rained."
    assert phrase(attribution("said", "“We won.”")) == "The minister said: “We won.”"
