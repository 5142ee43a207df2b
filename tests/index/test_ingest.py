"""Ingest: reading into the store, re-ingesting, replacing, failures, refreshing attributions."""

from pathlib import Path

from index.attribution import Attribution, Span
from index.embed import HashEmbedder
from index.ingest import ingest, refresh_attributions
from index.store import SentenceStore
from index.types import Article, Sentence


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_adding_twice_is_a_no_op(tmp_path: Path, sample_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    first = ingest(store, [sample_path])
    again = ingest(store, [sample_path, sample_path])
    assert (len(first.added), len(again.added), len(again.unchanged)) == (1, 0, 2)
    assert store.count() == 33 and store._collection.count() == 33


def test_changed_file_replaces_its_sentences(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    doc = write(tmp_path / "a.txt", "The mayor resigned. Nobody knows why.")
    old_id = ingest(store, [doc]).added[0]
    write(doc, "The mayor resigned on Friday. He cited health reasons. Aides agreed.")
    report = ingest(store, [doc])
    assert len(report.replaced) == 1 and report.replaced[0] != old_id
    assert [a.id for a in store.articles()] == report.replaced
    assert store.count() == 3 and store._collection.count() == 3
    assert not store.has(old_id)


def test_changed_corpus_record_with_same_id_replaces(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    store.add(Article(id="x", title="t", text="One. Two."), [])  # registry row without sentences
    store.remove("x")
    corpus = write(tmp_path / "c.jsonl", '{"id": "x", "text": "Alpha said so. Beta denied it."}\n')
    ingest(store, [corpus])
    write(corpus, '{"id": "x", "text": "Alpha said so."}\n')
    report = ingest(store, [corpus])
    assert report.replaced == ["x"] and store.count() == 1 and store._collection.count() == 1


def test_failures_are_reported_and_do_not_stop_others(tmp_path: Path, sample_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    report = ingest(store, [tmp_path / "nope.txt", sample_path, write(tmp_path / "blank.md", "...")])
    assert len(report.added) == 1
    assert {path for path, _ in report.failed} == {str(tmp_path / "nope.txt"), str(tmp_path / "blank.md")}
    assert "1 added, 0 unchanged, 0 replaced, 2 failed" in report.summary()


def _extractor(speaker: str, fail_on: str = ""):  # type: ignore[no-untyped-def]
    """A fake extractor: credits every article's first sentence to ``speaker``."""
    calls: list[str] = []

    def extract(article: Article, sentences: list[Sentence]) -> tuple[list[Attribution], dict[int, str]]:
        calls.append(article.id)
        if article.id == fail_on:
            raise RuntimeError("parser crashed")
        first = sentences[0]
        span = Span(first.start, first.end, first.text)
        return [Attribution(article.id, 0, None, Span(0, 0, ""), span, speaker, "named", (0,))], {0: speaker}

    extract.calls = calls  # type: ignore[attr-defined]
    return extract


def _speaker_of_first(store: SentenceStore, article_id: str) -> str:
    hits = store.search(store.sentences(article_id)[0].text, 10)
    return next(h.speaker for h in hits if (h.sentence.article_id, h.sentence.index) == (article_id, 0))


def test_changed_extractor_refreshes_attributions_and_speakers(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    a = write(tmp_path / "a.txt", "Asif spoke first. Then he left.")
    b = write(tmp_path / "b.txt", "Khan spoke too. He stayed.")
    report = ingest(store, [a, b], extractor=_extractor("Old Name"))
    assert refresh_attributions(store, _extractor("Old Name"), "v1") == report.added  # none recorded yet
    new = _extractor("New Name")
    assert refresh_attributions(store, new, "v1") == [] and new.calls == []  # same version: nothing to do
    assert sorted(refresh_attributions(store, new, "v2")) == sorted(report.added)
    for article_id in report.added:
        assert [a.speaker for a in store.attributions(article_id)] == ["New Name"]
        assert _speaker_of_first(store, article_id) == "New Name"  # the vector's metadata too
    assert store.count() == 4 and store.meta("extractor") == "v2"


def test_refresh_keeps_old_attributions_of_an_article_that_fails(tmp_path: Path) -> None:
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    a = write(tmp_path / "a.txt", "Asif spoke first. Then he left.")
    b = write(tmp_path / "b.txt", "Khan spoke too. He stayed.")
    first, second = ingest(store, [a, b], extractor=_extractor("Old Name")).added
    assert refresh_attributions(store, _extractor("New Name", fail_on=first), "v2") == [second]
    assert [a.speaker for a in store.attributions(first)] == ["Old Name"]
    assert _speaker_of_first(store, first) == "Old Name"
    assert [a.speaker for a in store.attributions(second)] == ["New Name"]


def test_refresh_keeps_the_sentences_an_older_segmenter_stored(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Sentence splits are stored with the article: a segmenter change (``the Rev.`` no longer
    ending a sentence) reaches articles added afterwards, while refreshing an index re-extracts over
    the stored sentences, so its attributions, vectors and sentence ids stay in step."""
    import index.batch_ingest as batch
    from index.segment import segment

    def old_segment(article: Article, max_chars: int = 2000) -> list[Sentence]:
        cut = article.text.index("Peter")  # the old split after "the Rev."
        return [Sentence(article.id, 0, 0, cut - 1, article.text[: cut - 1]),
                Sentence(article.id, 1, cut, len(article.text), article.text[cut:])]  # fmt: skip

    text = "It was good, said the Rev. Peter Wherry of the church."
    monkeypatch.setattr(batch, "segment", old_segment)
    (old_id,) = ingest(SentenceStore(tmp_path / "idx", HashEmbedder()), [write(tmp_path / "a.txt", text)]).added
    monkeypatch.undo()
    assert len(segment(Article("n", "", text))) == 1  # today's segmenter keeps it whole
    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    seen: list[list[str]] = []

    def extractor(article: Article, sentences: list[Sentence]) -> tuple[list[Attribution], dict[int, str]]:
        seen.append([s.text for s in sentences])
        return _extractor("Peter Wherry")(article, sentences)

    assert refresh_attributions(store, extractor, "v2") == [old_id]
    assert seen == [["It was good, said the Rev.", "Peter Wherry of the church."]]
    assert [s.index for s in store.sentences(old_id)] == [0, 1] and store.count() == 2
    assert [a.content_sentences for a in store.attributions(old_id)] == [(0,)]
