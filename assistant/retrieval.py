"""Retrievers: find the sentences most likely to answer a question.

A retriever returns :class:`Hit` objects (sentence, score, title, date, speaker and a
context window of neighbouring sentences), best first.
"""

from __future__ import annotations

from typing import Protocol

from assistant.fusion import Filters
from assistant.types import Hit
from index.store import SentenceStore


class Retriever(Protocol):
    """Anything that maps a question to scored sentences."""

    def retrieve(self, question: str, k: int, filters: Filters | None = None) -> list[Hit]: ...


class DenseRetriever:
    """Cosine similarity between the question and sentence embeddings in the store.

    Scores are cosine similarities in [-1, 1], so one refusal threshold works for any corpus.

    Example:
        >>> from index.embed import HashEmbedder
        >>> import tempfile, pathlib
        >>> store = SentenceStore(pathlib.Path(tempfile.mkdtemp()), HashEmbedder())
        >>> DenseRetriever(store).retrieve("anything?", 3)
        []
    """

    def __init__(self, store: SentenceStore, window: int = 1) -> None:
        self.store = store
        self.window = window

    def retrieve(self, question: str, k: int, filters: Filters | None = None) -> list[Hit]:
        allowed = filters.allowed(self.store.articles) if filters is not None else None
        hits = []
        for found in self.store.search(question, k, articles=allowed):
            if filters is not None and not filters.speaker_ok(found.speaker):
                continue
            sentence = found.sentence
            window = ""
            if self.window:
                around = self.store.sentences(
                    sentence.article_id, sentence.index - self.window, sentence.index + self.window
                )
                window = " ".join(s.text for s in around)
            hits.append(Hit(sentence, found.score, title=found.title, date=found.date,
                            speaker=found.speaker or None, window=window))  # fmt: skip
        return hits
