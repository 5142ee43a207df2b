"""Choosing which saved prompt opening a prompt starts from (the model-free part of the head cache;
saving and restoring llama.cpp state is tested with the real model in test_llm_integration.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from assistant.head_cache import HeadCache, common_prefix
from assistant.llm import chatml, chatml_opening
from assistant.prompts import template_openings


def test_common_prefix() -> None:
    assert common_prefix([], [1]) == 0
    assert common_prefix([1, 2], [1, 2]) == 2
    assert common_prefix([1, 2, 3], [1, 9, 3]) == 1


def test_the_longest_opening_the_prompt_starts_with_wins() -> None:
    short, long_, other = list(range(10)), list(range(20)), [7] * 30
    cache = HeadCache([short, long_, other])
    assert cache.best(list(range(40)), have=0).tokens == long_
    assert cache.best(list(range(15)) + [99] * 10, have=0).tokens == short  # the long one diverges
    assert cache.best([5] * 40, have=0) is None


def test_an_opening_must_save_enough_and_leave_something_to_evaluate() -> None:
    cache = HeadCache([list(range(20))], min_gain=8)
    ids = list(range(30))
    assert cache.best(ids, have=12) is not None  # 8 tokens saved
    assert cache.best(ids, have=13) is None  # the live cache already holds nearly all of it
    assert cache.best(list(range(20)), have=0) is None  # the prompt is the opening: nothing after it


def test_prepare_leaves_the_model_alone_when_no_opening_helps() -> None:
    llama = SimpleNamespace(input_ids=np.array([1, 2, 3, 4], dtype=np.intc), n_tokens=4)
    cache = HeadCache([[9] * 20])
    assert cache.prepare(llama, [1, 2, 3, 4, 5]) == 4  # a fake model: any llama.cpp call would fail
    assert llama.n_tokens == 4 and cache.restored == 0


def test_every_template_has_an_opening_that_starts_its_prompts() -> None:
    openings = template_openings()
    assert len(openings) >= 5
    assert any("in square brackets" in o for o in openings)  # the answer instruction is in the kept part
    for opening in openings:
        assert chatml(opening + "Article: T\n[1] Text.").startswith(chatml_opening(opening))
