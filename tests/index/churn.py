"""Random adds, replacements and removes of a few article ids, for indexes updated per article."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator


def churn(steps: int, pick: Callable[[], str], chance: Callable[[], float], live: Container[str],
          remove_share: float = 0.3) -> Iterator[tuple[int, str, bool]]:  # fmt: skip
    """``(step, article id, remove?)``: an id already in ``live`` is removed with ``remove_share``
    probability, otherwise (re-)added; ``live`` is read at each step, so the caller updates it."""
    for step in range(steps):
        aid = pick()
        yield step, aid, aid in live and chance() < remove_share
