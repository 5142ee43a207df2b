"""bench.llm's context-budget sweep: its option and its side-by-side table."""

from __future__ import annotations

import argparse

import pytest

from bench.llm import budget_list, budget_table


def test_budgets_are_parsed_in_order_and_bad_ones_are_refused_with_the_range() -> None:
    assert budget_list("420,260, 600") == [420, 260, 600]
    with pytest.raises(argparse.ArgumentTypeError, match="whole numbers"):
        budget_list("420,lots")
    with pytest.raises(argparse.ArgumentTypeError, match="between 40 and 1500"):
        budget_list("420,10")


def test_the_table_has_one_column_per_budget_and_marks_what_was_not_measured() -> None:
    table = budget_table({260: {"answer_accuracy": 0.788, "ttft_p50_s": 5.792},
                          420: {"answer_accuracy": 0.788, "ttft_p50_s": 9.342}})  # fmt: skip
    lines = table.splitlines()
    assert lines[0].split()[-2:] == ["260", "420"]
    assert "ttft_p50_s                      5.792        9.342" in lines
    assert any(line.startswith("citation_recall") and line.split()[1:] == ["None", "None"] for line in lines)
