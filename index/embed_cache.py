"""A sentence-text → vector cache in front of an embedder, kept in SQLite beside the index.

Syndicated wire copy repeats sentences word for word across outlets; each distinct text is
embedded once. The cache also keeps the vectors of an ingest that was interrupted, so a resumed
ingest does not embed them again. It has the inner embedder's ``name`` and ``dim`` (the store
records those), so it can be put in front of one without rebuilding an index.

Example:
    >>> import tempfile
    >>> from index.embed import HashEmbedder
    >>> cached = CachedEmbedder(HashEmbedder(dim=16), Path(tempfile.mkdtemp()) / "cache.sqlite3")
    >>> first = cached.embed(["Asif spoke.", "Asif spoke.", "The BLA said."])
    >>> cached.misses, cached.hits
    (2, 1)
    >>> bool((cached.embed(["Asif spoke."])[0] == first[0]).all()), cached.hits
    (True, 2)
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embed import Embedder

#: Vectors kept in memory besides SQLite (about 1.5 kB each at dim 384): a recent working set.
MEMORY_ITEMS = 50_000


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class CachedEmbedder:
    """Any :class:`~index.embed.Embedder` with a persistent cache keyed by the text's hash."""

    def __init__(self, inner: Embedder, path: Path, memory_items: int = MEMORY_ITEMS) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.hits = 0
        self.misses = 0
        self._memory: dict[bytes, np.ndarray] = {}
        self._memory_items = memory_items
        self._lock = threading.Lock()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
            self._db.execute("PRAGMA journal_mode=WAL")

    def _remember(self, key: bytes, vector: np.ndarray) -> None:
        if len(self._memory) >= self._memory_items:
            self._memory.clear()
        self._memory[key] = vector

    def _stored(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
            for key, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape == (self.dim,):
                    found[bytes(key)] = vector
        return found

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts``: cached ones read back, each distinct new text embedded once."""
        keys = [_key(t) for t in texts]
        with self._lock:
            known = {k: self._memory[k] for k in keys if k in self._memory}
            known.update(self._stored([k for k in dict.fromkeys(keys) if k not in known]))
            todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
        if todo:
            fresh = self.inner.embed(list(todo.values()))
            with self._lock, self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(k, v.astype(np.float32).tobytes()) for k, v in zip(todo, fresh, strict=True)],
                )
            known.update(zip(todo, fresh, strict=True))
        with self._lock:
            for k, v in known.items():
                self._remember(k, v)
        self.misses += len(todo)
        self.hits += len(keys) - len(todo)
        rows = np.zeros((len(keys), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            rows[i] = known[k]
        return rows

    def close(self) -> None:
        with self._lock:
            self._db.close()
