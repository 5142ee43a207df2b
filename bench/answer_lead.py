"""Answer-lead benchmark: extractive answers without and with the phrase that answers, in one run.

Each gold question is asked of an index (``--generator extractive``) with the extractive generator
that leads with the answering phrase (:mod:`assistant.answer_lead`); the plain extractive answer is
composed from the same retrieved hits. Per slice of items: answer accuracy before/after, how often a
lead is given, how often the lead itself contains (or equals) a gold answer, and the time the
lead adds per question (median of the lead step alone; the spaCy load is done before timing).

    python -m bench.answer_lead --case ../shared/eval/newsqa-dev.jsonl /tmp/newsqa-index \\
        --case eval/sample-gold.jsonl /tmp/sample-index samples/ --slices 0:40,40:106 --out /tmp/lead.json

A data dir without an index is built from the corpus paths given after it.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant import Assistant, Settings
from assistant.answer_lead import AnswerLead, expected_labels
from assistant.answering import ExtractiveGenerator, compose
from evaluation.gold import GoldItem, load_gold
from evaluation.metrics import answer_correct, answer_forms, normalise
from evaluation.runner import ask_item

log = logging.getLogger("bench.answer_lead")


class TimedLead(AnswerLead):
    """An :class:`AnswerLead` that remembers its last lead and how long it took."""

    def __init__(self) -> None:
        super().__init__()
        self.last: str | None = None
        self.sentence = ""
        self.seconds = 0.0

    def lead(self, question: str, sentence: str) -> str | None:
        started = time.perf_counter()
        self.sentence = sentence
        self.last = super().lead(question, sentence)
        self.seconds += time.perf_counter() - started
        return self.last


@dataclass(frozen=True)
class Row:
    """One question: its type, the lead (if any), and both answers' correctness."""

    index: int
    id: str
    question: str
    answers: tuple[str, ...]
    answerable: bool
    labels: tuple[str, ...]
    route: str
    sentence: str
    lead: str | None
    before: bool
    after: bool
    lead_ms: float
    ask_ms: float


def run_case(gold: Path, data_dir: Path, corpus: Sequence[str]) -> list[Row]:
    """Ask each question once with the lead; the answer without it is composed from the same hits
    (retrieval does not depend on the generator), so both come from one run."""
    settings = Settings(generator="extractive", answer_lead=False)
    assistant = Assistant.open(data_dir, settings, refresh=False)
    if corpus and not assistant.store.count():
        assistant.add(list(corpus))
    if not assistant.store.count():
        raise SystemExit(f"No articles are indexed in {data_dir}; give corpus paths after it.")
    plain = assistant.pipeline.extractive
    timed = TimedLead()
    timed.warm_up()
    assistant.pipeline.extractive = ExtractiveGenerator(lead=timed)
    rows = []
    for i, item in enumerate(load_gold(gold)):
        timed.last, timed.sentence, timed.seconds = None, "", 0.0
        after, _, seconds = ask_item(assistant, item)
        before = after
        if after.generator == plain.name and not after.refused:
            hits = after.retrieved
            before = compose(plain.claims(after.standalone_question, hits), hits, question=item.question,
                             standalone=after.standalone_question, generator=plain.name)  # fmt: skip
        rows.append(Row(i, item.id, item.question, tuple(item.answers), item.answerable,
                        tuple(sorted(expected_labels(item.question))), after.generator, timed.sentence, timed.last,
                        _correct(before.text, before.refused, item), _correct(after.text, after.refused, item),
                        timed.seconds * 1000, seconds * 1000))  # fmt: skip
        if i % 10 == 9:
            log.info("%s: %d questions", gold.name, i + 1)
    return rows


def _correct(text: str, refused: bool, item: GoldItem) -> bool:
    return bool(item.answerable and not refused and answer_correct(text, item.answers))


def summary(rows: Sequence[Row]) -> dict[str, Any]:
    led = [r for r in rows if r.lead]
    typed = [r for r in rows if r.labels and r.route == "extractive"]
    answerable = [r for r in rows if r.answerable]
    return {
        "n": len(rows),
        "answerable": len(answerable),
        "accuracy_before": _share(sum(r.before for r in answerable), len(answerable)),
        "accuracy_after": _share(sum(r.after for r in answerable), len(answerable)),
        "typed": len(typed),
        "leads": len(led),
        "lead_contains_gold": sum(answer_correct(r.lead or "", r.answers) for r in led),
        "lead_equals_gold": sum(normalise(r.lead or "") in {f for a in r.answers for f in answer_forms(a)} for r in led),
        "lead_ms_median_typed": _median([r.lead_ms for r in typed]),
        "lead_ms_median_all": _median([r.lead_ms for r in rows]),
        "ask_ms_median": _median([r.ask_ms for r in rows]),
    }


def _share(k: int, n: int) -> float | None:
    return round(k / n, 3) if n else None


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def parse_slices(text: str) -> list[tuple[int, int]]:
    """Item ranges reported apart.

    Example:
        >>> parse_slices("0:40,40:106")
        [(0, 40), (40, 106)]
    """
    return [(int(a), int(b)) for a, b in (part.split(":") for part in text.split(",") if part)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", nargs="+", action="append", required=True, metavar="GOLD DATA_DIR [CORPUS]",
                        help="a gold file, the data dir of its index, and corpus paths to build it from")
    parser.add_argument("--slices", default="", help="item ranges reported apart, e.g. 0:40,40:106")
    parser.add_argument("--out", type=Path, help="write rows and summaries as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    report: dict[str, Any] = {}
    for gold, data_dir, *corpus in args.case:
        rows = run_case(Path(gold), Path(data_dir), corpus)
        parts = {"all": summary(rows)}
        for a, b in parse_slices(args.slices):
            if rows[a:b]:
                parts[f"{a}-{b}"] = summary(rows[a:b])
        report[Path(gold).name] = {"summary": parts, "rows": [asdict(r) for r in rows]}
        for name, s in parts.items():
            print(Path(gold).name, name, json.dumps(s))
        for r in rows:
            if r.lead or r.labels:
                print(f"  {r.index:>3} {'+' if r.after else '-'} {','.join(r.labels):<30} lead={r.lead!r} gold={r.answers}")
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
