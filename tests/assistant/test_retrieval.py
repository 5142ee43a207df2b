"""DenseRetriever: store hits become Hits with title, date, speaker and a context window."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant
from assistant.retrieval import DenseRetriever


def test_hits_carry_title_date_speaker_and_window(attribution_assistant: Assistant, sample_path: Path) -> None:
    attribution_assistant.add([sample_path])
    store = attribution_assistant.store
    [hit] = DenseRetriever(store, window=1).retrieve("The BLA has said that it lost 35 of its fighters.", 1)
    assert hit.sentence.text == "The BLA has said that it lost 35 of its fighters."
    assert (hit.date, hit.speaker) == ("2026-02-04", "The BLA") and hit.title.startswith("The events in Balochistan")
    before, after = store.sentences(hit.sentence.article_id, hit.sentence.index - 1, hit.sentence.index + 1)[::2]
    assert hit.window == f"{before.text} {hit.sentence.text} {after.text}"
    [bare] = DenseRetriever(store, window=0).retrieve("Majeed Brigade suicide attackers", 1)
    assert bare.window == "" and bare.speaker is None and 0.0 < bare.score <= 1.0


def test_empty_store_retrieves_nothing(fake_assistant: Assistant) -> None:
    assert DenseRetriever(fake_assistant.store).retrieve("anything?", 5) == []
