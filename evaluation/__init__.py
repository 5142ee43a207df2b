"""Evaluation harness: gold files, metrics, the runner, reports and a LlamaIndex baseline.

Example:
    >>> from evaluation import load_gold, run_eval   # doctest: +SKIP
    >>> result = run_eval(load_gold("eval/sample-gold.jsonl"), assistant)  # doctest: +SKIP
"""

from evaluation.gold import Evidence, GoldFormatError, GoldItem, load_gold
from evaluation.runner import EvalResult, ItemResult, prepare_corpus, run_eval
from evaluation.scoring import ItemScore, Summary, summarise, summarise_by_tag

__all__ = [
    "EvalResult",
    "Evidence",
    "GoldFormatError",
    "GoldItem",
    "ItemResult",
    "ItemScore",
    "Summary",
    "load_gold",
    "prepare_corpus",
    "run_eval",
    "summarise",
    "summarise_by_tag",
]
