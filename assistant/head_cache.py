"""Keep the model's state for the fixed openings of the prompt templates, so each call evaluates
only what differs.

llama.cpp reuses the KV cache of the longest prefix a new prompt shares with the last one. The
pipeline alternates prompts: an answer prompt, then a judge prompt or two, then the next answer.
So an answer prompt found only the system prompt still cached; its own fixed opening was
evaluated again on every question. :class:`HeadCache` saves the KV cache of each template's
opening the first time a prompt starts with it (``llama_state_seq_get_data``, about 29 KB a token
for the 1.5B model, 1 ms) and puts it back (1 ms) when a later prompt starts with it and the live
cache holds less of it. The state is the one the model computed for those same tokens, so the
reply is the one a fresh evaluation would give.

Example:
    >>> HeadCache([]).heads
    []
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

MIN_GAIN = 8  # tokens: restoring a head must save at least this much evaluation


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens ``a`` and ``b`` share.

    Example:
        >>> common_prefix([1, 2, 3], [1, 2, 4, 5])
        2
    """
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass
class Head:
    """One template opening: its tokens and, once seen, the saved state of sequence 0."""

    tokens: list[int]
    state: bytes | None = None


class HeadCache:
    """Saved KV states of fixed prompt openings for one ``llama_cpp.Llama``.

    ``prepare(llama, ids)`` runs (under the caller's lock) before ``ids`` are evaluated and returns how
    many of them the live cache holds (after a refused restore, none: the cache was cleared).

    Example:
        >>> cache = HeadCache([[1, 2, 3]])          # tokens of one opening
        >>> cache.best([1, 2, 3, 9], have=1)       # a saved state would save 2 tokens: too few
    """

    def __init__(self, openings: Sequence[Sequence[int]], min_gain: int = MIN_GAIN) -> None:
        self.heads = [Head(list(t)) for t in openings if t]
        self.min_gain = min_gain
        self.restored = 0  # prompts that started from a saved state (for tests and benches)

    def best(self, ids: Sequence[int], have: int) -> Head | None:
        """The opening ``ids`` starts with that holds the most tokens beyond the ``have`` cached."""
        found = [h for h in self.heads if len(h.tokens) < len(ids) and common_prefix(h.tokens, ids) == len(h.tokens)]
        found = [h for h in found if len(h.tokens) - have >= self.min_gain]
        return max(found, key=lambda h: len(h.tokens), default=None)

    def prepare(self, llama: Any, ids: Sequence[int]) -> int:
        """Make the live cache start with the longest saved opening of ``ids`` (saving it first if
        new); return how many leading tokens of ``ids`` the live cache then holds."""
        have = common_prefix(llama.input_ids[: llama.n_tokens].tolist(), ids)
        head = self.best(ids, have)
        if head is None:
            return have
        if head.state is None:
            self._save(llama, head, have)
        elif not self._restore(llama, head):
            head.state = None  # llama.cpp refused it: evaluate as usual, save again next time
            return 0
        return len(head.tokens)

    def _save(self, llama: Any, head: Head, have: int) -> None:
        """Evaluate the opening on the live cache's shared part and keep its state."""
        import llama_cpp

        llama.n_tokens = have
        llama.eval(head.tokens[have:])
        ctx = llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
        if written:
            head.state = bytes(buf[:written])
            log.debug("saved the state of a %d-token prompt opening (%d bytes)", len(head.tokens), written)

    def _restore(self, llama: Any, head: Head) -> bool:
        import llama_cpp

        assert head.state is not None
        llama._ctx.kv_cache_seq_rm(0, 0, -1)
        llama.n_tokens = 0
        src = (ctypes.c_uint8 * len(head.state)).from_buffer_copy(head.state)
        if not llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, src, len(head.state), 0):
            log.warning("llama.cpp did not take a saved prompt state back; evaluating the prompt in full")
            llama._ctx.kv_cache_seq_rm(0, 0, -1)
            return False
        n = len(head.tokens)
        llama.input_ids[:n] = head.tokens
        llama.n_tokens = n
        if hasattr(llama, "_requires_eval"):
            llama._requires_eval = True  # the logits are not those of this prefix
        self.restored += 1
        return True
