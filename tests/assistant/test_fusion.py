"""Hybrid retrieval: fusion rescues what dense misses, duplicates collapse, filters restrict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.context_retrieval import ContextRetriever, RankingConfig
from assistant.errors import InputError
from assistant.fusion import Filters, collapse_duplicates, rrf
from index.hybrid import attach_context_indexes
from index.segment import segment
from index.store import SentenceStore
from index.types import Article


class TopicEmbedder:
    """A dense model that only knows topics (recalls, tennis): names and numbers are invisible
    to it, as rare terms are to MiniLM, and a stray word ("final", "airbags") makes a sentence
    look less like the question than a same-topic sentence without the answer."""

    name = "topic"
    dim = 4

    def embed(self, texts):  # type: ignore[no-untyped-def]
        rows = []
        for t in texts:
            t = t.lower()
            v = np.array([("recall" in t) + 0.01, ("tennis" in t or "wimbledon" in t) + 0.01, 0.01 + ("cup" in t),
                          0.8 * ("final" in t or "airbag" in t)])
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32)


ARTICLES = [
    Article("ford", "Ford recall", "Ford is recalling 2.9 million vehicles that may roll away.", "2022-06-17", "cnn.com"),
    Article("gm", "GM recall", "GM is recalling 740,000 SUVs over a recall of airbags.", "2022-06-10", "usatoday.com"),
    Article("nadal", "Wimbledon", "Rafael Nadal withdrew from Wimbledon with an injury.", "2022-07-08", "cnn.com"),
    Article("kyrgios", "Tennis", "Nick Kyrgios reached the Wimbledon final in tennis.", "2023-07-08", "theweek.co.uk"),
    Article("ford-copy", "Ford recalls cars", "Ford is recalling 2.9 million vehicles that may roll away.", "2022-06-18",
            "usatoday.com"),
]  # fmt: skip


@pytest.fixture
def retriever(tmp_path: Path) -> ContextRetriever:
    store = SentenceStore(tmp_path / "idx", TopicEmbedder())  # type: ignore[arg-type]
    indexes = attach_context_indexes(store)
    for art in ARTICLES:
        store.add(art, segment(art))
    return ContextRetriever(store, indexes, RankingConfig(dedupe=False))


def _top(r: ContextRetriever, question: str, **kw: object) -> str:
    return r.retrieve(question, 3, **kw)[0].sentence.article_id  # type: ignore[arg-type]


def test_rrf_orders_by_reciprocal_ranks() -> None:
    scores = rrf({"a": ["x", "y", "z"], "b": ["z", "y"]}, k=1)
    assert sorted(scores, key=scores.get, reverse=True) == ["z", "y", "x"]  # 1/4+1/2 > 1/3+1/3 > 1/2  # type: ignore[arg-type]


def test_fusion_finds_a_number_dense_alone_misses(retriever: ContextRetriever) -> None:
    question = "Whose 740,000 SUVs are affected?"
    originals = Filters(articles=("ford", "gm", "nadal", "kyrgios"))
    dense_only = ContextRetriever(retriever.store, retriever.indexes, RankingConfig(bm25=False, passages=False))
    assert _top(dense_only, question, filters=originals) != "gm"  # recall sentences look alike to the dense model
    assert _top(retriever, question, filters=originals) == "gm"


def test_fusion_finds_a_rare_name_dense_alone_misses(retriever: ContextRetriever) -> None:
    question = "Which tennis player did Kyrgios beat?"
    dense_only = ContextRetriever(retriever.store, retriever.indexes, RankingConfig(bm25=False, passages=False))
    assert _top(dense_only, question) != "kyrgios"
    assert _top(retriever, question) == "kyrgios"


def test_filters_by_source_date_and_article(retriever: ContextRetriever) -> None:
    question = "Who withdrew from Wimbledon?"
    assert _top(retriever, question) == "nadal"
    assert _top(retriever, question, filters=Filters(since="2023")) == "kyrgios"
    assert _top(retriever, question, filters=Filters(sources=("theweek",))) == "kyrgios"
    assert {h.sentence.article_id for h in retriever.retrieve(question, 5, Filters(articles=("gm",)))} == {"gm"}
    assert retriever.retrieve(question, 5, Filters(until="2021")) == []
    with pytest.raises(InputError):
        Filters(since="last week")


def test_a_year_the_question_names_limits_the_articles_and_since_leaves_later_years_in(
        retriever: ContextRetriever) -> None:  # fmt: skip
    """"in 2022" keeps 2022's articles; "since 2022" keeps 2022 on, so the 2023 final is found
    (it once kept 2022 only, as "in 2022" does, and so missed it)."""
    assert _top(retriever, "Who reached the Wimbledon final in tennis in 2022?") == "nadal"
    assert _top(retriever, "Who reached the Wimbledon final in tennis for the first time since 2022?") == "kyrgios"


def test_syndicated_copies_collapse_into_one_hit_with_both_sources(retriever: ContextRetriever) -> None:
    collapsing = ContextRetriever(retriever.store, retriever.indexes, RankingConfig(dedupe=True))
    hits = collapsing.retrieve("Which automaker recalled 2.9 million vehicles?", 5)
    ford = [h for h in hits if "2.9 million" in h.sentence.text]
    assert len(ford) == 1
    assert {ford[0].sentence.article_id, *(d.sentence.article_id for d in ford[0].duplicates)} == {"ford", "ford-copy"}


def test_collapse_keeps_distinct_sentences() -> None:
    groups = collapse_duplicates(["Ford recalls 2.9 million cars.", "Ford recalls 1.2 million cars."], str)
    assert len(groups) == 2
