"""The batched ingest: parse chunks of articles while others are embedded.

Per chunk of articles: segment them, extract their attributions with one ``nlp.pipe`` over all
their sentences (when the extractor can take many articles at once, see
:class:`~index.ingest.SpacyExtractor`), embed all their sentences and titles, then store the chunk:
its vectors in one Chroma write, each article's registry rows in its own transaction.

With more than one chunk and the spaCy extractor, the parse runs in a child process up to
``PARSE_AHEAD`` chunks ahead, and this process encodes, with one torch thread while the child is
busy and all of them once it is idle (:mod:`index.parse_worker` says why). Otherwise the parse of
chunk *k+1* runs here while a worker thread embeds chunk *k*. Each stored article is final, so an
interrupted ingest resumes where it stopped: a second run finds the stored articles unchanged and
parses only the rest (and the embedding cache, when the store has one, keeps the vectors of the
chunk that was cut short).

Example:
    >>> meter = ProgressMeter(total=10, every=0)
    >>> meter.done(articles=5, sentences=100, seconds=2.0)
    >>> meter.line()
    '5/10 articles, 100 sentences, 50.0 sentences/s, ETA 2 s'
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from index.embed import encoder_threads
from index.parse_worker import ParserProcess
from index.passages import heading
from index.segment import MAX_SENTENCE_CHARS, segment
from index.types import Article, Sentence

if TYPE_CHECKING:
    from index.attribution import Attribution
    from index.store import SentenceStore

log = logging.getLogger(__name__)

CHUNK_ARTICLES = 8
#: With a parser process: chunks segmented and handed to it ahead of the encoder.
PARSE_AHEAD = 4
#: With a parser process: texts per encoder call (the thread count is chosen per call).
EMBED_SLICE = 128

#: One article's extraction: its attributions and a speaker per sentence index.
Extracted = tuple[list["Attribution"], dict[int, str]]
#: One parsed and embedded article to store: (article, status, old id, sentences, extraction, vectors).
ToStore = tuple[Article, str, "str | None", list[Sentence], Extracted, np.ndarray]
#: Stores a chunk's articles; an error (or ``None``) per article.
StoreMany = Callable[[list[ToStore]], "list[Exception | None]"]


class ProgressMeter:
    """Articles and sentences done, the sentence rate and an ETA, logged every ``every`` seconds."""

    def __init__(self, total: int, every: float = 10.0, bar: Any = None) -> None:
        self.total, self.every, self.bar = total, every, bar
        self.articles = self.sentences = 0
        self.started = time.perf_counter()
        self._logged = self.started
        self._seconds: float | None = None

    def done(self, articles: int, sentences: int, seconds: float | None = None) -> None:
        self.articles += articles
        self.sentences += sentences
        self._seconds = seconds
        if self.bar is not None:
            self.bar.update(articles)
            self.bar.set_postfix_str(f"{self.rate():.0f} sentences/s")
        now = time.perf_counter()
        if self.every and now - self._logged >= self.every:
            self._logged = now
            log.info("ingest: %s", self.line())

    def elapsed(self) -> float:
        return self._seconds if self._seconds is not None else time.perf_counter() - self.started

    def rate(self) -> float:
        return self.sentences / max(self.elapsed(), 1e-9)

    def line(self) -> str:
        per_article = self.elapsed() / max(self.articles, 1)
        eta = per_article * (self.total - self.articles)
        when = f"{eta:.0f} s" if eta < 120 else f"{eta / 60:.0f} min"
        return (f"{self.articles}/{self.total} articles, {self.sentences} sentences, "
                f"{self.rate():.1f} sentences/s, ETA {when}")  # fmt: skip


@dataclass
class Chunk:
    """Articles handled together: one ``nlp.pipe``, one encoder batch, one store write.

    Example:
        >>> Chunk([]).extracted
        []
    """

    articles: list[tuple[Article, str, str | None]]  # (article, status, old id)
    sentences: list[list[Sentence]] = field(default_factory=list)
    extracted: list[Extracted | Exception] = field(default_factory=list)


def _segment(chunk: Chunk, failed: Callable[[Article, str], None], max_sentence_chars: int) -> Chunk:
    kept: list[tuple[Article, str, str | None]] = []
    for item in chunk.articles:
        try:  # the same segmentation as a single article's: long "sentences" cut into pieces
            sentences = segment(item[0], max_sentence_chars)
        except Exception as exc:
            log.exception("could not segment %s", item[0].path or item[0].id)
            failed(item[0], f"{type(exc).__name__}: {exc}")
            continue
        if not sentences:
            failed(item[0], "no sentences found in the text")
            continue
        kept.append(item)
        chunk.sentences.append(sentences)
    chunk.articles = kept
    return chunk


def chunk_pairs(chunk: Chunk) -> list[tuple[Article, list[Sentence]]]:
    """(article, its sentences) for each article of the chunk, as an extractor's ``many`` takes them."""
    return [(item[0], sents) for item, sents in zip(chunk.articles, chunk.sentences, strict=True)]


