"""Ingest: read, segment, extract attributions, embed and store articles, with a report.

One bad file never stops the others; adding the same article twice is a no-op and a
changed article replaces its old sentences.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.decode import InputLimits, check_length
from index.errors import InputError
from index.readers import DEFAULT_LIMITS, ReadFailure, iter_articles
from index.segment import segment
from index.store import SentenceStore
from index.types import Article, Sentence

if TYPE_CHECKING:
    from index.attribution import Attribution

log = logging.getLogger(__name__)

#: Extracts attributions for an article: the records and a speaker per sentence index.
Extractor = Callable[[Article, list[Sentence]], tuple[list["Attribution"], dict[int, str]]]


def sentence_speakers(attributions: Sequence[Attribution]) -> dict[int, str]:
    """The speaker of each sentence an attribution covers (cue or content); the first one wins.

    Example:
        >>> sentence_speakers([])
        {}
    """
    speakers: dict[int, str] = {}
    for a in attributions:
        if a.speaker:
            for index in (a.cue_sentence, *a.content_sentences):
                speakers.setdefault(index, a.speaker)
    return speakers


def extract_for_store(article: Article, sentences: list[Sentence]) -> tuple[list[Attribution], dict[int, str]]:
    """The real ingest :data:`Extractor`: spaCy attribution extraction (:mod:`index.attribution`)."""
    from index.attribution import extract_attributions, load_nlp

    attributions = extract_attributions(article, sentences, load_nlp())
    return attributions, sentence_speakers(attributions)


@dataclass
class IngestReport:
    """What an ingest did, article by article.

    Example:
        >>> r = IngestReport(added=["a1"], failed=[("bad.pdf", "unsupported file type '.pdf'")])
        >>> print(r.summary())
        1 added, 0 unchanged, 0 replaced, 1 failed
          failed: bad.pdf: unsupported file type '.pdf'
    """

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Articles read with another encoding than UTF-8 (id → "cp1252", "utf-16", …).
    encodings: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        head = (
            f"{len(self.added)} added, {len(self.unchanged)} unchanged, "
            f"{len(self.replaced)} replaced, {len(self.failed)} failed"
        )
        return "\n".join([head, *(f"  failed: {path}: {reason}" for path, reason in self.failed)])

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "failed": [{"path": p, "reason": r} for p, r in self.failed],
            "encodings": self.encodings,
        }


def ingest(
    store: SentenceStore,
    paths: Sequence[str | Path],
    *,
    extractor: Extractor | None = None,
    progress: bool = False,
    limits: InputLimits = DEFAULT_LIMITS,
) -> IngestReport:
    """Add every article under ``paths`` to ``store`` and report what happened.

    ``limits``: file size, article length and sentence length limits (longer articles are
    refused with a message naming the limit; longer sentences are cut into pieces)."""
    from tqdm import tqdm

    report = IngestReport()
    items = list(iter_articles(paths, limits))
    seen: set[str] = set()
    bar = tqdm(items, desc="Indexing articles", unit="article", disable=not progress, file=sys.stderr)
    for item in bar:
        if isinstance(item, ReadFailure):
            report.failed.append((item.path, item.reason))
            continue
        if item.id in seen:
            report.unchanged.append(item.id)
            continue
        seen.add(item.id)
        if item.encoding not in ("", "utf-8", "utf-8-sig"):
            report.encodings[item.id] = item.encoding
        try:
            check_length(item.text, limits.max_article_chars)
            _ingest_one(store, item, extractor, report, limits.max_sentence_chars)
        except InputError as exc:
            report.failed.append((item.path or item.id, str(exc)))
        except Exception as exc:  # one bad article never stops the rest
            log.exception("failed to index %s", item.path or item.id)
            report.failed.append((item.path or item.id, f"{type(exc).__name__}: {exc}"))
    bar.close()
    log.info("ingest: %s", report.summary().splitlines()[0])
    return report


def _ingest_one(
    store: SentenceStore, article: Article, extractor: Extractor | None, report: IngestReport, max_sentence_chars: int
) -> None:
    status, old_id = store.find_existing(article)
    if status == "unchanged":
        stale = [i for i in store.ids_with_path(article.path) if i != article.id] if article.path else []
        for other in stale:  # an older version of this file, left by a replace that was interrupted
            store.remove(other)
        (report.replaced if stale else report.unchanged).append(article.id)
        return
    sentences = segment(article, max_sentence_chars)
    if not sentences:
        report.failed.append((article.path or article.id, "no sentences found in the text"))
        return
    records: list[Attribution] = []
    speakers: dict[int, str] = {}
    if extractor is not None:
        records, speakers = extractor(article, sentences)
    if status == "changed" and old_id == article.id:
        store.remove(old_id)  # same id (a corpus record edited): the old rows must go first
    store.add(article, sentences, records, speakers)
    if status == "changed" and old_id is not None and old_id != article.id:
        store.remove(old_id)  # a file edited in place: drop the old version only once the new one is in
    (report.replaced if status == "changed" else report.added).append(article.id)


def refresh_attributions(
    store: SentenceStore, extractor: Extractor, version: str, *, progress: bool | None = None
) -> list[str]:
    """Re-extract the attributions of every stored article when the index records another
    extractor ``version`` (a newer cue lexicon or model): sentences and vectors are kept, so
    this costs a parse per article, not a re-embedding.  Returns the ids refreshed.

    ``progress=None`` shows a bar only on a terminal.  An article whose extraction fails keeps
    its old attributions (and is logged); the others go on.
    """
    from tqdm import tqdm

    if store.meta("extractor") == version:
        return []
    infos = store.articles()
    if infos:
        log.warning("The attribution extractor changed: refreshing the attributions of %d articles.", len(infos))
    done: list[str] = []
    disable = None if progress is None else not progress  # None: tqdm shows it on a terminal only
    for info in tqdm(infos, desc="Refreshing attributions", unit="article", disable=disable, file=sys.stderr):
        try:
            records, speakers = extractor(store.article(info.id), store.sentences(info.id))
            store.replace_attributions(info.id, records, speakers)
            done.append(info.id)
        except Exception:
            log.exception("could not refresh the attributions of %s; its old ones stay", info.id)
    store.set_meta("extractor", version)
    return done
