"""Ingest: read, segment, extract attributions, embed and store articles, with a report.

One bad file never stops the others; adding the same article twice is a no-op and a
changed article replaces its old sentences.
"""

from __future__ import annotations

import logging
import sys
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import batch_ingest
from index.batch_ingest import (
    Chunk,
    ProgressMeter,
    ToStore,
    chunk_pairs,
    collect,
    extract_chunk,
    ingest_chunks,
    start_parser,
)
from index.decode import InputLimits, check_length
from index.errors import InputError
from index.readers import DEFAULT_LIMITS, ReadFailure, iter_articles
from index.store import SentenceStore
from index.types import Article, Sentence

if TYPE_CHECKING:
    from index.attribution import Attribution

log = logging.getLogger(__name__)

#: Refresh: chunks read ahead of the one whose attributions are written next.
REFRESH_WINDOW = 4

#: Extracts attributions for an article: the records and a speaker per sentence index.
Extractor = Callable[[Article, list[Sentence]], tuple[list["Attribution"], dict[int, str]]]


def sentence_speakers(attributions: Sequence[Attribution]) -> dict[int, str]:
    """The speaker of each sentence an attribution covers (cue or content); the first one wins.

    Example:
        >>> sentence_speakers([])
        {}
    """
    speakers: dict[int, str] = {}
    for a in attributions:
        if a.speaker:
            for index in (a.cue_sentence, *a.content_sentences):
                speakers.setdefault(index, a.speaker)
    return speakers


class SpacyExtractor:
    """The real ingest :data:`Extractor`: spaCy attribution extraction (:mod:`index.attribution`).
    ``many`` parses the sentences of many articles in one ``nlp.pipe`` (the batched ingest uses it).

    ``in_child``: a batched ingest of more than one chunk parses in a child process beside the
    encoder (:mod:`index.parse_worker`); False keeps the parse in this process.

    Example:
        >>> extract_for_store(Article("a1", "", "Asif said it."), [Sentence("a1", 0, 0, 13, "Asif said it.")])[1]  # doctest: +SKIP
        {0: 'Asif'}
    """

    def __init__(self, in_child: bool = True) -> None:
        self.in_child = in_child

    def warm(self) -> None:
        """Load spaCy and the extractor's models (one tiny extraction)."""
        text = "Asif said it."
        self.many([(Article("warm-up", "", text), [Sentence("warm-up", 0, 0, len(text), text)])])

    def __call__(self, article: Article, sentences: list[Sentence]) -> tuple[list[Attribution], dict[int, str]]:
        return self.many([(article, sentences)])[0]

    def many(self, pairs: Sequence[tuple[Article, list[Sentence]]]) -> list[tuple[list[Attribution], dict[int, str]]]:
        from index.attribution import load_nlp
        from index.attribution.extract import extract_many

        return [(found, sentence_speakers(found)) for _article, found in extract_many(pairs, load_nlp())]


extract_for_store = SpacyExtractor()


@dataclass
class IngestReport:
    """What an ingest did, article by article.

    Example:
        >>> r = IngestReport(added=["a1"], failed=[("bad.pdf", "unsupported file type '.pdf'")])
        >>> print(r.summary())
        1 added, 0 unchanged, 0 replaced, 1 failed
          failed: bad.pdf: unsupported file type '.pdf'
    """

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Articles read with another encoding than UTF-8 (id → "cp1252", "utf-16", …).
    encodings: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        head = (
            f"{len(self.added)} added, {len(self.unchanged)} unchanged, "
            f"{len(self.replaced)} replaced, {len(self.failed)} failed"
        )
        return "\n".join([head, *(f"  failed: {path}: {reason}" for path, reason in self.failed)])

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "failed": [{"path": p, "reason": r} for p, r in self.failed],
            "encodings": self.encodings,
        }


def ingest(
    store: SentenceStore,
    paths: Sequence[str | Path],
    *,
    extractor: Extractor | None = None,
    progress: bool = False,
    limits: InputLimits = DEFAULT_LIMITS,
) -> IngestReport:
    """Add every article under ``paths`` to ``store`` and report what happened.

    ``limits``: file size, article length and sentence length limits (longer articles are
    refused with a message naming the limit; longer sentences are cut into pieces). Articles
    already stored (an interrupted run) are skipped; the rest go through the batched ingest
    (:mod:`index.batch_ingest`), each stored atomically."""
    from tqdm import tqdm

    report = IngestReport()
    todo: list[tuple[Article, str, str | None]] = []
    seen: set[str] = set()
    for item in iter_articles(paths, limits):
        if isinstance(item, ReadFailure):
            report.failed.append((item.path, item.reason))
        elif item.id in seen:
            report.unchanged.append(item.id)
        else:
            seen.add(item.id)
            if item.encoding not in ("", "utf-8", "utf-8-sig"):
                report.encodings[item.id] = item.encoding
            try:
                check_length(item.text, limits.max_article_chars)
                status, old_id = _triage(store, item, report)
            except InputError as exc:
                report.failed.append((item.path or item.id, str(exc)))
                continue
            except Exception as exc:  # one bad article never stops the rest
                log.exception("failed to index %s", item.path or item.id)
                report.failed.append((item.path or item.id, f"{type(exc).__name__}: {exc}"))
                continue
            if status != "unchanged":
                todo.append((item, status, old_id))
    bar = tqdm(total=len(todo), desc="Indexing articles", unit="article", disable=not progress, file=sys.stderr)
    meter = ProgressMeter(len(todo), bar=bar)

    def store_many(items: list[ToStore]) -> list[Exception | None]:
        errors = _store_many(store, items)
        for (article, status, *_rest), error in zip(items, errors, strict=True):
            if error is None:
                (report.replaced if status == "changed" else report.added).append(article.id)
        return errors

    def failed(article: Article, reason: str) -> None:
        report.failed.append((article.path or article.id, reason))

    ingest_chunks(store, todo, extractor, store_many, failed, meter, max_sentence_chars=limits.max_sentence_chars)
    bar.close()
    if todo:
        log.info("ingest: %s", meter.line())
    log.info("ingest: %s", report.summary().splitlines()[0])
    return report


