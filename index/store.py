"""The persistent sentence store: a SQLite article registry beside a Chroma collection.

SQLite keeps what must be exact (article text, sentence offsets and texts, attributions);
Chroma keeps one vector per sentence, no document and as little metadata as a filter needs (the
article id, and the speaker when there is one; a server also needs the offsets and the member
that wrote it, see ``_records``): hits take their text, offsets, title and date from SQLite.
Writing through llama-index's ``ChromaVectorStore`` stored each sentence's text three times more
(the document, Chroma's trigram full-text index of it, and a JSON copy of the node in the
metadata); see ``_records`` for what that and each metadata field cost.
The store's API speaks typed records (:class:`Article`, :class:`Sentence`,
:class:`~index.attribution.Attribution`, :class:`ArticleInfo`, :class:`SearchHit`);
JSON and Chroma metadata stay inside this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from index.backend import ChromaBackend
from index.embed import Embedder
from index.errors import NotFoundError, StoreError
from index.types import Article, Sentence

if TYPE_CHECKING:
    from index.attribution import Attribution
    from index.shared import SharedRegistry

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT, date TEXT, source TEXT, author TEXT, path TEXT,
    content_hash TEXT NOT NULL, text TEXT NOT NULL, n_sentences INTEGER, added_at REAL);
CREATE INDEX IF NOT EXISTS articles_path ON articles(path);
CREATE TABLE IF NOT EXISTS sentences (
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, PRIMARY KEY (article_id, idx));
CREATE TABLE IF NOT EXISTS attributions (article_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attributions_article ON attributions(article_id);
"""


class StoreListener(Protocol):
    """An index kept in step with the store (BM25, passages): ``prepare`` runs before the
    transaction, ``apply_add``/``apply_remove`` inside it, ``save`` after it commits."""

    def prepare(self, article: Article, sentences: Sequence[Sentence], vectors: Any) -> Any: ...

    def apply_add(self, article: Article, sentences: Sequence[Sentence], prepared: Any) -> None: ...

    def apply_remove(self, article_id: str) -> None: ...

    def save(self, generation: str) -> None: ...

    def counts(self) -> dict[str, dict[str, int]]:
        """Per component (``bm25``, ``passages``), article id → sentences it covers (checked by
        :mod:`index.consistency` against the registry)."""
        ...

    def sync(self, store: Any, *, force: bool = False) -> bool:
        """Load or rebuild from ``store`` (``force``: rebuild); True when rebuilt."""
        ...


@dataclass(frozen=True)
class ArticleInfo:
    """A registry row: what ``Assistant.articles()`` lists.

    Example:
        >>> ArticleInfo("a1", "Title", "2026-02-04", "IANS", "a.txt", 12).n_sentences
        12
    """

    id: str
    title: str
    date: str
    source: str
    path: str
    n_sentences: int


@dataclass(frozen=True)
class SearchHit:
    """A sentence found by :meth:`SentenceStore.search`: cosine similarity, the article's title
    and date, and the speaker the attribution index credits the sentence to (``""`` if none).

    Example:
        >>> SearchHit(Sentence("a1", 0, 0, 6, "Hello."), 0.8, "T", "", "").score
        0.8
    """

    sentence: Sentence
    score: float
    title: str
    date: str
    speaker: str


#: One article for :meth:`SentenceStore.add_many`: its sentences, attributions, a speaker per
#: sentence index and the sentences' vectors.
NewArticle = tuple[Article, Sequence[Sentence], Sequence["Attribution"], dict[int, str], Any]
#: One article's Chroma records: ids, a float32 matrix of vectors, flat metadata.
_Records = tuple[list[str], np.ndarray, list[dict[str, str | int]]]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _texts_sql(n: int) -> str:
    """Offsets, text, title and date of ``n`` ``(article_id, idx)`` keys: a join on the keys, so
    that each is one primary-key search (``(article_id, idx) IN (VALUES ...)`` scans the whole table)."""
    values = ",".join("(?,?)" for _ in range(n))
    return (f"WITH k(a, i) AS (VALUES {values}) "
            'SELECT s.article_id, s.idx, s.start, s."end", s.text, a.title, a.date FROM k '
            "JOIN sentences s ON s.article_id = k.a AND s.idx = k.i JOIN articles a ON a.id = s.article_id")  # fmt: skip


