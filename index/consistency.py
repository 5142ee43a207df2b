"""Integrity of the store after a crash: what each component holds, and the repair at open.

An article is committed when its registry row is (SQLite: the row, its sentences, its
attributions and the store's *generation* bump are one transaction). Vectors are written to
Chroma just before that commit and deleted just after a removal's commit, so a kill at any moment
can only leave *orphan* vectors (vectors of an article the registry does not hold) or, if Chroma
itself lost a write, an article with missing vectors. :func:`repair` removes both (the next ingest
re-adds a removed article). The BM25 and passage indexes (store listeners, :mod:`index.hybrid`)
live in memory and are saved with the generation they hold; after a kill their snapshot is of an
older generation and is rebuilt from the registry when they attach, and :func:`repair` rebuilds
any listener whose articles or sentence counts disagree with the registry. So after every open,
registry, sentences, vectors, BM25, passages and attributions agree.

Server mode (:mod:`index.shared`): the collection also holds the vectors of other members'
articles, including adds still in flight (their vectors are written before their record), so
only the vectors of the articles this registry holds are compared with it, and the repair
deletes only orphan vectors this member wrote (each vector records its ``member``); the open
pulls the server's registry before the repair.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from index.embed import HashEmbedder
    >>> from index.store import SentenceStore
    >>> store = SentenceStore(Path(tempfile.mkdtemp()), HashEmbedder())
    >>> problems(store)
    []
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.store import SentenceStore

log = logging.getLogger(__name__)
#: The components that hold one entry per sentence (checked against the registry's count).
PER_SENTENCE = ("sentences", "vectors", "bm25", "passages")


def _vector_ids(store: SentenceStore, *, mine: bool = False) -> list[str]:
    """Every vector id of the collection (``mine``: in server mode, only those this member wrote)."""
    where = {"member": store.member} if mine and store.shared is not None else None
    with store._lock:
        got = store._collection.get(include=[], where=where)  # ids only
    return [str(i) for i in got.get("ids") or []]


def sentence_counts(store: SentenceStore) -> dict[str, Counter[str]]:
    """Per component, article id → how many entries (sentences, vectors, BM25 rows, sentences in
    passages, attribution rows) it holds; ``registry`` holds each article's recorded
    ``n_sentences``. ``bm25`` and ``passages`` appear when a listener (:mod:`index.hybrid`) is attached."""
    with store._lock:
        registry = Counter(store.registry_counts())
        sentences = Counter({r[0]: int(r[1]) for r in store._db.execute(
            "SELECT article_id, COUNT(*) FROM sentences GROUP BY article_id")})  # fmt: skip
        attributions = Counter({r[0]: int(r[1]) for r in store._db.execute(
            "SELECT article_id, COUNT(*) FROM attributions GROUP BY article_id")})  # fmt: skip
        vectors = Counter(i.rsplit(":", 1)[0] for i in _vector_ids(store))
        if store.shared is not None:  # other members' articles (and adds in flight) are theirs
            vectors = Counter({a: n for a, n in vectors.items() if a in registry})
        counts = {"registry": registry, "sentences": sentences, "vectors": vectors, "attributions": attributions}
        for listener in store.listeners:
            for name, per_article in listener.counts().items():
                counts[name] = Counter(per_article)
    return counts


def component_ids(store: SentenceStore) -> dict[str, set[str]]:
    """The article ids each component holds (``attributions``: only articles that have some)."""
    return {name: set(counts) for name, counts in sentence_counts(store).items()}


def _disagreements(counts: dict[str, Counter[str]], name: str) -> list[str]:
    registry, found = counts["registry"], counts[name]
    return [f"{name} of {aid}: {found.get(aid, 0)}, registry says {registry.get(aid, 0)}"
            for aid in sorted(set(registry) | set(found)) if found.get(aid, 0) != registry.get(aid, 0)]  # fmt: skip


def problems(store: SentenceStore) -> list[str]:
    """What does not agree (empty when registry, sentences, vectors, BM25, passages and
    attributions match)."""
    counts = sentence_counts(store)
    found = [line for name in PER_SENTENCE if name in counts for line in _disagreements(counts, name)]
    found += [f"attributions of unknown article {a}" for a in sorted(set(counts["attributions"]) - set(counts["registry"]))]
    return found


def repair(store: SentenceStore) -> list[str]:
    """Make the components agree again; returns what was done (logged as warnings)."""
    counts = sentence_counts(store)
    registry = counts["registry"]
    done: list[str] = []
    orphans = [i for i in _vector_ids(store, mine=True) if i.rsplit(":", 1)[0] not in registry]
    if orphans:
        with store._lock:
            for start in range(0, len(orphans), 5000):
                store._collection.delete(ids=orphans[start : start + 5000])
        done.append(f"deleted {len(orphans)} vectors of articles that were never committed")
    broken = sorted(a for a in registry if counts["vectors"].get(a, 0) != registry[a]
                    or counts["sentences"].get(a, 0) != registry[a])  # fmt: skip
    for article_id in broken:
        store.remove(article_id)
        done.append(f"removed {article_id} (incomplete; the next ingest adds it again)")
    with store._lock, store._db:
        for table in ("sentences", "attributions"):
            cur = store._db.execute(f"DELETE FROM {table} WHERE article_id NOT IN (SELECT id FROM articles)")
            if cur.rowcount:
                done.append(f"deleted {cur.rowcount} {table} rows of unknown articles")
    with store._lock:
        registry = Counter(store.registry_counts())
        for listener in store.listeners:
            wrong = sorted(n for n, per_article in listener.counts().items() if Counter(per_article) != registry)
            if wrong:
                listener.sync(store, force=True)
                done.append(f"rebuilt {' and '.join(wrong)} from the registry ({len(registry)} articles)")
    for line in done:
        log.warning("index repair: %s", line)
    return done
