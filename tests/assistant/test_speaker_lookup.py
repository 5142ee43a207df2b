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


def test_after_a_change_only_the_changed_articles_are_read(tmp_path: Path) -> None:
    import random

    from index.attribution import Attribution, Span
    from index.embed import HashEmbedder
    from index.store import SentenceStore
    from index.types import Article, Sentence

    rng = random.Random(7)
    names = ["Khawaja Asif", "Asif Ali", "Imran Khan", "Maryam Nawaz", "the BLA", "Balochistan Liberation Army"]
    store = SentenceStore(tmp_path / "idx", HashEmbedder())

    def add(aid: str) -> None:
        text = f"{aid}: someone said something."
        notes = [Attribution(aid, 0, Span(0, 3, name), Span(4, 8, "said"), Span(9, 18, "something"), name, "named", (0,))
                 for name in rng.sample(names, 2)]  # fmt: skip
        if store.has(aid):
            store.remove(aid)
        store.add(Article(aid, "T", text), [Sentence(aid, 0, 0, len(text), text)], notes)

    for n in range(30):
        add(f"a{n}")
    lookup = SpeakerLookup(store)
    lookup.articles_of("Asif")  # built in one pass
    read: list[object] = []
    real = store.attribution_speakers
    store.attribution_speakers = lambda articles=None: (read.append(articles), real(articles))[1]  # type: ignore[method-assign]
    for _ in range(12):
        aid = f"a{rng.randrange(35)}"
        if store.has(aid) and rng.random() < 0.4:
            store.remove(aid)
        else:
            add(aid)  # new, or replaced with other speakers
        for query in ["Asif", "Khawaja Asif", "Khan", "BLA", "the BLA", "Nawaz", "Ali", "nobody"]:
            assert lookup.articles_of(query) == SpeakerLookup(store).articles_of(query), query
    assert read and all(articles is not None and len(articles) <= 1 for articles in read[::9])  # lookup's reads


def test_warm_up_builds_the_search_matrices_and_the_lookup_before_the_first_question(
    tmp_path: Path, sample_path: Path
) -> None:
    from tests.conftest import fake_extractor, make_fake_assistant

    assistant = make_fake_assistant(tmp_path / "data", extractor=fake_extractor, retrieval="hybrid")
    assistant.add([sample_path])
    (context,) = [listener for listener in assistant.store.listeners if hasattr(listener, "warm")]
    lookup = assistant.pipeline.attributions.lookup  # type: ignore[union-attr]
    assert context.sentences._blocks.big is None and lookup._generation is None  # built by the first question
    assert assistant.warm_up() is None and assistant.warming is not None
    assistant.warming.join(60)
    assert context.sentences._blocks.big is not None and context.passages._blocks.big is not None
    assert context.passages.lexical._blocks.big is not None
    assert lookup._generation == (assistant.store.generation(), assistant.store.attribution_generation())
    built: list[object] = []
    for blocks in (context.sentences._blocks, context.passages._blocks, context.passages.lexical._blocks):
        real = blocks.build
        blocks.build = lambda order, real=real: (built.append(order), real(order))[1]  # type: ignore[method-assign]
    read: list[object] = []
    assistant.store.attribution_speakers = lambda articles=None: read.append(articles) or []  # type: ignore[method-assign]
    answer = assistant.ask("What did Asif say?")
    assert answer.citations and read == []  # the lookup was current
    assert [order for order in built if order] == []  # nothing but the (empty) recent blocks was built


def test_a_re_extraction_or_a_replaced_last_article_is_seen_by_the_lookup(tmp_path: Path) -> None:
    from index.attribution import Attribution, Span
    from index.embed import HashEmbedder
    from index.store import SentenceStore
    from index.types import Article, Sentence

    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    text = "Asif said it was hard."

    def said(name: str) -> Attribution:
        return Attribution("a", 0, Span(0, 4, "Asif"), Span(5, 9, "said"), Span(10, 21, "it was hard"), name, "named", (0,))

    store.add(Article("a", "T", text), [Sentence("a", 0, 0, len(text), text)], [said("Khawaja Asif")])
    lookup = SpeakerLookup(store)
    assert [a.speaker for a in lookup.claims("Asif")] == ["Khawaja Asif"]
    generation = store.generation()
    store.replace_attributions("a", [said("Asif Ali")], {0: "Asif Ali"})  # the extractor changed its mind
    assert store.generation() == generation  # the BM25 and passage snapshots stay valid
    assert [a.speaker for a in lookup.claims("Ali")] == ["Asif Ali"]
    store.remove("a")  # removed and added again between two questions: its rows are the table's last
    store.add(Article("a", "T", text), [Sentence("a", 0, 0, len(text), text)], [said("Imran Khan")])
    assert [a.speaker for a in lookup.claims("Khan")] == ["Imran Khan"]
    for query in ["Ali", "Asif Ali", "Khan", "Imran Khan", "Khawaja Asif", "Asif"]:
        assert lookup.claims(query) == claims_by_speaker(query, store.attributions()), query


def test_a_speaker_no_article_holds_any_more_leaves_no_empty_posting(tmp_path: Path) -> None:
    """An app running for weeks drops and re-adds articles: what the lookup holds after the
    changes equals a fresh build (no empty posting left behind)."""
    from index.attribution import Attribution, Span
    from index.embed import HashEmbedder
    from index.store import SentenceStore
    from index.types import Article, Sentence

    store = SentenceStore(tmp_path / "idx", HashEmbedder())

    def add(aid: str, name: str) -> None:
        text = f"{aid}: someone said something."
        note = Attribution(aid, 0, Span(0, 3, name), Span(4, 8, "said"), Span(9, 18, "something"), name, "named", (0,))
        store.add(Article(aid, "T", text), [Sentence(aid, 0, 0, len(text), text)], [note])

    for n in range(30):
        add(f"a{n}", "Imran Khan")
    add("x", "Khawaja Asif")
    lookup = SpeakerLookup(store)
    assert lookup.articles_of("Asif") == {"x"}
    store.remove("x")  # one article of 31: read alone, not a rebuild
    assert lookup.articles_of("Asif") == set() and lookup.articles_of("KA") == set()
    fresh = SpeakerLookup(store)
    fresh.articles_of("Khan")
    for held in ("_by_word", "_by_initials", "_articles", "_texts"):
        assert dict(getattr(lookup, held)) == dict(getattr(fresh, held)), held
