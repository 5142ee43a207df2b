"""The assistant with hybrid retrieval: filters through the API and CLI, copies cited once with
every source, the answerability check, the BM25 index kept with the store by add/remove."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.fusion import Filters
from assistant.settings import Settings
from index.embed import HashEmbedder
from index.store import SentenceStore

CORPUS = [
    {"id": "cnn-cup", "title": "Avalanche win the Stanley Cup", "date": "2022-06-27", "source": "cnn.com",
     "text": "The Colorado Avalanche won the 2022 Stanley Cup.\n\nThey beat the Tampa Bay Lightning in six games."},
    {"id": "usa-cup", "title": "Avalanche are champions", "date": "2022-06-27", "source": "usatoday.com",
     "text": "The Colorado Avalanche won the 2022 Stanley Cup.\n\nFans filled the streets of Denver."},
    {"id": "week-old", "title": "Lightning repeat", "date": "2021-07-08", "source": "theweek.co.uk",
     "text": "The Lightning won the Stanley Cup in 2021.\n\nTampa Bay beat Montreal in five games."},
]  # fmt: skip


@pytest.fixture
def hybrid(tmp_path: Path) -> Assistant:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in CORPUS), encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", generator="extractive", retrieval="hybrid")
    store = SentenceStore(settings.index_dir, HashEmbedder())
    assistant = Assistant.build(store, settings)
    assistant.add([corpus])
    return assistant


def test_copies_are_cited_once_with_every_source(hybrid: Assistant) -> None:
    answer = hybrid.ask("Which team won the 2022 Stanley Cup?")
    assert not answer.refused and "Colorado Avalanche" in answer.text
    first = answer.citations[0]
    assert {first.article_id, *(aid for aid, *_ in first.also_in)} == {"cnn-cup", "usa-cup"}


def test_filters_by_source_date_and_article(hybrid: Assistant) -> None:
    q = "Who won the Stanley Cup?"
    assert {c.article_id for c in hybrid.ask(q, filters=Filters(until="2021")).citations} == {"week-old"}
    assert {c.article_id for c in hybrid.ask(q, filters=Filters(sources=("usatoday",))).citations} == {"usa-cup"}
    assert {c.article_id for c in hybrid.ask(q, filters=Filters(articles=("cnn-cup",))).citations} == {"cnn-cup"}
    assert hybrid.ask(q, filters=Filters(since="2024")).refused


def test_only_a_filter_lists_the_registry(hybrid: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing every article costs ~100 ms per question at 20k articles: done only when a filter needs it."""
    listings = []
    listed = hybrid.store.articles
    monkeypatch.setattr(hybrid.store, "articles", lambda: listings.append(1) or listed())
    assert not hybrid.ask("Who did Tampa Bay beat in five games?").refused
    assert listings == []
    assert {c.article_id for c in hybrid.ask("Who won?", filters=Filters(sources=("usatoday",))).citations} == {"usa-cup"}
    assert listings


def test_a_year_in_the_question_prefers_that_years_articles(hybrid: Assistant) -> None:
    answer = hybrid.ask("Which team won the Stanley Cup in 2021?")
    assert answer.citations[0].article_id == "week-old"


def test_absent_facts_are_refused_and_present_ones_answered(hybrid: Assistant) -> None:
    assert hybrid.ask("What did the Federal Reserve decide about interest rates?").refused
    assert not hybrid.ask("Who did Tampa Bay beat in five games?").refused


def test_removing_an_article_removes_it_from_bm25(hybrid: Assistant) -> None:
    hybrid.remove("week-old")
    indexes = hybrid.pipeline.retriever.indexes  # type: ignore[attr-defined]
    assert indexes.sentences.articles() == {"cnn-cup", "usa-cup"}
    assert indexes.sentences.search("Montreal", 5) == []


def test_cli_filters() -> None:
    from assistant.cli import _filters, _parser

    args = _parser().parse_args(["ask", "Q?", "--source", "cnn", "--since", "2022", "--article", "a1"])
    assert _filters(args) == Filters(articles=("a1",), sources=("cnn",), since="2022")
    assert _filters(_parser().parse_args(["ask", "Q?"])) is None
