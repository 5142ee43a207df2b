"""Integrity of the store after a crash: what each component holds, and the repair at open.

An article is committed when its registry row is (SQLite: the row, its sentences and its
attributions are one transaction). Vectors are written to Chroma just before that commit and
deleted just after a removal's commit, so a kill at any moment can only leave *orphan* vectors
(vectors of an article the registry does not hold) or, if Chroma itself lost a write, an article
with missing vectors. :func:`repair` removes both (the next ingest re-adds a removed article), so
after every open the components agree. Another component (a BM25 index) joins by adding its ids
to :func:`component_ids`.

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


def _vector_ids(store: SentenceStore) -> list[str]:
    got = store._collection.get(include=[])  # ids only
    return [str(i) for i in got.get("ids") or []]


def sentence_counts(store: SentenceStore) -> dict[str, Counter[str]]:
    """Per component, article id → how many entries (sentences, vectors, attribution rows) it holds;
    ``registry`` holds each article's recorded ``n_sentences``."""
    with store._lock:
        registry = Counter({r[0]: int(r[1]) for r in store._db.execute("SELECT id, n_sentences FROM articles")})
        sentences = Counter({r[0]: int(r[1]) for r in store._db.execute(
            "SELECT article_id, COUNT(*) FROM sentences GROUP BY article_id")})  # fmt: skip
        attributions = Counter({r[0]: int(r[1]) for r in store._db.execute(
            "SELECT article_id, COUNT(*) FROM attributions GROUP BY article_id")})  # fmt: skip
        vectors = Counter(i.rsplit(":", 1)[0] for i in _vector_ids(store))
    return {"registry": registry, "sentences": sentences, "vectors": vectors, "attributions": attributions}


def component_ids(store: SentenceStore) -> dict[str, set[str]]:
    """The article ids each component holds (``attributions``: only articles that have some)."""
    return {name: set(counts) for name, counts in sentence_counts(store).items()}


def problems(store: SentenceStore) -> list[str]:
    """What does not agree (empty when registry, sentences, vectors and attributions match)."""
    counts = sentence_counts(store)
    registry = counts["registry"]
    found = []
    for name in ("sentences", "vectors"):
        for article_id in sorted(set(registry) | set(counts[name])):
            if counts[name].get(article_id, 0) != registry.get(article_id, 0):
                found.append(f"{name} of {article_id}: {counts[name].get(article_id, 0)}, "
                             f"registry says {registry.get(article_id, 0)}")  # fmt: skip
    found += [f"attributions of unknown article {a}" for a in sorted(set(counts["attributions"]) - set(registry))]
    return found


def repair(store: SentenceStore) -> list[str]:
    """Make the components agree again; returns what was done (logged as warnings)."""
    counts = sentence_counts(store)
    registry = counts["registry"]
    done: list[str] = []
    orphans = [i for i in _vector_ids(store) if i.rsplit(":", 1)[0] not in registry]
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
    for line in done:
        log.warning("index repair: %s", line)
    return done