def _triage(store: SentenceStore, article: Article, report: IngestReport) -> tuple[str, str | None]:
    """``find_existing``; an unchanged article is reported here (and an older version of its
    file, left by a replace that was interrupted, removed)."""
    status, old_id = store.find_existing(article)
    if status == "unchanged":
        stale = [i for i in store.ids_with_path(article.path) if i != article.id] if article.path else []
        for other in stale:
            store.remove(other)
        (report.replaced if stale else report.unchanged).append(article.id)
    return status, old_id


def _store_one(
    store: SentenceStore, article: Article, status: str, old_id: str | None, sentences: list[Sentence],
    extracted: tuple[list[Attribution], dict[int, str]], vectors: Any,
) -> None:  # fmt: skip
    records, speakers = extracted
    if status == "changed" and old_id == article.id:
        store.remove(old_id)  # same id (a corpus record edited): the old rows must go first
    store.add(article, sentences, records, speakers, vectors)
    if status == "changed" and old_id is not None and old_id != article.id:
        store.remove(old_id)  # a file edited in place: drop the old version only once the new one is in


def _store_many(store: SentenceStore, items: list[ToStore]) -> list[Exception | None]:
    """New articles in one :meth:`SentenceStore.add_many`; a changed one on its own (its old
    version goes first or after, see ``_store_one``)."""
    errors: list[Exception | None] = [None] * len(items)
    new = [k for k, item in enumerate(items) if item[1] != "changed"]
    added = store.add_many([(a, sents, ex[0], ex[1], rows) for a, _s, _o, sents, ex, rows in (items[k] for k in new)])
    for k, error in zip(new, added, strict=True):
        errors[k] = error
    for k, (article, status, old_id, sents, extracted, rows) in enumerate(items):
        if status == "changed":
            try:
                _store_one(store, article, status, old_id, sents, extracted, rows)
            except Exception as exc:
                errors[k] = exc
    return errors


def refresh_attributions(
    store: SentenceStore, extractor: Extractor, version: str, *, progress: bool | None = None
) -> list[str]:
    """Re-extract the attributions of every stored article when the index records another
    extractor ``version`` (a newer cue lexicon or model): sentences and vectors are kept, so
    this costs a parse per article, not a re-embedding.  Returns the ids refreshed.

    Articles go by chunks (one ``nlp.pipe`` each); with more than one chunk and an extractor that
    allows it, a parser process (:mod:`index.parse_worker`) takes chunks while this process parses
    others, so both cores parse. ``progress=None`` shows a bar only on a terminal.  An article whose
    extraction fails keeps its old attributions (and is logged); the others go on.
    """
    from tqdm import tqdm

    if store.meta("extractor") == version:
        return []
    infos = store.articles()
    if infos:
        log.warning("The attribution extractor changed: refreshing the attributions of %d articles.", len(infos))
    done: list[str] = []
    disable = None if progress is None else not progress  # None: tqdm shows it on a terminal only
    bar = tqdm(total=len(infos), desc="Refreshing attributions", unit="article", disable=disable, file=sys.stderr)
    size = batch_ingest.CHUNK_ARTICLES
    chunks = [infos[i : i + size] for i in range(0, len(infos), size)]
    parser = start_parser(extractor) if len(chunks) > 1 else None
    window: deque[tuple[Chunk, Future[Any] | None]] = deque()

    def apply(chunk: Chunk, future: Future[Any] | None) -> None:
        if future is not None:  # else extracted here already
            collect(chunk, future, extractor)
        for (article, _status, _old), found in zip(chunk.articles, chunk.extracted, strict=True):
            try:
                if isinstance(found, Exception):
                    raise found
                store.replace_attributions(article.id, *found)
                done.append(article.id)
            except Exception:
                log.exception("could not refresh the attributions of %s; its old ones stay", article.id)
        bar.update(len(chunk.articles))

    with parser if parser is not None else nullcontext():
        for part in chunks:
            chunk = Chunk([(store.article(info.id), "refresh", None) for info in part])
            chunk.sentences = [store.sentences(info.id) for info in part]
            future = None
            if parser is not None and sum(not f.done() for _c, f in window if f is not None) < 2:
                try:
                    future = parser.submit(chunk_pairs(chunk))
                except Exception:  # the child is gone: the rest is parsed here
                    parser = None
            if future is None:
                extract_chunk(chunk, extractor)  # here, while the child parses its chunks
            window.append((chunk, future))
            while window and (window[0][1] is None or window[0][1].done() or len(window) > REFRESH_WINDOW):
                apply(*window.popleft())
        while window:
            apply(*window.popleft())
    bar.close()
    store.set_meta("extractor", version)
    return done