def extract_chunk(chunk: Chunk, extractor: Any) -> Chunk:
    """The chunk's attributions in this process: ``extractor.many`` at once, else (or when it
    fails) article by article, an article's exception standing for its result."""
    if extractor is None:
        chunk.extracted = [([], {}) for _ in chunk.articles]
        return chunk
    pairs = chunk_pairs(chunk)
    many = getattr(extractor, "many", None)
    if many is not None:
        try:
            chunk.extracted = list(many(pairs))
            return chunk
        except Exception:  # one bad article: extract them one by one to find it
            log.debug("batched extraction failed; extracting article by article", exc_info=True)
    chunk.extracted = []
    for article, sents in pairs:
        try:
            chunk.extracted.append(extractor(article, sents))
        except Exception as exc:
            chunk.extracted.append(exc)
    return chunk


def _parse(chunk: Chunk, extractor: Any, failed: Callable[[Article, str], None], max_sentence_chars: int) -> Chunk:
    return extract_chunk(_segment(chunk, failed, max_sentence_chars), extractor)


def _embed(store: SentenceStore, chunk: Chunk, busy: Callable[[], bool] | None = None) -> list[np.ndarray]:
    """Every sentence of the chunk in one batch (titles too, so a cached embedder has them
    when the passage index asks); split back per article.

    ``busy`` (a parser process beside): the texts go by slices, longest first as the encoder
    orders them anyway, each slice with one torch thread while ``busy()`` and all of them after."""
    texts = [s.text for sents in chunk.sentences for s in sents]
    titles = [heading(item[0]) for item in chunk.articles]
    everything = texts + [t for t in titles if t]
    if busy is None:
        vectors = store.embedder.embed(everything)
    else:
        order = sorted(range(len(everything)), key=lambda k: -len(everything[k]))
        vectors = np.zeros((len(everything), store.embedder.dim), dtype=np.float32)
        for start in range(0, len(order), EMBED_SLICE):
            rows = order[start : start + EMBED_SLICE]
            with encoder_threads(1 if busy() else None):
                vectors[rows] = store.embedder.embed([everything[k] for k in rows])
    vectors = vectors[: len(texts)]
    out, position = [], 0
    for sents in chunk.sentences:
        out.append(vectors[position : position + len(sents)])
        position += len(sents)
    return out


def ingest_chunks(
    store: SentenceStore,
    todo: Sequence[tuple[Article, str, str | None]],
    extractor: Any,
    store_many: StoreMany,
    failed: Callable[[Article, str], None],
    meter: ProgressMeter,
    chunk_size: int | None = None,
    max_sentence_chars: int = MAX_SENTENCE_CHARS,
) -> None:
    """Parse chunk *k+1* while chunk *k* is embedded, then store chunk *k* (``store_many``: its
    vectors in one write, each article's registry rows in its own transaction).

    With more than one chunk and an extractor that allows it (``in_child``), the parse runs in a
    child process (:func:`_ingest_beside`); otherwise in this process, the encoder in a thread."""
    chunk_size = chunk_size or CHUNK_ARTICLES
    chunks = [Chunk(list(todo[i : i + chunk_size])) for i in range(0, len(todo), chunk_size)]
    parser = start_parser(extractor) if len(chunks) > 1 else None
    if parser is not None:
        with parser:
            _ingest_beside(store, chunks, extractor, parser, store_many, failed, meter, max_sentence_chars)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed") as pool:
        pending: tuple[Chunk, Future[list[np.ndarray]]] | None = None
        for chunk in [*chunks, None]:
            if chunk is not None:
                _parse(chunk, extractor, failed, max_sentence_chars)  # while the worker embeds the chunk before
            previous = pending
            pending = (chunk, pool.submit(_embed, store, chunk)) if chunk is not None else None
            if previous is not None:  # the worker takes this chunk once the previous one is done
                try:
                    vectors = previous[1].result()
                except Exception as exc:
                    _embed_failed(previous[0], exc, failed)
                    continue
                _store_chunk(previous[0], vectors, store_many, failed, meter)


