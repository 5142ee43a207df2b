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
JSON and Chroma metadata stay inside the store: this module (vectors, and the transactions
that keep them, the registry and the listeners in step), :mod:`index.registry` (the SQLite
registry it holds) and :mod:`index.store_records` (records, helpers), whose names it re-exports.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.backend import ChromaBackend
from index.embed import Embedder
from index.errors import NotFoundError
from index.registry import _SCHEMA as _SCHEMA  # `as`: re-exported, defined here before
from index.registry import SCHEMA_VERSION, Registry
from index.registry import _texts_sql as _texts_sql
from index.store_records import (
    ArticleInfo,
    NewArticle,
    SearchHit,
    StoreListener,
    _attribution_json,
    _key,
    _Records,
    text_hash,
)
from index.store_records import _attribution_from_json as _attribution_from_json
from index.types import Article, Sentence

if TYPE_CHECKING:
    from index.attribution import Attribution
    from index.shared import SharedRegistry

log = logging.getLogger(__name__)


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
        self.registry = Registry(self.directory)
        self._lock = self.registry.lock  # one lock over the registry and the collection
        self.registry.check_meta({"schema": SCHEMA_VERSION, "embedder": embedder.name, "dim": str(embedder.dim)})
        self._collection = self._open_chroma(sync_interval)
        self.listeners: list[StoreListener] = []
        if self.meta("member") is None:  # who wrote a vector (server mode: repair deletes only its own orphans)
            self.set_meta("member", uuid.uuid4().hex[:16])
        self.member = str(self.meta("member"))
        if self.shared is not None:  # server mode: this registry is a cache of the server's
            self.shared.pull(self)
        from index.consistency import repair

        self.repairs = repair(self)  # a crash mid-ingest leaves at most orphans; clear them now

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

    # The registry's connection and row writes by their old names (index.consistency, tests).
    @property
    def _db(self) -> sqlite3.Connection:
        return self.registry.db

    def _insert_rows(self, article: Article, sentences: Sequence[Sentence], notes: Sequence[str]) -> None:
        """The registry rows of one article (inside the caller's transaction), and a new generation."""
        self.registry.insert_rows(article, sentences, notes)

    # -- registry -----------------------------------------------------------------
    def find_existing(self, article: Article) -> tuple[str, str | None]:
        """``("unchanged", id)``, ``("changed", old_id)`` or ``("new", None)``."""
        self.refresh()
        return self.registry.find_existing(article)

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
                    with self.registry.db:
                        self.registry.insert_rows(article, sentences, notes)
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
        with self._lock, self.registry.db:
            self.registry.delete_rows(article_id)
            for listener in self.listeners:
                listener.apply_remove(article_id)

    def adopt_local(self, article: Article, sentences: Sequence[Sentence], notes: Sequence[str], vectors: Any) -> None:
        """Register an article whose vectors are already in the collection (another member of a
        shared index added it); ``notes`` are its attributions as JSON."""
        prepared = [listener.prepare(article, sentences, vectors) for listener in self.listeners]
        with self._lock, self.registry.db:
            self.registry.delete_attributions(article.id)
            self.registry.insert_rows(article, sentences, notes)
            for listener, state in zip(self.listeners, prepared, strict=True):
                listener.apply_add(article, sentences, state)

    def refresh(self) -> None:
        """Server mode: adopt other members' changes when ``sync_interval`` has passed (else a no-op)."""
        if self.shared is not None:
            self.shared.maybe_pull(self)

    def flush(self) -> None:
        """Save every listener's snapshot at the current generation."""
        with self._lock:
            generation = self.generation()
            for listener in self.listeners:
                listener.save(generation)

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
            with self.registry.db:
                self.registry.write_attributions(article_id, notes)
                if self.shared is not None:
                    self.shared.replace_attributions(article_id, notes)

    # -- registry reads, delegated to :class:`~index.registry.Registry` ----------------
    def meta(self, key: str) -> str | None:
        """A value of the index's ``meta`` table (``schema``, ``embedder``, ``extractor``…)."""
        return self.registry.meta(key)

    def set_meta(self, key: str, value: str) -> None:
        self.registry.set_meta(key, value)

    def attribution_generation(self) -> str:
        """Moves whenever an article's attributions are replaced (a re-extraction), which leaves
        :meth:`generation`, and so the BM25 and passage snapshots, as they are."""
        return self.registry.attribution_generation()

    def generation(self) -> str:
        """How many adds and removes the store has committed (``"0"`` for a new store)."""
        return self.registry.generation()

    def count(self) -> int:
        """Sentences in the registry, counted again only after a change."""
        return self.registry.count()

    def attribution_speakers(self, articles: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
        """``(article_id, speaker, source text)`` of every resolved attribution (of ``articles``)."""
        return self.registry.attribution_speakers(articles)

    def attribution_versions(self) -> dict[str, int]:
        """``article id -> the last rowid of its attribution rows`` (changes when they are rewritten)."""
        return self.registry.attribution_versions()

    def content_hashes(self) -> dict[str, str]:
        """``article id -> sha256 of its text`` for every registered article."""
        return self.registry.content_hashes()

    def article_ids(self) -> list[str]:
        return self.registry.article_ids()

    def registry_counts(self) -> dict[str, int]:
        """Article id → the number of sentences its registry row records."""
        return self.registry.registry_counts()

    def ids_with_path(self, path: str) -> list[str]:
        """The ids of the stored articles read from ``path`` (two only after an interrupted replace)."""
        return self.registry.ids_with_path(path)

    def has(self, article_id: str) -> bool:
        return self.registry.has(article_id)

    def articles(self) -> list[ArticleInfo]:
        return self.registry.articles()

    def article_info(self, article_id: str) -> ArticleInfo | None:
        return self.registry.article_info(article_id)

    def article(self, article_id: str) -> Article:
        return self.registry.article(article_id)

    def sentences(self, article_id: str, first: int = 0, last: int | None = None) -> list[Sentence]:
        """Sentences ``first..last`` (inclusive) of one article, in order."""
        return self.registry.sentences(article_id, first, last)

    def attributions(self, article_id: str | None = None) -> list[Attribution]:
        """The stored attributions (of one article, or all), in the order they were added."""
        return self.registry.attributions(article_id)

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
        return self.registry.sentence_rows(keys)

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
            self.registry.close()
