"""The batched ingest: an interrupted folder ingest resumes, repeated sentences are embedded once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import index.batch_ingest as batch_ingest
from index.attribution import Attribution
from index.embed import HashEmbedder
from index.embed_cache import CachedEmbedder
from index.ingest import IngestReport, ingest
from index.store import SentenceStore
from index.types import Article, Sentence

WIRE = "The ministry said 40 people were hurt in the blast on Tuesday."


class Stop(BaseException):
    """Stands for Ctrl-C (a BaseException, so no ``except Exception`` swallows it)."""


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return super().embed(texts)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, town in enumerate(["Quetta", "Gwadar", "Turbat", "Sibi"]):
        (folder / f"{i}.txt").write_text(f"# Blast in {town}\n\n{WIRE} Police in {town} closed the road.\n")
    return folder


def test_an_interrupted_ingest_resumes_where_it_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_ingest, "CHUNK_ARTICLES", 1)
    folder = _folder(tmp_path)
    seen: list[str] = []
    interrupted: list[str] = []

    def extractor(article: Article, sentences: list[Sentence]) -> tuple[list[Attribution], dict[int, str]]:
        seen.append(article.title)
        if article.title == "Blast in Turbat" and not interrupted:
            interrupted.append(article.title)
            raise Stop  # the user stops the first run while the third article is parsed
        return [], {}

    store = SentenceStore(tmp_path / "idx", HashEmbedder())
    with pytest.raises(Stop):
        ingest(store, [folder], extractor=extractor)
    assert [a.title for a in store.articles()] == ["Blast in Quetta"]  # committed before the interruption
    seen.clear()
    report: IngestReport = ingest(store, [folder], extractor=extractor)
    assert len(report.unchanged) == 1 and len(report.added) == 3 and not report.failed
    assert "Blast in Quetta" not in seen  # the stored article is neither parsed nor embedded again
    assert sorted(a.title for a in store.articles()) == [f"Blast in {t}" for t in ("Gwadar", "Quetta", "Sibi", "Turbat")]


def test_syndicated_sentences_are_embedded_once(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    store = SentenceStore(tmp_path / "idx", CachedEmbedder(inner, tmp_path / "cache.sqlite3"))
    report = ingest(store, [_folder(tmp_path)])
    assert len(report.added) == 4 and store.count() == 12  # title, wire sentence, own sentence
    assert inner.texts.count(WIRE) == 1 and store.embedder.hits >= 3  # type: ignore[attr-defined]
    hits = store.search(WIRE, 4)
    assert {h.sentence.text for h in hits} == {WIRE} and len({h.sentence.article_id for h in hits}) == 4
    reopened = CachedEmbedder(CountingEmbedder(), tmp_path / "cache.sqlite3")  # persisted across runs
    assert np.allclose(reopened.embed([WIRE])[0], inner.embed([WIRE])[0]) and reopened.misses == 0


def test_the_batched_ingest_enforces_the_input_limits(tmp_path: Path) -> None:
    from index.decode import InputLimits

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.txt").write_text("Page\n\n" + " ".join(f"word{i}" for i in range(100)))  # no punctuation
    (folder / "huge.txt").write_text("Huge\n\n" + "It rained again. " * 200)
    (folder / "latin.txt").write_bytes("Caf\xe9\n\nThe caf\xe9 opened. It was busy.".encode("cp1252"))
    store = SentenceStore(tmp_path / "index", HashEmbedder())
    limits = InputLimits(max_article_chars=1000, max_sentence_chars=500)
    report = ingest(store, [folder], extractor=None, limits=limits)
    assert [p for p, _ in report.failed] == [str(folder / "huge.txt")] and "1,000" in report.failed[0][1]
    page = next(a.id for a in store.articles() if a.path.endswith("page.txt"))
    assert len(store.sentences(page)) > 1 and max(len(s.text) for s in store.sentences(page)) <= 500
    assert set(report.encodings.values()) == {"cp1252"}