def _ingest_beside(
    store: SentenceStore, chunks: list[Chunk], extractor: Any, parser: ParserProcess, store_many: StoreMany,
    failed: Callable[[Article, str], None], meter: ProgressMeter, max_sentence_chars: int,
) -> None:  # fmt: skip
    """The parse in ``parser``'s process, up to ``PARSE_AHEAD`` chunks ahead; each chunk encoded
    here (one torch thread while the parser is busy), then stored in order. A chunk the child
    fails on (or every chunk, once the child is gone) is extracted in this process."""
    window: deque[tuple[Chunk, Future[list[Any]] | None]] = deque()
    upcoming = iter(chunks)
    broken = False

    def top_up() -> None:
        nonlocal broken
        while len(window) < PARSE_AHEAD and (chunk := next(upcoming, None)) is not None:
            _segment(chunk, failed, max_sentence_chars)
            future = None
            if chunk.articles and not broken:
                try:
                    future = parser.submit(chunk_pairs(chunk))
                except Exception:  # the child is gone: the rest is parsed here
                    log.warning("the parser process stopped; parsing in this one", exc_info=True)
                    broken = True
            window.append((chunk, future))

    top_up()
    while window:
        chunk, future = window.popleft()
        top_up()
        try:
            vectors = _embed(store, chunk, busy=parser.busy)
        except Exception as exc:
            _embed_failed(chunk, exc, failed)
            continue
        collect(chunk, future, extractor)
        _store_chunk(chunk, vectors, store_many, failed, meter)


def collect(chunk: Chunk, future: Future[list[Any]] | None, extractor: Any) -> Chunk:
    """The chunk's attributions from the parser process's ``future``; extracted in this process
    when there is none or it failed (one bad article, or the child is gone)."""
    extracted = None
    if future is not None:
        try:
            extracted = future.result()
        except Exception:
            log.debug("the parser process failed on a chunk; parsing it here", exc_info=True)
    if extracted is not None and len(extracted) == len(chunk.articles):
        chunk.extracted = extracted
        return chunk
    return extract_chunk(chunk, extractor)


def start_parser(extractor: Any) -> ParserProcess | None:
    """A parser process for ``extractor`` when it allows one (``in_child``) and one can start."""
    if not getattr(extractor, "in_child", False):
        return None
    try:
        return ParserProcess(extractor)
    except Exception:  # no child process here: parse in this one
        log.warning("could not start the parser process; parsing in this one", exc_info=True)
        return None


def _embed_failed(chunk: Chunk, exc: Exception, failed: Callable[[Article, str], None]) -> None:
    log.error("could not embed %d articles", len(chunk.articles), exc_info=exc)
    for article, _status, _old in chunk.articles:
        failed(article, f"{type(exc).__name__}: {exc}")


def _store_chunk(chunk: Chunk, vectors: list[np.ndarray], store_many: StoreMany, failed: Any, meter: ProgressMeter) -> None:
    todo: list[ToStore] = []
    for (article, status, old_id), sents, extracted, rows in zip(
        chunk.articles, chunk.sentences, chunk.extracted, vectors, strict=True
    ):
        if isinstance(extracted, Exception):
            failed(article, f"{type(extracted).__name__}: {extracted}")
        else:
            todo.append((article, status, old_id, sents, extracted, rows))
    try:
        errors = store_many(todo)
    except Exception as exc:  # the batch as a whole: every article of it failed
        errors = [exc] * len(todo)
    n = 0
    for (article, _status, _old, sents, _ex, _rows), error in zip(todo, errors, strict=True):
        if error is None:
            n += len(sents)
        else:  # one bad article never stops the rest
            log.error("failed to index %s", article.path or article.id, exc_info=error)
            failed(article, f"{type(error).__name__}: {error}")
    meter.done(len(chunk.articles), n)
