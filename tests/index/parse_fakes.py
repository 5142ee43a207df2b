"""Extractors for the parser process's tests: the child imports this module by name (the parent's
``sys.path`` reaches it), so they must live outside a test module."""

from __future__ import annotations

import os
from collections.abc import Sequence

from index.types import Article, Sentence


class PidExtractor:
    """No attributions; each article's "speaker" of sentence 0 is the pid that extracted it."""

    in_child = True

    def many(self, pairs: Sequence[tuple[Article, list[Sentence]]]) -> list[tuple[list[object], dict[int, str]]]:
        return [([], {0: str(os.getpid())}) for _pair in pairs]

    def __call__(self, article: Article, sentences: list[Sentence]) -> tuple[list[object], dict[int, str]]:
        return self.many([(article, sentences)])[0]


class FailingExtractor(PidExtractor):
    """Fails on an article titled "bad" (in ``many``, wherever it runs)."""

    def many(self, pairs: Sequence[tuple[Article, list[Sentence]]]) -> list[tuple[list[object], dict[int, str]]]:
        if any(article.title == "bad" for article, _sents in pairs):
            raise ValueError("cannot parse the bad article")
        return super().many(pairs)
