"""The indexes beside the sentence vectors: BM25 over sentences and the passage index.

:class:`ContextIndexes` is a store listener: the store calls :meth:`prepare` before its
transaction (embedding passages is the slow part) and :meth:`apply_add` / :meth:`apply_remove`
inside it, after bumping its ``generation`` in the same SQLite transaction. Snapshots are saved
with that generation; on open, :meth:`sync` loads a snapshot only when its generation matches
the store's and it covers exactly the registry's articles and sentences, and otherwise rebuilds
from the store's text, so the indexes never disagree with the sentences a citation points at
(a kill mid-ingest leaves a snapshot of an older generation: rebuilt at the next open).

Example:
    >>> import tempfile
    >>> from index.embed import HashEmbedder
    >>> ctx = ContextIndexes(Path(tempfile.mkdtemp()), HashEmbedder())
    >>> len(ctx.sentences)
    0
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from index.bm25 import BM25Index, tokenize
from index.embed import Embedder
from index.passages import PassageIndex
from index.types import Article, Sentence

log = logging.getLogger(__name__)


class StoreView(Protocol):
    """What :meth:`ContextIndexes.sync` reads from a store to rebuild."""

    def generation(self) -> str: ...

    def registry_counts(self) -> dict[str, int]: ...

    def article_ids(self) -> list[str]: ...

    def article(self, article_id: str) -> Article: ...

    def sentences(self, article_id: str, first: int = 0, last: int | None = None) -> list[Sentence]: ...

    def vectors(self, article_id: str, indexes: Sequence[int]) -> Any: ...


class ContextIndexes:
    """Sentence BM25 plus passages (dense and BM25), updated with the store."""

    def __init__(self, directory: Path, embedder: Embedder) -> None:
        self.directory = Path(directory)
        self.sentences = BM25Index(self.directory, "sentences")
        self.passages = PassageIndex(self.directory, embedder)
        self.saved_generation: str | None = None

    # -- store listener ----------------------------------------------------------------
    def prepare(self, article: Article, sentences: Sequence[Sentence], vectors: Any) -> Any:
        """Each sentence tokenized once (for both BM25 indexes) and the passages, outside the
        store's transaction."""
        tokens = [tokenize(s.text) for s in sentences]
        return [(s.index, t) for s, t in zip(sentences, tokens, strict=True)], self.passages.prepare(
            article, sentences, vectors, tokens)

    def apply_add(self, article: Article, sentences: Sequence[Sentence], prepared: Any) -> None:
        sentence_tokens, passages = prepared
        try:
            self.sentences.add_tokens(article.id, sentence_tokens)
            self.passages.add(article.id, passages)
        except Exception:
            self.apply_remove(article.id)
            raise

    def apply_remove(self, article_id: str) -> None:
        self.sentences.remove(article_id)
        self.passages.remove(article_id)

    # -- persistence -------------------------------------------------------------------
    def save(self, generation: str) -> None:
        """Write both snapshots at ``generation`` (skipped when already saved there)."""
        if generation == self.saved_generation:
            return
        self.sentences.save(generation)
        self.passages.save(generation)
        self.saved_generation = generation

    def warm(self) -> None:
        """Build the search matrices now (an app warming up), not at the first question."""
        self.sentences.warm()
        self.passages.warm()

    def counts(self) -> dict[str, dict[str, int]]:
        """Article id → sentences covered, for the sentence BM25 and for the passages."""
        passages = {aid: sum(p.size for p in self.passages.passages(aid)) for aid in self.passages.articles()}
        return {"bm25": self.sentences.counts(), "passages": passages}

    def sync(self, store: StoreView, *, force: bool = False) -> bool:
        """Load the snapshots if they match the store (generation, articles and sentence counts),
        else (or with ``force``) rebuild them from its text. Returns True when rebuilt."""
        generation = store.generation()
        if not force and self.sentences.load(generation) and self.passages.load(generation):
            registry = store.registry_counts()
            if all(found == registry for found in self.counts().values()):
                self.saved_generation = generation
                return False
            log.warning("The BM25/passage snapshots disagree with the registry at generation %s.", generation)
        ids = store.article_ids()
        if ids:
            log.warning("Rebuilding the BM25 and passage indexes of %d articles.", len(ids))
        self.sentences.clear()
        self.passages.clear()
        self.saved_generation = None
        for aid in ids:
            article, sentences = store.article(aid), store.sentences(aid)
            vectors = store.vectors(aid, [s.index for s in sentences])
            self.apply_add(article, sentences, self.prepare(article, sentences, vectors))
        self.save(generation)
        return True


def attach_context_indexes(store: Any) -> ContextIndexes:
    """Sync the BM25 and passage indexes of ``store`` (a :class:`~index.store.SentenceStore`)
    and register them as its listener, so every later add/remove updates them."""
    indexes = ContextIndexes(store.directory, store.embedder)
    indexes.sync(store)
    store.listeners.append(indexes)
    return indexes