def _key(node_id: str) -> tuple[str, int]:
    """``(article_id, index)`` of a vector id ``<article_id>:<index>`` (an article id may hold ':')."""
    article_id, _, index = str(node_id).rpartition(":")
    return article_id, int(index)


def _attribution_json(attribution: Attribution) -> str:
    """``json.dumps(asdict(attribution))``, written out: ``asdict``'s deep copy took 7.8 of 74 s
    of a profiled 1,500-article store (tests/index/test_store.py checks they are equal)."""
    record = {f.name: getattr(attribution, f.name) for f in fields(attribution)}
    for name in ("source", "cue", "content"):
        span = record[name]
        record[name] = None if span is None else {"start": span.start, "end": span.end, "text": span.text}
    record["content_sentences"] = list(record["content_sentences"])
    return json.dumps(record)


def _attribution_from_json(data: str) -> Attribution:
    from index.attribution import Attribution, Span  # plain records (index.attribution.records), no spaCy

    record = json.loads(data)
    spans = {k: Span(**record[k]) if record.get(k) else None for k in ("source", "cue", "content")}
    return Attribution(
        article_id=record["article_id"], cue_sentence=int(record["cue_sentence"]), source=spans["source"],
        cue=spans["cue"] or Span(0, 0, ""), content=spans["content"] or Span(0, 0, ""),
        speaker=record.get("speaker", ""), speaker_kind=record.get("speaker_kind", "unresolved"),
        content_sentences=tuple(record.get("content_sentences", ())),
    )  # fmt: skip


