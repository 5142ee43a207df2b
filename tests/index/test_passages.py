"""Passage scoring: a large matrix is scored in slices on several threads, with the same result."""

from __future__ import annotations

import numpy as np
import pytest

from index import passages
from index.passages import cosines


def test_sliced_scores_equal_one_product(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((1001, 8)).astype(np.float32)
    vector = rng.standard_normal(8).astype(np.float32)
    monkeypatch.setattr(passages, "SPLIT_ROWS", 100)
    monkeypatch.setattr(passages, "_WORKERS", 3)  # uneven slices: 333, 334, 334 rows
    sliced = cosines(matrix, vector)
    assert sliced.shape == (1001,)
    np.testing.assert_allclose(sliced, matrix @ vector, rtol=1e-6)


def test_small_matrices_are_one_product() -> None:
    matrix = np.eye(4, dtype=np.float32)
    assert cosines(matrix, np.array([0, 0, 2, 0], np.float32)).tolist() == [0.0, 0.0, 2.0, 0.0]
