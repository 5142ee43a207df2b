"""PolNeAR loading and a small sentence splitter for the attribution benchmark.

The data are read from ``<shared>/data/polnear`` (never copied into the project).

Example:
    >>> [s.text for s in split_sentences("a", "Mr. Smith came. He left!")]
    ['Mr. Smith came.', 'He left!']
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from index.types import Article, Sentence

_END = re.compile(r"[.!?]+[”\"’)\]]*(?=\s+[“\"‘(\[]?[A-Z0-9])")
_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "gov",
    "sen",
    "rep",
    "st",
    "jr",
    "sr",
    "gen",
    "lt",
    "col",
    "u.s",
    "u.k",
    "u.n",
    "no",
    "vs",
    "inc",
    "corp",
    "co",
    "feb",
    "jan",
    "aug",
    "sept",
    "oct",
    "nov",
    "dec",
    "rev",
    "prof",
    "sgt",
    "capt",
    "ft",
    "d.c",
    "a.m",
    "p.m",
    "e.g",
    "i.e",
}


def shared_dir(flag: str | None = None) -> Path:
    """``--shared`` flag, else ``$SOURCED_SHARED_DIR``, else ``../shared`` beside the repo."""
    if flag:
        return Path(flag)
    env = os.environ.get("SOURCED_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared"


def split_sentences(article_id: str, text: str) -> list[Sentence]:
    """Split on sentence-final punctuation and on line breaks, keeping exact offsets."""
    out: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        base, chunk = para.start(), para.group()
        start = 0
        bounds: list[tuple[int, int]] = []
        for m in _END.finditer(chunk):
            word = re.findall(r"[\w.]+$", chunk[: m.start() + 1].rstrip('.!?”"’)]'))
            prev = word[0].lower().strip(".") if word else ""
            if chunk[m.start()] == "." and (prev in _ABBREV or re.fullmatch(r"[a-z]", prev)):
                continue
            bounds.append((start, m.end()))
            start = m.end()
        bounds.append((start, len(chunk)))
        for a, b in bounds:
            seg = chunk[a:b]
            lead = len(seg) - len(seg.lstrip())
            a2, b2 = a + lead, a + len(seg.rstrip())
            if b2 > a2:
                out.append(Sentence(article_id, len(out), base + a2, base + b2, text[base + a2 : base + b2]))
    return out


def load_articles(shared: Path, split: str) -> list[Article]:
    """Articles of a PolNeAR split from ``articles-<split>.jsonl``."""
    rows = (json.loads(line) for line in (shared / "data/polnear" / f"articles-{split}.jsonl").open())
    return [
        Article(
            id=r["id"],
            title=r.get("title", ""),
            text=r["text"],
            date=r.get("date", ""),
            source=r.get("source", ""),
            author=r.get("author", ""),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution: lists of (start, end) pieces per role."""

    source: tuple[tuple[int, int], ...]
    cue: tuple[tuple[int, int], ...]
    content: tuple[tuple[int, int], ...]


def _pieces(field: str) -> tuple[tuple[int, int], ...]:
    parts = field.split(" ", 1)[1] if " " in field else ""
    out = []
    for piece in parts.split(";"):
        nums = piece.split()
        if len(nums) == 2 and nums[0].isdigit() and nums[1].isdigit():
            out.append((int(nums[0]), int(nums[1])))
    return tuple(out)


def load_gold(shared: Path, split: str) -> dict[str, list[GoldAttribution]]:
    """Annotated attributions per article id (``.ann`` names carry a hash suffix)."""
    gold: dict[str, list[GoldAttribution]] = {}
    for ann in sorted((shared / "data/polnear" / split / "attributions").glob("*.ann")):
        art_id = ann.stem.rsplit("_", 1)[0]
        spans: dict[str, tuple[tuple[int, int], ...]] = {}
        events: list[dict[str, str]] = []
        for line in ann.read_text().splitlines():
            cols = line.split("\t")
            if len(cols) < 2:
                continue
            if cols[0].startswith("T"):
                spans[cols[0]] = _pieces(cols[1])
            elif cols[0].startswith("E"):
                events.append(dict(x.split(":", 1) for x in cols[1].split()[1:] if ":" in x))
        gold[art_id] = [
            GoldAttribution(
                source=spans.get(ev.get("Source", ""), ()),
                cue=spans.get(ev.get("Cue", ""), ()),
                content=spans.get(ev.get("Content", ""), ()),
            )
            for ev in events
        ]
    return gold


def load_questions(shared: Path, split: str) -> list[dict]:
    """Gold who-said questions for a split."""
    path = shared / "eval" / f"polnear-who-said-{split}.jsonl"
    return [json.loads(line) for line in path.open()]


def load_ggt_articles(shared: Path) -> list[Article]:
    """The GGT dev articles (``data/ggt/articles-dev.jsonl``, same row shape as PolNeAR's)."""
    rows = (json.loads(line) for line in (shared / "data/ggt/articles-dev.jsonl").open())
    return [
        Article(id=r["id"], title=r.get("title", ""), text=r["text"], date=r.get("date", ""), source=r.get("source", ""))
        for r in rows
    ]


def load_ggt_questions(shared: Path) -> list[dict]:
    """The GGT dev who-said items, tagged speaker_name / _pronoun / _nominal / _none."""
    return [json.loads(line) for line in (shared / "eval" / "ggt-who-said-dev.jsonl").open()]
