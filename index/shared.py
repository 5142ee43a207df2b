"""The article registry on a shared Chroma server, and each client's local copy of it.

In server mode the server holds everything a team shares, in four collections:

- ``<name>``: one vector per sentence (text, offsets, title, date, speaker in its metadata);
- ``<name>-articles``: one record per article (text as the document; title, date, source,
  author, path, content hash and sentence count as metadata);
- ``<name>-attributions``: one record per article, its attributions as a JSON document;
- ``<name>-meta``: one record, ``version``: the embedder the index was built with and a token
  that every add and remove replaces.

Each client keeps its own SQLite registry and BM25/passage snapshots in its data directory as a
*cache* of the server: :meth:`SharedRegistry.pull` (on open, and before a search once
``interval`` seconds have passed and the server's version token changed) adopts the articles
other members added and forgets the ones they removed. The order of writes makes the
``-articles`` record the commit point: an add writes the vectors first and the record last, a
remove deletes the record first; a client only adopts articles that have a record.

Limits (there is no transaction across clients): two members replacing the same article at the
same moment leave whichever wrote last; a member that crashes between writing vectors and the
record leaves orphan vectors that no search returns (their article is unknown to every
registry) until the article is added again; the attribution extractor version is per client.

Example:
    >>> SharedRegistry.SUFFIXES
    ('-articles', '-attributions', '-meta')
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from index.backend import ChromaBackend
from index.errors import StoreError
from index.types import Article, Sentence

if TYPE_CHECKING:
    from index.store import SentenceStore

log = logging.getLogger(__name__)

_FIELDS = ("title", "date", "source", "author", "path")
_BATCH = 64
#: Registry records carry a one-number placeholder vector: a record without one would make Chroma
#: embed its document with its default (downloaded) model.
_NO_VECTOR = [1.0]


class SharedRegistry:
    """The server-side registry of one shared index (see the module docstring).

    Example:
        >>> reg = SharedRegistry(client, ChromaBackend("server"), "hash", 128)  # doctest: +SKIP
        >>> reg.pull(store)                                                     # doctest: +SKIP
        (3, 0)
    """

    SUFFIXES = ("-articles", "-attributions", "-meta")

    def __init__(self, client: Any, backend: ChromaBackend, embedder: str, dim: int, interval: float = 2.0) -> None:
        self.articles = backend.open(client, "-articles", cosine=False)
        self.attributions = backend.open(client, "-attributions", cosine=False)
        self.meta = backend.open(client, "-meta", cosine=False)
        self.interval = interval
        self._seen: str | None = None
        self._checked = 0.0
        self._check_embedder(backend, embedder, dim)

    def _check_embedder(self, backend: ChromaBackend, embedder: str, dim: int) -> None:
        got = self.meta.get(ids=["version"], include=["metadatas"])
        if not got["ids"]:
            self.meta.upsert(ids=["version"], embeddings=[_NO_VECTOR], documents=[""],
                             metadatas=[{"embedder": embedder, "dim": dim, "token": "0"}])  # fmt: skip
            return
        meta = got["metadatas"][0]
        if meta.get("embedder") != embedder or int(meta.get("dim", 0)) != dim:
            raise StoreError(
                f"The shared index {backend.describe()} was built with embedder={meta.get('embedder')!r} "
                f"(dim {meta.get('dim')}), not {embedder!r} (dim {dim}). Use another collection name."
            )

    def _token(self) -> str:
        got = self.meta.get(ids=["version"], include=["metadatas"])
        return str(got["metadatas"][0].get("token", "")) if got["ids"] else ""

    def _bump(self) -> None:
        got = self.meta.get(ids=["version"], include=["metadatas"])
        meta = dict(got["metadatas"][0]) if got["ids"] else {}
        meta["token"] = uuid.uuid4().hex
        self.meta.upsert(ids=["version"], embeddings=[_NO_VECTOR], documents=[""], metadatas=[meta])

    # -- writes (inside the store's transaction: a failure rolls the local registry back) -----
    def publish(self, article: Article, n_sentences: int, attributions_json: Sequence[str], digest: str) -> None:
        """Record one article on the server, after its vectors: the commit point of an add."""
        self.publish_many([(article, n_sentences, attributions_json, digest)])

    def publish_many(self, records: Sequence[tuple[Article, int, Sequence[str], str]]) -> None:
        """Record several articles ``(article, n_sentences, attributions_json, digest)`` in one
        write per collection and one version bump (each round trip to a local server costs ~30 ms;
        four per article made server writes 4x slower than the vectors alone)."""
        if not records:
            return
        metas: list[Any] = []
        for article, n_sentences, _notes, digest in records:
            meta: dict[str, Any] = {f: getattr(article, f) for f in _FIELDS}
            meta.update(content_hash=digest, n_sentences=n_sentences, added_at=time.time())
            metas.append(meta)
        ids = [article.id for article, *_ in records]
        no_vectors = [_NO_VECTOR] * len(ids)
        self.attributions.upsert(ids=ids, embeddings=no_vectors,
                                 documents=["[" + ",".join(notes) + "]" for _a, _n, notes, _d in records])  # fmt: skip
        self.articles.upsert(ids=ids, embeddings=no_vectors, documents=[a.text for a, *_ in records], metadatas=metas)
        self._bump()

    def retract(self, article_id: str) -> None:
        """Drop one article's record (before its vectors): the commit point of a remove."""
        self.articles.delete(ids=[article_id])
        self.attributions.delete(ids=[article_id])
        self._bump()

    def retract_quietly(self, article_id: str) -> None:
        """Undo a failed add's record (best effort: the add's error is the one to report)."""
        try:
            self.retract(article_id)
        except Exception:  # pragma: no cover - the server went away mid-add
            log.exception("could not drop the shared record of %s", article_id)

    def replace_attributions(self, article_id: str, attributions_json: Sequence[str]) -> None:
        self.attributions.upsert(ids=[article_id], embeddings=[_NO_VECTOR], documents=["[" + ",".join(attributions_json) + "]"])
        self._bump()

    # -- reads --------------------------------------------------------------------------
    def maybe_pull(self, store: SentenceStore) -> None:
        """Pull when ``interval`` seconds have passed since the last check and the token moved."""
        now = time.monotonic()
        if now - self._checked < self.interval:
            return
        self._checked = now
        if self._token() != self._seen:
            self.pull(store)

    def pull(self, store: SentenceStore) -> tuple[int, int]:
        """Bring ``store``'s local registry in step with the server: ``(adopted, forgotten)``."""
        token = self._token()
        got = self.articles.get(include=["metadatas"])
        server = {aid: str(m.get("content_hash", "")) for aid, m in zip(got["ids"], got["metadatas"], strict=True)}
        local = store.content_hashes()
        gone = [aid for aid, digest in local.items() if server.get(aid) != digest]
        for aid in gone:
            store.forget_local(aid)
        missing = [aid for aid, digest in server.items() if local.get(aid) != digest]
        for start in range(0, len(missing), _BATCH):
            self._adopt(store, missing[start : start + _BATCH])
        self._seen = token
        if gone or missing:
            log.info("shared index: adopted %d articles, forgot %d", len(missing), len(gone))
        return len(missing), len(gone)

    def _adopt(self, store: SentenceStore, ids: list[str]) -> None:
        records = self.articles.get(ids=ids, include=["documents", "metadatas"])
        notes = self.attributions.get(ids=ids, include=["documents"])
        attributions = dict(zip(notes["ids"], notes["documents"], strict=True))
        rows = store.collection.get(where={"article_id": {"$in": ids}}, include=["metadatas", "embeddings"])
        by_article: dict[str, list[tuple[int, int, int, Any]]] = {}
        for meta, vector in zip(rows["metadatas"], rows["embeddings"], strict=True):
            aid = str(meta["article_id"])
            by_article.setdefault(aid, []).append((int(meta["index"]), int(meta["start"]), int(meta["end"]), vector))
        for aid, text, meta in zip(records["ids"], records["documents"], records["metadatas"], strict=True):
            # a sentence's text is its span of the article (index.segment), not a stored copy
            pairs = [(Sentence(aid, i, start, end, text[start:end]), vector)
                     for i, start, end, vector in sorted(by_article.get(aid, []), key=lambda r: r[0])]  # fmt: skip
            if len(pairs) != int(meta.get("n_sentences", -1)):
                log.warning("shared index: %s has %d of %s sentence vectors; not adopted yet",
                            aid, len(pairs), meta.get("n_sentences"))  # fmt: skip
                continue
            article = Article(aid, text=text, **{f: str(meta.get(f, "")) for f in _FIELDS})
            vectors = np.array([v for _, v in pairs], dtype=np.float32).reshape(len(pairs), -1)
            notes = [json.dumps(a) for a in json.loads(attributions.get(aid) or "[]")]
            store.adopt_local(article, [s for s, _ in pairs], notes, vectors)
