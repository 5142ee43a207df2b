"""The speaker lookup gives exactly what a scan of every attribution gives, and follows changes."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant
from assistant.attribution_qa import claims_by_speaker
from assistant.speaker_lookup import SpeakerLookup


def test_lookup_equals_the_scan_and_follows_removal(attribution_assistant: Assistant, sample_path: Path) -> None:
    (article_id,) = attribution_assistant.add([sample_path]).added
    store = attribution_assistant.store
    lookup = SpeakerLookup(store)
    everything = store.attributions()
    speakers = {a.speaker for a in everything if a.speaker}
    queries = {*speakers, *(s.split()[-1] for s in speakers), "the BLA", "BLA", "Mr. Asif", "nobody at all", ""}
    assert len(speakers) >= 2
    for query in sorted(queries):
        assert lookup.claims(query) == claims_by_speaker(query, everything), query
    assert lookup.claims("Asif") and lookup.articles_of("Asif") == {article_id}
    attribution_assistant.remove(article_id)
    assert lookup.claims("Asif") == [] and lookup.articles_of("Asif") == set()
