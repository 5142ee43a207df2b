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
from index.context_journal import Journal, Op
from index.embed import Embedder
from index.passages import PassageIndex
from index.types import Article, Sentence

log = logging.getLogger(__name__)

#: The journal of changes since the full snapshots (see :mod:`index.context_journal`).
JOURNAL_FILE = "context-journal.bin"
#: Changes journaled before the next save writes full snapshots again.
JOURNAL_LIMIT = 256


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
        self.journal = Journal(self.directory / JOURNAL_FILE, embedder.dim)
        #: Changes since the last save (``None``: too many to journal, the next save is full).
        self._ops: list[Op] | None = []
        self._journaled = 0  # changes in the journal on disk since the full snapshots

    # -- store listener ----------------------------------------------------------------
    def prepare(self, article: Article, sentences: Sequence[Sentence], vectors: Any) -> Any:
        """Each sentence tokenized once (for both BM25 indexes) and the passages, outside the
        store's transaction."""
        tokens = [tokenize(s.text) for s in sentences]
        return [(s.index, t) for s, t in zip(sentences, tokens, strict=True)], self.passages.prepare(
            article, sentences, vectors, tokens)

    def apply_add(self, article: Article, sentences: Sequence[Sentence], prepared: Any) -> None:
        try:
            self._put(article.id, prepared)
        except Exception:
            self.apply_remove(article.id)
            raise
        self._note(("add", article.id, prepared))

    def apply_remove(self, article_id: str) -> None:
        self._drop(article_id)
        self._note(("remove", article_id, None))

    def _put(self, article_id: str, prepared: Any) -> None:
        sentence_tokens, passages = prepared
        self.sentences.add_tokens(article_id, sentence_tokens)
        self.passages.add(article_id, passages)

    def _drop(self, article_id: str) -> None:
        self.sentences.remove(article_id)
        self.passages.remove(article_id)

    def _note(self, op: Op) -> None:
        if self._ops is not None:
            self._ops.append(op)
            if self._journaled + len(self._ops) > JOURNAL_LIMIT:
                self._ops = None  # a batch ingest: the next save writes full snapshots

    # -- persistence -------------------------------------------------------------------
    def save(self, generation: str) -> None:
        """Persist the indexes at ``generation`` (skipped when already saved there): the changes
        since the last save appended to the journal, or, once it holds more than
        ``JOURNAL_LIMIT`` changes, full snapshots and an empty journal."""
        if generation == self.saved_generation:
            return
        if self._ops is not None and self.saved_generation is not None and self.journal.path.exists():
            self.journal.append(self._ops, generation)
            self._journaled += len(self._ops)
        else:
            self.sentences.save(generation)
            self.passages.save(generation)
            self.journal.reset(generation)
            self._journaled = 0
        self._ops = []
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
        if not force and self._load(generation):
            registry = store.registry_counts()
            if all(found == registry for found in self.counts().values()):
                self.saved_generation = generation
                self._ops = []
                return False
            log.warning("The BM25/passage snapshots disagree with the registry at generation %s.", generation)
        self._journaled = 0
        ids = store.article_ids()
        if ids:
            log.warning("Rebuilding the BM25 and passage indexes of %d articles.", len(ids))
        self.sentences.clear()
        self.passages.clear()
        self.saved_generation, self._ops = None, None
        for aid in ids:
            article, sentences = store.article(aid), store.sentences(aid)
            vectors = store.vectors(aid, [s.index for s in sentences])
            self.apply_add(article, sentences, self.prepare(article, sentences, vectors))
        self.save(generation)
        return True

    def _load(self, generation: str) -> bool:
        """The snapshots at the journal's base generation, then the journal's changes up to its
        commit at ``generation`` (a later or torn tail is cut off). False when they do not reach it."""
        base, batches, ends = self.journal.read()
        upto = next((k for k, (_ops, g) in enumerate(batches) if g == generation), None)
        self._journaled = 0
        if base is None or (base != generation and upto is None):
            # no journal (an index from before it), or one that does not reach this generation
            # (a kill between the full snapshots and the journal's reset): the snapshots alone
            if not (self.sentences.load(generation) and self.passages.load(generation)):
                return False
            self.journal.reset(generation)
            return True
        if not (self.sentences.load(base) and self.passages.load(base)):
            return False
        if base != generation:
            for ops, _generation in batches[: upto + 1]:  # type: ignore[operator]
                for kind, article_id, prepared in ops:  # as apply_add / apply_remove did, not noted again
                    self._drop(article_id)
                    if kind == "add":
                        self._put(article_id, prepared)
                    self._journaled += 1
        if upto is None:  # the snapshots are at this generation: whatever follows them is not the store's
            self.journal.reset(base)
        elif ends[upto] < self.journal.path.stat().st_size:  # a torn or later tail
            self.journal.cut(ends[upto])
        return True


def attach_context_indexes(store: Any) -> ContextIndexes:
    """Sync the BM25 and passage indexes of ``store`` (a :class:`~index.store.SentenceStore`)
    and register them as its listener, so every later add/remove updates them."""
    indexes = ContextIndexes(store.directory, store.embedder)
    indexes.sync(store)
    store.listeners.append(indexes)
    return indexes
