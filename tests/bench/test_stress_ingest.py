"""The short crash-safety run: 5 SIGKILLs of the ingest process (``make stress`` does 50)."""

from __future__ import annotations

import pytest

from bench.stress_ingest import run


@pytest.mark.slow
def test_ingest_survives_kills_and_completes() -> None:
    result = run(kills=5, articles=8, seed=14, max_delay=0.5, budget=900)
    assert result.kills == 5
    assert result.errors == [] and result.lost == [] and result.extra == []
