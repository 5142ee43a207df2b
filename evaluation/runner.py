"""Run gold questions through an assistant and score them; prepare cached corpora.

Anything with ``chat() -> session`` and ``session.ask(question) -> Answer`` can be evaluated
(the real :class:`assistant.core.Assistant`, the LlamaIndex baseline, a test fake).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from assistant import Answer, InputError, Judge, Settings, SourcedError
from evaluation.gold import GoldItem
from evaluation.scoring import ItemScore, Summary, score_item, summarise, summarise_by_tag

log = logging.getLogger(__name__)

CACHE_MARKER = "eval-corpus.json"
DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"


class Session(Protocol):
    def ask(self, question: str) -> Answer: ...


class Askable(Protocol):
    """What the runner needs from an assistant."""

    def chat(self) -> Session: ...


@dataclass(frozen=True)
class ItemResult:
    """One gold item, the answer it got (None on error), and its scores.

    Example:
        >>> g = GoldItem(id="q", question="Who?", answers=["A"])
        >>> ItemResult(item=g, answer=None, score=score_item(g, None, error="boom")).score.failure
        'error'
    """

    item: GoldItem
    answer: Answer | None
    score: ItemScore
    history_answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class EvalResult:
    """Everything one evaluation run produced.

    Example:
        >>> EvalResult(system="fake", items=(), summary=summarise([])).summary.n
        0
    """

    system: str
    items: tuple[ItemResult, ...]
    summary: Summary
    by_tag: Mapping[str, Summary] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def ask_item(assistant: Askable, item: GoldItem) -> tuple[Answer, tuple[Answer, ...], float]:
    """Fresh session, replay ``history`` in order, ask the question; time only the last ask."""
    session = assistant.chat()
    earlier = tuple(session.ask(turn) for turn in item.history)
    started = time.perf_counter()
    answer = session.ask(item.question)
    return answer, earlier, time.perf_counter() - started


def run_eval(
    gold_items: Sequence[GoldItem],
    assistant: Askable,
    *,
    judge: Judge | None = None,
    limit: int | None = None,
    progress: bool = True,
    system: str = "sourced",
    notes: Sequence[str] = (),
) -> EvalResult:
    """Ask every gold question (first ``limit`` only) and score the answers.

    An exception while answering one item is recorded as failure kind ``error``.

    Example:
        >>> result = run_eval(load_gold("eval/sample-gold.jsonl"), assistant)  # doctest: +SKIP
        >>> result.summary.answer_accuracy                                    # doctest: +SKIP
    """
    items = list(gold_items)[: limit if limit is not None and limit >= 0 else None]
    results: list[ItemResult] = []
    bar = tqdm(items, desc=f"eval {system}", unit="q", disable=not progress, leave=False)
    for item in bar:
        try:
            answer, earlier, seconds = ask_item(assistant, item)
        except Exception as exc:  # one broken item must not end the run
            log.warning("item %s failed: %s: %s", item.id, type(exc).__name__, exc)
            error = f"{type(exc).__name__}: {exc}"
            results.append(ItemResult(item, None, score_item(item, None, error=error)))
            continue
        score = score_item(item, answer, seconds=seconds, judge=judge)
        results.append(ItemResult(item, answer, score, earlier))
    scores = [r.score for r in results]
    return EvalResult(system=system, items=tuple(results), summary=summarise(scores),
                      by_tag=summarise_by_tag(scores), notes=tuple(notes))


def corpus_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files a corpus consists of (folders expanded, hidden files skipped), sorted."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file()
                         and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"Corpus path not found: {raw}")
    return sorted({f.resolve() for f in files})


def corpus_key(paths: Sequence[str | Path], embedder: str = DEFAULT_EMBEDDER) -> str:
    """Hash of the corpus files (path, size, content sha256) and the embedder name.

    Example:
        >>> corpus_key(["samples/"]) == corpus_key(["samples"])  # doctest: +SKIP
        True
    """
    digest = hashlib.sha256(f"embedder={embedder}\n".encode())
    for path in corpus_files(paths):
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        digest.update(f"{path}\t{path.stat().st_size}\t{content}\n".encode())
    return digest.hexdigest()


def _open_real(data_dir: Path, settings: Settings | None) -> Any:
    from assistant import Assistant

    return Assistant.open(data_dir, settings=settings)


def prepare_corpus(
    corpus_paths: Sequence[str | Path],
    base_dir: str | Path,
    settings: Settings | None = None,
    *,
    opener: Callable[[Path, Settings | None], Any] | None = None,
) -> Path:
    """An isolated data dir under ``base_dir`` holding the corpus, built once and then re-used.

    The folder is ``base_dir/corpus-<key>``; it is re-used when its marker file records the same
    key, else rebuilt from scratch. ``opener(data_dir, settings)`` opens an assistant (default:
    ``Assistant.open``).

    Example:
        >>> prepare_corpus(["samples/"], "/tmp/sourced-eval")  # doctest: +SKIP
        PosixPath('/tmp/sourced-eval/corpus-3f0c...')
    """
    if not corpus_paths:
        raise InputError("Give at least one corpus file or folder (--corpus).")
    embedder = str(settings.embed_model) if settings and settings.embed_model else DEFAULT_EMBEDDER
    key = corpus_key(corpus_paths, embedder)
    data_dir = Path(base_dir) / f"corpus-{key[:16]}"
    marker = data_dir / CACHE_MARKER
    if marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")).get("key") == key:
                log.info("re-using evaluation corpus %s", data_dir)
                return data_dir
        except (OSError, ValueError):
            log.warning("unreadable cache marker %s; rebuilding", marker)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    assistant = (opener or _open_real)(data_dir, settings)
    report = assistant.add([str(p) for p in corpus_paths])
    for path, reason in getattr(report, "failed", []):
        log.warning("corpus file not indexed: %s: %s", path, reason)
    indexed = list(getattr(report, "added", [])) + list(getattr(report, "unchanged", [])) + list(
        getattr(report, "replaced", []))
    if not indexed:
        raise SourcedError(f"No article of the corpus could be indexed into {data_dir}.")
    marker.write_text(json.dumps({"key": key, "embedder": embedder, "articles": len(indexed),
                                  "paths": [str(p) for p in corpus_paths]}, indent=2),
                      encoding="utf-8")
    return data_dir
