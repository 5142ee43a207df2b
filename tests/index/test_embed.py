"""The embedders' helpers that need no model: the BLAS thread cap."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from index.embed import limit_blas_threads


def _blas_threads() -> list[int]:
    return [int(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_limit_blas_threads_caps_numpys_blas_until_restored() -> None:
    import numpy as np

    np.ones((4, 4)) @ np.ones((4, 4))  # numpy's BLAS is loaded
    before = _blas_threads()
    assert before, "numpy loaded no BLAS library threadpoolctl can see"
    limiter = limit_blas_threads(1)
    assert limiter is not None
    try:
        assert set(_blas_threads()) == {1}
    finally:
        limiter.restore_original_limits()
    assert _blas_threads() == before


def test_limit_blas_threads_none_or_zero_leaves_them_as_they_are() -> None:
    before = _blas_threads()
    assert limit_blas_threads(None) is None and limit_blas_threads(0) is None
    assert _blas_threads() == before
