"""Rows grouped by article in two blocks, so that an index updated per article never rebuilds
what it searches on the first question after a change.

A search index (BM25's sparse matrix, the passage vectors) keeps a *big* block of rows built from
every article at some moment, and a small block of the articles added since (*recent*). Articles
removed or replaced since the big block was built are *dead* in it and masked out. The big block is
rebuilt (by concatenating per-article arrays, seconds at 100k articles) only once the recent and dead
rows pass a share of it.

Example:
    >>> blocks = Blocks(min_rows=0)
    >>> blocks.rebuilt(Block.of(["a", "b"], [2, 3]))
    >>> blocks.added("c"); blocks.removed("a")
    False
    >>> blocks.live(blocks.big, {"a", "b"}).tolist()
    [False, False, True, True, True]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np


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


class Blocks:
    """Which articles the big block holds, which are dead there, and which were added since."""

    def __init__(self, share: float = 0.1, min_rows: int = 20_000) -> None:
        self.share, self.min_rows = share, min_rows
        self.big: Block | None = None
        self.dead: set[str] = set()
        self.recent: dict[str, None] = {}  # in the order they were added

    def added(self, article_id: str) -> None:
        self.recent[article_id] = None

    def removed(self, article_id: str) -> bool:
        """Forget ``article_id``; True when the recent block held it (and must be rebuilt)."""
        if article_id in self.recent:
            del self.recent[article_id]
            return True
        if self.big is not None and article_id in self.big.starts:
            self.dead.add(article_id)
        return False

    def due(self, size_of: Callable[[str], int]) -> bool:
        """Whether the big block should be rebuilt (none yet, or too much added or removed since)."""
        if self.big is None:
            return True
        changed = sum(self.big.sizes[a] for a in self.dead) + sum(size_of(a) for a in self.recent)
        return changed > max(self.min_rows, self.share * len(self.big))

    def rebuilt(self, big: Block) -> None:
        self.big, self.dead, self.recent = big, set(), {}

    def clear(self) -> None:
        self.big, self.dead, self.recent = None, set(), {}

    def live(self, block: Block, allowed: set[str] | None) -> np.ndarray | None:
        """The rows of ``block`` a search may return (``allowed`` articles, not dead); None: all."""
        dead = self.dead if block is self.big else set()
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
