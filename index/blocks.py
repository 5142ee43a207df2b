"""Rows grouped by article in two blocks, so that an index updated per article never rebuilds
what it searches on the first question after a change.

A search index (BM25's sparse matrix, the passage vectors) keeps a *big* block of rows built from
every article at some moment, and a small block of the articles added since (*recent*). Articles
removed or replaced since the big block was built are *dead* in it and masked out. The big block is
rebuilt (by concatenating per-article arrays, seconds at 100k articles) only once the recent and dead
rows pass a share of it.

Example:
    >>> sizes = {"a": 2, "b": 3, "c": 1}
    >>> blocks = Blocks(lambda order: (Block.of(order, [sizes[a] for a in order]), order), sizes.get, min_rows=9)
    >>> _ = blocks.parts(lambda: ["a", "b"]); blocks.added("c"); blocks.removed("a")
    >>> [(block.order, blocks.live(block, {"a", "b"}).tolist()) for block, _ in blocks.parts(list)]
    [(['a', 'b'], [False, False, True, True, True]), (['c'], [False])]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


@dataclass(frozen=True)
class Block:
    """Consecutive rows per article, articles in ``order``.

    Example:
        >>> block = Block.of(["a", "b"], [2, 1])
        >>> block.owner(2), block.mask({"a"}).tolist()
        (('b', 0), [True, True, False])
    """

    order: list[str]
    starts: dict[str, int]
    sizes: dict[str, int]
    article: np.ndarray  # row -> position of its article in ``order``
    offset: np.ndarray  # row -> its position among its article's rows

    @classmethod
    def of(cls, order: list[str], sizes: Sequence[int]) -> Block:
        counts = np.asarray(sizes, dtype=np.int64).reshape(-1)
        firsts = np.cumsum(counts) - counts
        article = np.repeat(np.arange(len(order), dtype=np.int32), counts)
        offset = (np.arange(len(article), dtype=np.int64) - np.repeat(firsts, counts)).astype(np.int32)
        return cls(order, dict(zip(order, firsts.tolist(), strict=True)), dict(zip(order, counts.tolist(), strict=True)),
                   article, offset)  # fmt: skip

    def __len__(self) -> int:
        return len(self.article)

    def mask(self, articles: Iterable[str], value: bool = True, out: np.ndarray | None = None) -> np.ndarray:
        """Rows of ``articles`` set to ``value`` (in ``out``, or in a new mask of the opposite value)."""
        out = np.full(len(self), not value, dtype=bool) if out is None else out
        for aid in articles:
            start = self.starts.get(aid)
            if start is not None:
                out[start : start + self.sizes[aid]] = value
        return out

    def owner(self, row: int) -> tuple[str, int]:
        """The article of ``row`` and the row's position among that article's rows."""
        return self.order[int(self.article[row])], int(self.offset[row])


class Blocks(Generic[T]):
    """The big block and the recent one, each built (``build``: articles → their block and what
    is searched, e.g. a matrix) on first use after a change; which articles are dead in the big one.
    ``size_of`` gives an article's current row count."""

    def __init__(self, build: Callable[[list[str]], tuple[Block, T]], size_of: Callable[[str], int],
                 share: float = 0.1, min_rows: int = 20_000) -> None:  # fmt: skip
        self.build, self.size_of = build, size_of
        self.share, self.min_rows = share, min_rows
        self.big: tuple[Block, T] | None = None  # every article when it was built (the dead ones masked)
        self.small: tuple[Block, T] | None = None  # the articles added since
        self.dead: set[str] = set()
        self.recent: dict[str, None] = {}  # in the order they were added

    def added(self, article_id: str) -> None:
        self.recent[article_id] = None
        self.small = None

    def removed(self, article_id: str) -> None:
        """Forget ``article_id``: out of the recent block, or dead in the big one."""
        if article_id in self.recent:
            del self.recent[article_id]
            self.small = None
        elif self.big is not None and article_id in self.big[0].starts:
            self.dead.add(article_id)

    def parts(self, articles: Callable[[], list[str]]) -> list[tuple[Block, T]]:
        """Both blocks; the big one rebuilt from ``articles()`` when there is none yet or the rows
        added or removed since pass a share of it."""
        if self.big is None or self._due(self.big[0]):
            self.big, self.dead, self.recent, self.small = self.build(articles()), set(), {}, None
        if self.small is None:
            self.small = self.build(list(self.recent))
        return [self.big, self.small]

    def _due(self, big: Block) -> bool:
        changed = sum(big.sizes[a] for a in self.dead) + sum(self.size_of(a) for a in self.recent)
        return changed > max(self.min_rows, self.share * len(big))

    def clear(self) -> None:
        self.big, self.small, self.dead, self.recent = None, None, set(), {}

    def live(self, block: Block, allowed: set[str] | None) -> np.ndarray | None:
        """The rows of ``block`` a search may return (``allowed`` articles, not dead); None: all."""
        dead = self.dead if self.big is not None and block is self.big[0] else set()
        if allowed is None and not dead:
            return None
        keep = block.mask(allowed) if allowed is not None else np.ones(len(block), dtype=bool)
        return block.mask(dead, False, keep) if dead else keep


def best(parts: Sequence[tuple[Block, np.ndarray]], k: int, above: float) -> list[tuple[str, int, float]]:
    """The ``k`` best ``(article, offset, score)`` with a score above ``above`` across blocks (scores
    masked already), ties in block then row order. Selects among the rows above ``above`` only: a
    few of millions.

    Example:
        >>> best([(Block.of(["a"], [3]), np.array([0.2, 0.0, 0.9]))], 5, 0.0)
        [('a', 2, 0.9...), ('a', 0, 0.2...)]
    """
    found: list[tuple[float, int, int]] = []
    for part, (_block, scores) in enumerate(parts):
        rows = np.flatnonzero(scores > above)
        if len(rows) > k:
            rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        found.extend((float(scores[r]), part, int(r)) for r in rows)
    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    return [(*parts[part][0].owner(row), score) for score, part, row in found[:k]]
