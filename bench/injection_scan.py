"""How often the injection filter withholds real news sentences (its false-positive rate).

Segments every article of the dev corpora and the sample article and counts the sentences
:func:`assistant.injection.instruction_like` flags; prints each flagged sentence, so a pattern that
catches news prose is seen, and the injection fixtures it must catch.

    python -m bench.injection_scan [--shared ../shared]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.injection import instruction_like
from index.readers import iter_articles
from index.segment import segment
from index.types import Article

CORPORA = ["data/polnear/articles-dev.jsonl", "data/polnear/articles-train.jsonl", "data/newsqa/articles-dev.jsonl",
           "data/ggt/articles-dev.jsonl", "data/seed"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    args = parser.parse_args()
    started = time.perf_counter()
    total = flagged = articles = 0
    for corpus in CORPORA:
        for article in iter_articles([args.shared / corpus]):
            if not isinstance(article, Article):
                continue
            articles += 1
            for sentence in segment(article):
                total += 1
                if instruction_like(sentence.text):
                    flagged += 1
                    print(f"flagged [{corpus}] {article.title[:40]!r}: {sentence.text[:200]!r}")
    rate = flagged / total if total else 0.0
    print(f"{articles} articles, {total} sentences: {flagged} flagged ({rate:.4%}) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
