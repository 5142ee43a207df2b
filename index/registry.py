"""The SQLite article registry of a :class:`~index.store.SentenceStore`: what must be exact.

One row per article (its text, title, date, path and content hash), its sentences (offsets and
text), its attributions (JSON) and the ``meta`` table (schema, embedder, generation…), in
``registry.sqlite3``. :class:`~index.store.SentenceStore` holds one and delegates its registry
reads to it; the row writes run inside the store's transaction (``with registry.db:``), so that
they commit together with the listeners' changes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import NotFoundError, StoreError
from index.store_records import ArticleInfo, _attribution_from_json, text_hash
from index.types import Article, Sentence

if TYPE_CHECKING:
    from index.attribution import Attribution

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


def _texts_sql(n: int) -> str:
    """Offsets, text, title and date of ``n`` ``(article_id, idx)`` keys: a join on the keys, so
    that each is one primary-key search (``(article_id, idx) IN (VALUES ...)`` scans the whole table)."""
    values = ",".join("(?,?)" for _ in range(n))
    return (f"WITH k(a, i) AS (VALUES {values}) "
            'SELECT s.article_id, s.idx, s.start, s."end", s.text, a.title, a.date FROM k '
            "JOIN sentences s ON s.article_id = k.a AND s.idx = k.i JOIN articles a ON a.id = s.article_id")  # fmt: skip


class Registry:
    """The article registry under one directory: ``db`` (the SQLite connection) behind ``lock``
    (an RLock the store also holds over its vectors).

    Example:
        >>> import tempfile
        >>> registry = Registry(Path(tempfile.mkdtemp()))
        >>> registry.articles(), registry.count(), registry.generation()
        ([], 0, '0')
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.directory / "registry.sqlite3", check_same_thread=False)
            # Write-ahead log, synced at checkpoints rather than at every commit: each article is
            # its own transaction, and with the default rollback journal (three syncs per commit)
            # the commits took a third of a 100k-article ingest's time by 10k articles. A crash
            # of the process loses nothing committed; a power cut may lose the last commits, which
            # leaves orphan vectors that the next open deletes (``index.consistency``).
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Cannot open the index in {self.directory}: {exc}") from exc
        self.lock = threading.RLock()
        self._count: tuple[str, int] | None = None  # (generation, sentences)

    def check_meta(self, expected: dict[str, str]) -> None:
        """Record ``expected`` in a new registry; in an existing one, raise :class:`StoreError`
        when a value differs (the index was built with another schema or embedder)."""
        with self.lock, self.db:
            stored = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
            if not stored:
                self.db.executemany("INSERT INTO meta VALUES (?, ?)", expected.items())
                return
        for key, value in expected.items():
            if stored.get(key) != value:
                raise StoreError(
                    f"The index in {self.directory} was built with {key}={stored.get(key)!r}, "
                    f"not {value!r}. Use another data directory or delete this one to rebuild it."
                )

    def meta(self, key: str) -> str | None:
        """A value of the index's ``meta`` table (``schema``, ``embedder``, ``extractor``…)."""
        with self.lock:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.lock, self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def bump_generation(self) -> None:
        """Count a change (inside the caller's transaction): listeners' snapshots say which they hold."""
        self._bump("generation")

    def _bump(self, key: str) -> None:
        """Add one to the counter ``key`` of ``meta`` (inside the caller's transaction)."""
        self.db.execute(
            "INSERT INTO meta VALUES (?, '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
            (key,),
        )

    def generation(self) -> str:
        """How many adds and removes the store has committed (``"0"`` for a new store)."""
        return self.meta("generation") or "0"

    def attribution_generation(self) -> str:
        """How many times an article's attributions were replaced (re-extractions)."""
        return self.meta("attributions") or "0"

    # -- row writes (inside the caller's transaction) --------------------------------
    def insert_rows(self, article: Article, sentences: Sequence[Sentence], notes: Sequence[str]) -> None:
        """The registry rows of one article (inside the caller's transaction), and a new generation."""
        self.db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)",
            (article.id, article.title, article.date, article.source, article.author,
             article.path, text_hash(article.text), article.text, len(sentences), time.time()),
        )  # fmt: skip
        self.db.executemany(
            "INSERT OR REPLACE INTO sentences VALUES (?,?,?,?,?)",
            [(s.article_id, s.index, s.start, s.end, s.text) for s in sentences],
        )
        self._insert_attributions(article.id, notes)
        self.bump_generation()

    def delete_rows(self, article_id: str) -> None:
        """Every row of one article (inside the caller's transaction), and a new generation."""
        for table, column in (("articles", "id"), ("sentences", "article_id"), ("attributions", "article_id")):
            self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", (article_id,))
        self.bump_generation()

    def delete_attributions(self, article_id: str) -> None:
        """The attribution rows of one article (inside the caller's transaction)."""
        self.db.execute("DELETE FROM attributions WHERE article_id = ?", (article_id,))

    def _insert_attributions(self, article_id: str, notes: Sequence[str]) -> None:
        """Rows numbered past every row ever written, so that an article's last rowid is a version
        that moves on every write (SQLite hands the largest rowid out again once its row is
        deleted: a replaced article that held the last rows kept its version)."""
        last = self.db.execute("SELECT coalesce(max(rowid), 0) FROM attributions").fetchone()[0]
        first = max(int(last), int(self.meta("attribution_rows") or 0)) + 1
        self.db.executemany("INSERT INTO attributions (rowid, article_id, data) VALUES (?, ?, ?)",
                            [(first + k, article_id, n) for k, n in enumerate(notes)])  # fmt: skip
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('attribution_rows', ?)", (str(first + len(notes) - 1),))

    def write_attributions(self, article_id: str, notes: Sequence[str]) -> None:
        """Replace one article's attribution rows by ``notes`` (JSON; inside the caller's transaction)."""
        self.delete_attributions(article_id)
        self._insert_attributions(article_id, notes)
        self._bump("attributions")  # a re-extraction: attributions change without an add or remove

    # -- reads -------------------------------------------------------------------
    def find_existing(self, article: Article) -> tuple[str, str | None]:
        """``("unchanged", id)``, ``("changed", old_id)`` or ``("new", None)``: by id, else by path."""
        digest = text_hash(article.text)
        with self.lock:
            row = self.db.execute(
                "SELECT id, content_hash FROM articles WHERE id = ?", (article.id,)
            ).fetchone()
            if row is None and article.path:
                row = self.db.execute(
                    "SELECT id, content_hash FROM articles WHERE path = ?", (article.path,)
                ).fetchone()
        if row is None:
            return "new", None
        return ("unchanged" if row[1] == digest else "changed"), row[0]

    def attribution_speakers(self, articles: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
        """``(article_id, speaker, source text)`` of every resolved attribution (of ``articles``
        only, when given), read by SQLite's JSON functions (no record is decoded in Python): what
        a speaker lookup is built from."""
        sql = ("SELECT article_id, json_extract(data, '$.speaker'), coalesce(json_extract(data, '$.source.text'), '') "
               "FROM attributions WHERE json_extract(data, '$.speaker_kind') != 'unresolved'")  # fmt: skip
        chunks = [[]] if articles is None else [list(articles[i : i + 500]) for i in range(0, len(articles), 500)]
        rows: list[Any] = []
        with self.lock:
            for chunk in chunks:
                where = f" AND article_id IN ({','.join('?' * len(chunk))})" if articles is not None else ""
                rows += self.db.execute(sql + where, chunk).fetchall()
        return [(str(a), str(s or ""), str(t or "")) for a, s, t in rows]

    def attribution_versions(self) -> dict[str, int]:
        """``article id -> the last rowid of its attribution rows``, for articles that have any:
        a value changes whenever the article's attributions are written again (an add, a
        replacement, a re-extraction), so a reader can tell what changed without decoding them."""
        with self.lock:
            return dict(self.db.execute("SELECT article_id, max(rowid) FROM attributions GROUP BY article_id").fetchall())

    def content_hashes(self) -> dict[str, str]:
        """``article id -> sha256 of its text`` for every registered article."""
        with self.lock:
            return dict(self.db.execute("SELECT id, content_hash FROM articles").fetchall())

    def article_ids(self) -> list[str]:
        with self.lock:
            return [row[0] for row in self.db.execute("SELECT id FROM articles ORDER BY added_at, id")]

    def registry_counts(self) -> dict[str, int]:
        """Article id → the number of sentences its registry row records (what the other
        components must hold for it)."""
        with self.lock:
            return {r[0]: int(r[1]) for r in self.db.execute("SELECT id, n_sentences FROM articles")}

    def ids_with_path(self, path: str) -> list[str]:
        """The ids of the stored articles read from ``path`` (two only after an interrupted replace)."""
        with self.lock:
            return [r[0] for r in self.db.execute("SELECT id FROM articles WHERE path = ?", (path,))]

    def has(self, article_id: str) -> bool:
        with self.lock:
            return (
                self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None
            )

    def articles(self) -> list[ArticleInfo]:
        with self.lock:
            rows = self.db.execute(
                "SELECT id, title, date, source, path, n_sentences FROM articles ORDER BY added_at, id"
            ).fetchall()
        return [ArticleInfo(*row) for row in rows]

    def article_info(self, article_id: str) -> ArticleInfo | None:
        with self.lock:
            row = self.db.execute(
                "SELECT id, title, date, source, path, n_sentences FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return ArticleInfo(*row) if row else None

    def article(self, article_id: str) -> Article:
        with self.lock:
            row = self.db.execute(
                "SELECT id, title, text, date, source, author, path FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"No article with id {article_id!r} in the index.")
        return Article(*row)

    def sentences(self, article_id: str, first: int = 0, last: int | None = None) -> list[Sentence]:
        """Sentences ``first..last`` (inclusive) of one article, in order."""
        last = 1 << 30 if last is None else last
        with self.lock:
            rows = self.db.execute(
                'SELECT article_id, idx, start, "end", text FROM sentences '
                "WHERE article_id = ? AND idx BETWEEN ? AND ? ORDER BY idx",
                (article_id, first, last),
            ).fetchall()
        return [Sentence(*row) for row in rows]

    def attributions(self, article_id: str | None = None) -> list[Attribution]:
        """The stored attributions (of one article, or all), in the order they were added."""
        with self.lock:
            if article_id is None:
                rows = self.db.execute("SELECT data FROM attributions").fetchall()
            else:
                rows = self.db.execute(
                    "SELECT data FROM attributions WHERE article_id = ?", (article_id,)
                ).fetchall()
        return [_attribution_from_json(row[0]) for row in rows]

    def count(self) -> int:
        """Sentences in the registry, counted again only after a change (a count of 1.5M rows
        takes ~25 ms, and every search asks)."""
        with self.lock:
            generation = self.generation()
            if self._count is None or self._count[0] != generation:
                self._count = (generation, int(self.db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]))
            return self._count[1]

    def sentence_rows(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], tuple[int, int, str, str, str]]:
        """The registry's ``(start, end, text, title, date)`` of each ``(article_id, index)`` it holds."""
        if not keys:
            return {}
        with self.lock:
            rows = self.db.execute(_texts_sql(len(keys)), [x for key in keys for x in key]).fetchall()
        return {(str(a), int(i)): (int(s), int(e), str(t), str(ti or ""), str(d or "")) for a, i, s, e, t, ti, d in rows}

    def close(self) -> None:
        with self.lock:
            self.db.close()