class SentenceStore:
    """Sentences, their vectors and the article registry under one directory.

    Example:
        >>> from index.embed import HashEmbedder
        >>> import tempfile
        >>> store = SentenceStore(Path(tempfile.mkdtemp()), HashEmbedder())
        >>> store.count()
        0
    """

    def __init__(
        self, directory: Path, embedder: Embedder, backend: ChromaBackend | None = None, sync_interval: float = 2.0
    ) -> None:
        self.directory = Path(directory)
        self.embedder = embedder
        self.backend = backend or ChromaBackend()
        self.shared: SharedRegistry | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.directory / "registry.sqlite3", check_same_thread=False)
            # Write-ahead log, synced at checkpoints rather than at every commit: each article is
            # its own transaction, and with the default rollback journal (three syncs per commit)
            # the commits took a third of a 100k-article ingest's time by 10k articles. A crash
            # of the process loses nothing committed; a power cut may lose the last commits, which
            # leaves orphan vectors that the next open deletes (``index.consistency``).
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Cannot open the index in {self.directory}: {exc}") from exc
        self._lock = threading.RLock()
        self._count: tuple[str, int] | None = None  # (generation, sentences)
        self._check_meta({"schema": SCHEMA_VERSION, "embedder": embedder.name, "dim": str(embedder.dim)})
        self._collection = self._open_chroma(sync_interval)
        self.listeners: list[StoreListener] = []
        if self.meta("member") is None:  # who wrote a vector (server mode: repair deletes only its own orphans)
            self.set_meta("member", uuid.uuid4().hex[:16])
        self.member = str(self.meta("member"))
        if self.shared is not None:  # server mode: this registry is a cache of the server's
            self.shared.pull(self)
        from index.consistency import repair

        self.repairs = repair(self)  # a crash mid-ingest leaves at most orphans; clear them now

    def _check_meta(self, expected: dict[str, str]) -> None:
        with self._lock, self._db:
            stored = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            if not stored:
                self._db.executemany("INSERT INTO meta VALUES (?, ?)", expected.items())
                return
        for key, value in expected.items():
            if stored.get(key) != value:
                raise StoreError(
                    f"The index in {self.directory} was built with {key}={stored.get(key)!r}, "
                    f"not {value!r}. Use another data directory or delete this one to rebuild it."
                )

    def _open_chroma(self, sync_interval: float) -> Any:
        from index.shared import SharedRegistry

        client = self.backend.client(self.directory)
        # embedding_function=None: we always pass vectors; chroma must never fetch its default model.
        collection = self.backend.open(client)
        if self.backend.is_server:
            self.shared = SharedRegistry(client, self.backend, self.embedder.name, self.embedder.dim, sync_interval)
        return collection

    @property
    def collection(self) -> Any:
        """The Chroma collection of sentence vectors (embedded or on the server)."""
        return self._collection

    # -- registry -----------------------------------------------------------------
    def find_existing(self, article: Article) -> tuple[str, str | None]:
        """``("unchanged", id)``, ``("changed", old_id)`` or ``("new", None)``."""
        digest = text_hash(article.text)
        self.refresh()
        with self._lock:
            row = self._db.execute(
                "SELECT id, content_hash FROM articles WHERE id = ?", (article.id,)
            ).fetchone()
            if row is None and article.path:
                row = self._db.execute(
                    "SELECT id, content_hash FROM articles WHERE path = ?", (article.path,)
                ).fetchone()
        if row is None:
            return "new", None
        return ("unchanged" if row[1] == digest else "changed"), row[0]

    def add(
        self,
        article: Article,
        sentences: Sequence[Sentence],
        attributions: Iterable[Attribution] = (),
        speakers: dict[int, str] | None = None,
        vectors: Any | None = None,
    ) -> None:
        """Store one article; on any failure nothing of it is left behind. ``vectors``: the
        sentences' vectors when the caller embedded them already (a batched ingest)."""
        if vectors is None:
            vectors = self.embedder.embed([s.text for s in sentences])
        error = self.add_many([(article, sentences, list(attributions), speakers or {}, vectors)])[0]
        if error is not None:
            raise error

    def add_many(self, items: Sequence[NewArticle]) -> list[Exception | None]:
        """Store several embedded articles: their vectors in one Chroma write (far cheaper than
        one per article), on a server their records in one write per collection, then each
        article's registry rows in its own transaction, so each article is stored or not on its own. Returns an error (or ``None``) per item; a failed
        article leaves nothing behind. A kill between the two steps leaves only orphan vectors,
        which the next open deletes (as for :meth:`add`)."""
        errors: list[Exception | None] = [None] * len(items)
        ready: list[tuple[int, list[str], list[Any], _Records]] = []  # (item, notes, prepared, records)
        for k, (article, sentences, attributions, speakers, vectors) in enumerate(items):
            try:
                notes = [_attribution_json(a) for a in attributions]
                prepared = [listener.prepare(article, sentences, vectors) for listener in self.listeners]
                ready.append((k, notes, prepared, self._records(article, sentences, speakers, vectors)))
            except Exception as exc:
                errors[k] = exc
        ids = [i for *_, mine in ready for i in mine[0]]
        metadatas: list[Any] = [m for *_, mine in ready for m in mine[2]]
        matrix = np.concatenate([mine[1] for *_, mine in ready]) if ready else np.zeros((0, self.embedder.dim))
        with self._lock:
            try:
                for start in range(0, len(ids), 2000):
                    end = start + 2000
                    self._collection.add(ids=ids[start:end], embeddings=matrix[start:end], metadatas=metadatas[start:end])
                if self.shared is not None:  # the server's records, after the vectors: the commit point of a shared add
                    self.shared.publish_many([(items[k][0], len(items[k][1]), notes, text_hash(items[k][0].text))
                                              for k, notes, *_ in ready])  # fmt: skip
            except Exception as exc:
                for k, *_ in ready:
                    if self.shared is not None:  # the records first (a member adopts nothing half-written)
                        self.shared.retract_quietly(items[k][0].id)
                    self._delete_vectors(items[k][0].id)
                if len(ready) == 1:
                    errors[ready[0][0]] = exc
                    return errors
                log.debug("a batched vector write failed; storing article by article", exc_info=True)
                for k, *_ in ready:  # one bad article must not fail the others
                    errors[k] = self.add_many([items[k]])[0]
                return errors
            for k, notes, prepared, _nodes in ready:
                article, sentences = items[k][0], items[k][1]
                try:
                    with self._db:
                        self._insert_rows(article, sentences, notes)
                        for listener, state in zip(self.listeners, prepared, strict=True):
                            listener.apply_add(article, sentences, state)
                except Exception as exc:
                    if self.shared is not None:
                        self.shared.retract_quietly(article.id)
                    self._delete_vectors(article.id)
                    for listener in self.listeners:
                        listener.apply_remove(article.id)
                    errors[k] = exc
        return errors

    def _records(self, article: Article, sentences: Sequence[Sentence], speakers: dict[int, str], vectors: Any) -> _Records:
        """One article's Chroma records: ids ``<article>:<index>``, a float32 matrix and the
        metadata a filter needs, no document. Against llama-index nodes (document, its trigram
        index, node JSON), 2,000 articles (74k sentences) were written at 1,023 instead of 526
        sentences/s, in 244 instead of 467 MB. Each metadata field is a row (and index entries)
        in Chroma's SQLite: 150k vectors were added at 1,241/s with the eight fields written
        before and 1,713/s with none, so the article id (filters, deletes) and a speaker (when
        there is one) are all the embedded store writes; the rest is read from the registry. A
        server also records the index, the offsets (a member adopting the article rebuilds its
        sentences from them) and the member that wrote it (its repair deletes only its own)."""
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(sentences), self.embedder.dim)
        metadatas: list[dict[str, str | int]] = []
        for s in sentences:
            meta: dict[str, str | int] = {"article_id": article.id}
            if speakers.get(s.index):
                meta["speaker"] = speakers[s.index]
            if self.shared is not None:
                meta.update({"index": s.index, "start": s.start, "end": s.end, "member": self.member})
            metadatas.append(meta)
        return [f"{article.id}:{s.index}" for s in sentences], matrix, metadatas

    def _insert_rows(self, article: Article, sentences: Sequence[Sentence], notes: Sequence[str]) -> None:
        """The registry rows of one article (inside the caller's transaction), and a new generation."""
        self._db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)",
            (article.id, article.title, article.date, article.source, article.author,
             article.path, text_hash(article.text), article.text, len(sentences), time.time()),
        )  # fmt: skip
        self._db.executemany(
            "INSERT OR REPLACE INTO sentences VALUES (?,?,?,?,?)",
            [(s.article_id, s.index, s.start, s.end, s.text) for s in sentences],
        )
        self._db.executemany("INSERT INTO attributions VALUES (?, ?)", [(article.id, n) for n in notes])
        self._bump_generation()

    def _delete_vectors(self, article_id: str) -> None:
        try:
            self._collection.delete(where={"article_id": article_id})
        except Exception:  # pragma: no cover - best effort clean-up
            log.exception("could not delete vectors of %s", article_id)

    def remove(self, article_id: str) -> None:
        """Remove an article: the registry commit first, then its vectors (a kill between the two
        leaves only orphan vectors, which the next open deletes)."""
        with self._lock:
            if not self.has(article_id):
                raise NotFoundError(f"No article with id {article_id!r} in the index.")
            if self.shared is not None:  # the server's record goes first: no member adopts a half-removed article
                self.shared.retract(article_id)
            self.forget_local(article_id)  # the registry commit ...
            self._delete_vectors(article_id)  # ... then the vectors (a kill between: orphans, deleted at open)

    def forget_local(self, article_id: str) -> None:
        """Drop one article from the registry and the listeners, leaving the vectors alone
        (``remove`` deletes them after this commit; a shared index's pull forgets what another
        member removed, whose vectors that member deletes)."""
        with self._lock, self._db:
            for table, column in (("articles", "id"), ("sentences", "article_id"), ("attributions", "article_id")):
                self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (article_id,))
            self._bump_generation()
            for listener in self.listeners:
                listener.apply_remove(article_id)

    def adopt_local(self, article: Article, sentences: Sequence[Sentence], notes: Sequence[str], vectors: Any) -> None:
        """Register an article whose vectors are already in the collection (another member of a
        shared index added it); ``notes`` are its attributions as JSON."""
        prepared = [listener.prepare(article, sentences, vectors) for listener in self.listeners]
        with self._lock, self._db:
            self._db.execute("DELETE FROM attributions WHERE article_id = ?", (article.id,))
            self._insert_rows(article, sentences, notes)
            for listener, state in zip(self.listeners, prepared, strict=True):
                listener.apply_add(article, sentences, state)

    def refresh(self) -> None:
        """Server mode: adopt other members' changes when ``sync_interval`` has passed (else a no-op)."""
        if self.shared is not None:
            self.shared.maybe_pull(self)

    def attribution_speakers(self, articles: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
        """``(article_id, speaker, source text)`` of every resolved attribution (of ``articles``
        only, when given), read by SQLite's JSON functions (no record is decoded in Python): what
        a speaker lookup is built from."""
        sql = ("SELECT article_id, json_extract(data, '$.speaker'), coalesce(json_extract(data, '$.source.text'), '') "
               "FROM attributions WHERE json_extract(data, '$.speaker_kind') != 'unresolved'")  # fmt: skip
        chunks = [[]] if articles is None else [list(articles[i : i + 500]) for i in range(0, len(articles), 500)]
        rows: list[Any] = []
        with self._lock:
            for chunk in chunks:
                where = f" AND article_id IN ({','.join('?' * len(chunk))})" if articles is not None else ""
                rows += self._db.execute(sql + where, chunk).fetchall()
        return [(str(a), str(s or ""), str(t or "")) for a, s, t in rows]

    def attribution_versions(self) -> dict[str, int]:
        """``article id -> the last rowid of its attribution rows``, for articles that have any:
        a value changes whenever the article's attributions are written again (an add, a
        replacement, a re-extraction), so a reader can tell what changed without decoding them."""
        with self._lock:
            return dict(self._db.execute("SELECT article_id, max(rowid) FROM attributions GROUP BY article_id").fetchall())

    def content_hashes(self) -> dict[str, str]:
        """``article id -> sha256 of its text`` for every registered article."""
        with self._lock:
            return dict(self._db.execute("SELECT id, content_hash FROM articles").fetchall())

    def _bump_generation(self) -> None:
        """Count a change (inside the caller's transaction): listeners' snapshots say which they hold."""
        self._db.execute(
            "INSERT INTO meta VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )

    def generation(self) -> str:
        """How many adds and removes the store has committed (``"0"`` for a new store)."""
        return self.meta("generation") or "0"

    def flush(self) -> None:
        """Save every listener's snapshot at the current generation."""
        with self._lock:
            generation = self.generation()
            for listener in self.listeners:
                listener.save(generation)

    def article_ids(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT id FROM articles ORDER BY added_at, id")]

    def registry_counts(self) -> dict[str, int]:
        """Article id → the number of sentences its registry row records (what the other
        components must hold for it)."""
        with self._lock:
            return {r[0]: int(r[1]) for r in self._db.execute("SELECT id, n_sentences FROM articles")}

    def ids_with_path(self, path: str) -> list[str]:
        """The ids of the stored articles read from ``path`` (two only after an interrupted replace)."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT id FROM articles WHERE path = ?", (path,))]

    def has(self, article_id: str) -> bool:
        with self._lock:
            return (
                self._db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None
            )

    def articles(self) -> list[ArticleInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, title, date, source, path, n_sentences FROM articles ORDER BY added_at, id"
            ).fetchall()
        return [ArticleInfo(*row) for row in rows]

    def article_info(self, article_id: str) -> ArticleInfo | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, title, date, source, path, n_sentences FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return ArticleInfo(*row) if row else None

    def article(self, article_id: str) -> Article:
        with self._lock:
            row = self._db.execute(
                "SELECT id, title, text, date, source, author, path FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"No article with id {article_id!r} in the index.")
        return Article(*row)

    def sentences(self, article_id: str, first: int = 0, last: int | None = None) -> list[Sentence]:
        """Sentences ``first..last`` (inclusive) of one article, in order."""
        last = 1 << 30 if last is None else last
        with self._lock:
            rows = self._db.execute(
                'SELECT article_id, idx, start, "end", text FROM sentences '
                "WHERE article_id = ? AND idx BETWEEN ? AND ? ORDER BY idx",
                (article_id, first, last),
            ).fetchall()
        return [Sentence(*row) for row in rows]

    def attributions(self, article_id: str | None = None) -> list[Attribution]:
        """The stored attributions (of one article, or all), in the order they were added."""
        with self._lock:
            if article_id is None:
                rows = self._db.execute("SELECT data FROM attributions").fetchall()
            else:
                rows = self._db.execute(
                    "SELECT data FROM attributions WHERE article_id = ?", (article_id,)
                ).fetchall()
        return [_attribution_from_json(row[0]) for row in rows]

    def meta(self, key: str) -> str | None:
        """A value of the index's ``meta`` table (``schema``, ``embedder``, ``extractor``…)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def replace_attributions(
        self, article_id: str, attributions: Iterable[Attribution], speakers: dict[int, str]
    ) -> None:
        """New attributions for a stored article (the extractor changed): the sentences and
        their vectors stay, the attribution rows and each node's ``speaker`` are replaced."""
        n = len(self.sentences(article_id))
        ids = [f"{article_id}:{i}" for i in range(n)]
        with self._lock:
            got: Any = self._collection.get(ids=ids, include=["metadatas"]) if ids else {"ids": []}
            metas: list[Any] = []
            for node_id, meta in zip(got["ids"], got.get("metadatas") or [], strict=True):
                metas.append({**(meta or {}), "speaker": speakers.get(_key(node_id)[1], "")})
            if metas:
                self._collection.update(ids=got["ids"], metadatas=metas)
            notes = [_attribution_json(a) for a in attributions]
            with self._db:
                self._db.execute("DELETE FROM attributions WHERE article_id = ?", (article_id,))
                self._db.executemany("INSERT INTO attributions VALUES (?, ?)", [(article_id, n) for n in notes])
                if self.shared is not None:
                    self.shared.replace_attributions(article_id, notes)

    def count(self) -> int:
        """Sentences in the registry, counted again only after a change (a count of 1.5M rows
        takes ~25 ms, and every search asks)."""
        with self._lock:
            generation = self.generation()
            if self._count is None or self._count[0] != generation:
                self._count = (generation, int(self._db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]))
            return self._count[1]

    # -- vectors ------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts`` from the store's embedder (L2-normalised rows)."""
        return self.embedder.embed(texts)

    def search(
        self, text: str, k: int, *, vector: Any | None = None, articles: set[str] | None = None
    ) -> list[SearchHit]:
        """The ``k`` sentences nearest to ``text`` (or its precomputed ``vector``), best first,
        only from ``articles`` when given."""
        self.refresh()
        total = self.count()
        if total == 0 or (articles is not None and not articles):
            return []
        if vector is None:
            vector = self.embed([text])[0]
        where = None if articles is None else {"article_id": {"$in": sorted(articles)}}
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        with self._lock:
            got: Any = self._collection.query(query_embeddings=query, n_results=min(k, total), where=where,
                                              include=["metadatas", "distances"])  # fmt: skip
        metas, distances = (got.get("metadatas") or [[]])[0], (got.get("distances") or [[]])[0]
        keys = [_key(node_id) for node_id in (got.get("ids") or [[]])[0]]
        rows = self._sentence_rows(keys)
        hits = []
        for key, meta, distance in zip(keys, metas, distances, strict=True):
            if key not in rows:  # an orphan vector, or (server) another member's article not pulled yet
                continue
            start, end, text, title, date = rows[key]
            # cosine space: distance = 1 - cosine
            hits.append(SearchHit(Sentence(key[0], key[1], start, end, text), 1.0 - float(distance),
                                  title, date, str((meta or {}).get("speaker") or "")))  # fmt: skip
        return hits

    def _sentence_rows(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], tuple[int, int, str, str, str]]:
        """The registry's ``(start, end, text, title, date)`` of each ``(article_id, index)`` it holds."""
        if not keys:
            return {}
        with self._lock:
            rows = self._db.execute(_texts_sql(len(keys)), [x for key in keys for x in key]).fetchall()
        return {(str(a), int(i)): (int(s), int(e), str(t), str(ti or ""), str(d or "")) for a, i, s, e, t, ti, d in rows}

    def vectors(self, article_id: str, indexes: Sequence[int]) -> Any:
        """The stored vectors of sentences ``indexes`` of one article, in that order."""
        found = self.sentence_vectors([(article_id, i) for i in indexes])
        rows = [found[(article_id, i)] for i in indexes]
        return np.array(rows, dtype=np.float32).reshape(len(rows), self.embedder.dim)

    def sentence_vectors(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]:
        """The stored vectors of the sentences ``(article_id, index)`` found in the collection
        (one read, any number of articles); a key with no vector is left out."""
        ids = list(dict.fromkeys(f"{a}:{i}" for a, i in keys))
        if not ids:
            return {}
        with self._lock:
            got: Any = self._collection.get(ids=ids, include=["embeddings"])
        out = {}
        for node_id, vector in zip(got["ids"], got["embeddings"], strict=True):
            out[_key(node_id)] = np.asarray(vector, dtype=np.float32)
        return out

    def speakers(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """The attributed speaker of each ``(article_id, index)`` that has one."""
        ids = [f"{a}:{i}" for a, i in keys]
        if not ids:
            return {}
        with self._lock:
            got: Any = self._collection.get(ids=ids, include=["metadatas"])
        out = {}
        for node_id, meta in zip(got["ids"], got.get("metadatas") or [], strict=True):
            if meta and meta.get("speaker"):
                out[_key(node_id)] = str(meta["speaker"])
        return out

    def close(self) -> None:
        with self._lock:
            self.flush()
            self._db.close()
