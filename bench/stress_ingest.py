"""Crash safety of ingest: SIGKILL the ingest process at random moments, restart, check.

Each round starts a child that opens the index (the store repairs what a kill left) with its
BM25 and passage indexes attached (rebuilt when their snapshot is older than the registry), checks
that registry, sentences, vectors, BM25, passages and attributions agree and that dense and BM25
queries work, prints that check, then ingests the corpus and saves the BM25/passage snapshots
(as ``Assistant.add`` does), printing ``STEP`` before each store write; the parent kills it
after a random number of writes plus a random delay, so kills land inside the ingest on any machine. When the corpus is
fully in, the parent rewrites a few articles so every round has work (adds and replaces).
After the last kill one child runs to completion and the index must hold exactly the corpus.

Run: ``python -m bench.stress_ingest --kills 50`` (``make stress``); tests run 5 kills.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["minister", "bridge", "council", "budget", "river", "police", "court", "school", "market", "hospital",
         "election", "farmers", "strike", "railway", "museum", "harbour", "drought", "vaccine", "tariff"]


def write_article(path: Path, seed: int, sentences: int = 60) -> None:
    rng = random.Random(seed)
    lines = [f"Story {seed}", ""]
    for i in range(sentences):
        a, b, c = rng.sample(WORDS, 3)
        lines.append(f"The {a} official said that the {b} plan for the {c} would change in week {i}.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        write_article(folder / f"story-{k:03d}.txt", k)


@dataclass(frozen=True)
class _Span:  # the fields of index.attribution.Span, without importing spaCy (seconds per child)
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Attribution:  # the fields of index.attribution.Attribution, as the store serialises them
    article_id: str
    cue_sentence: int
    source: _Span | None
    cue: _Span
    content: _Span
    speaker: str
    speaker_kind: str
    content_sentences: tuple[int, ...]


def _extract(article: Any, sentences: Any) -> tuple[list[Any], dict[int, str]]:
    """A tiny extractor: "The X official said that ..." → speaker "X official"."""
    found, speakers = [], {}
    for s in sentences:
        m = re.match(r"The (\w+ official) said that (.+)", s.text)
        if m:
            src = _Span(s.start + m.start(1), s.start + m.end(1), m.group(1))
            cue = _Span(s.start + m.end(1) + 1, s.start + m.end(1) + 5, "said")
            content = _Span(s.start + m.start(2), s.start + m.end(2), m.group(2))
            found.append(_Attribution(article.id, s.index, src, cue, content, m.group(1), "named", (s.index,)))
            speakers[s.index] = m.group(1)
    return found, speakers


def child(data_dir: Path, corpus: Path, ingest: bool) -> int:
    """Open (repair), check, print ``CHECK {...}``, then ingest and print ``DONE {...}``."""
    from index.consistency import component_ids, problems
    from index.embed import HashEmbedder
    from index.hybrid import ContextIndexes
    from index.ingest import ingest as run_ingest
    from index.store import SentenceStore

    store = SentenceStore(data_dir, HashEmbedder())
    indexes = ContextIndexes(store.directory, store.embedder)
    rebuilt = indexes.sync(store)
    store.listeners.append(indexes)
    question = "what did the bridge official say"
    found = [h.sentence.article_id for h in store.search(question, 3)]
    found += [aid for aid, _, _ in indexes.sentences.search(question, 3)]
    found += [p.article_id for p, _ in indexes.passages.search_lexical(question, 3)]
    ids = component_ids(store)
    check = {"repairs": store.repairs, "rebuilt": rebuilt, "problems": problems(store), "articles": len(ids["registry"]),
             "query_ok": all(store.has(aid) for aid in found) and (len(found) >= 3 or not ids["registry"])}  # fmt: skip
    print("CHECK " + json.dumps(check), flush=True)
    if ingest:
        add, remove = store.add, store.remove

        def step(write: Any) -> Any:
            def announced(*args: Any, **kwargs: Any) -> Any:
                print("STEP", flush=True)  # the parent counts these to time its kill
                return write(*args, **kwargs)

            return announced

        store.add, store.remove = step(add), step(remove)  # type: ignore[method-assign]
        report = run_ingest(store, [corpus], extractor=_extract)
        store.flush()
        print("DONE " + json.dumps({**report.to_dict(), "ids": sorted(component_ids(store)["registry"])}), flush=True)
    return 0


@dataclass
class StressResult:
    kills: int = 0
    rounds: int = 0
    repairs: int = 0
    rebuilds: int = 0  # restarts whose BM25/passage snapshot was older than the registry
    checks: int = 0
    errors: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _spawn(data_dir: Path, corpus: Path, ingest: bool = True) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "bench.stress_ingest", "--child", str(data_dir), str(corpus)]
    return subprocess.Popen([*cmd, *([] if ingest else ["--check-only"])], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)  # fmt: skip


def _read_check(proc: subprocess.Popen[str], result: StressResult, timeout: float) -> dict[str, Any] | None:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            result.errors.append(f"child ended before its check: {proc.wait()} {proc.stderr.read()[-800:] if proc.stderr else ''}")
            return None
        if line.startswith("CHECK "):
            check = json.loads(line[6:])
            result.repairs += len(check["repairs"])
            result.rebuilds += bool(check["rebuilt"])
            result.checks += 1
            if check["problems"] or not check["query_ok"]:
                result.errors.append(f"inconsistent after restart: {check}")
            return dict(check)
    result.errors.append("no check within the timeout")
    return None


def expected_ids(corpus: Path) -> set[str]:
    from index.readers import read_articles

    return {a.id for a in read_articles([corpus])[0]}


def run(kills: int, articles: int = 12, seed: int = 0, max_delay: float = 1.0, budget: float = 900.0) -> StressResult:
    rng = random.Random(seed)
    result = StressResult()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sourced-stress-") as tmp:
        data_dir, corpus = Path(tmp) / "index", Path(tmp) / "corpus"
        make_corpus(corpus, articles)
        version = articles
        while result.kills < kills and time.monotonic() - started < budget:
            result.rounds += 1
            proc = _spawn(data_dir, corpus)
            if _read_check(proc, result, 120) is None:
                proc.kill()
                proc.wait()
                break
            # the kill lands inside the ingest whatever the machine's speed: after a random number of
            # store writes (STEP lines) plus a random delay, i.e. inside an embedding, a Chroma write,
            # a registry commit, a removal or the snapshot save
            steps, target = 0, rng.randint(0, articles)
            assert proc.stdout is not None
            while steps < target and (line := proc.stdout.readline()) and not line.startswith("DONE "):
                steps += line.startswith("STEP")
            time.sleep(rng.uniform(0.0, max_delay))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.communicate()
                result.kills += 1
            else:  # finished before the kill: give the next round work (new text for a few files)
                proc.communicate()
                for k in rng.sample(range(articles), 3):
                    version += 1
                    write_article(corpus / f"story-{k:03d}.txt", version)
        final = _spawn(data_dir, corpus)
        _read_check(final, result, 120)
        out, err = final.communicate(timeout=600)
        done = next((json.loads(line[5:]) for line in out.splitlines() if line.startswith("DONE ")), None)
        if done is None:
            result.errors.append(f"final ingest did not finish: {err[-800:]}")
        else:
            result.errors += [f"failed: {f}" for f in done["failed"]]
            want, have = expected_ids(corpus), set(done["ids"])
            result.lost, result.extra = sorted(want - have), sorted(have - want)
        last = _spawn(data_dir, corpus, ingest=False)
        check = _read_check(last, result, 120)
        last.communicate(timeout=60)
        if check is not None and (check["rebuilt"] or check["articles"] != len(expected_ids(corpus))):
            result.errors.append(f"the completed ingest did not leave a current index: {check}")
    result.seconds = round(time.monotonic() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=50)
    p.add_argument("--articles", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--budget", type=float, default=900.0, help="seconds before the rounds stop")
    p.add_argument("--out", type=Path)
    p.add_argument("--child", nargs=2, type=Path, metavar=("DATA_DIR", "CORPUS"))
    p.add_argument("--check-only", action="store_true")
    args = p.parse_args(argv)
    if args.child:
        from assistant.offline import use_offline_env

        use_offline_env(override=True)
        return child(args.child[0], args.child[1], ingest=not args.check_only)
    result = run(args.kills, args.articles, args.seed, budget=args.budget)
    text = json.dumps(asdict(result), indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if not (result.errors or result.lost or result.extra) and result.kills >= args.kills else 1


if __name__ == "__main__":
    sys.exit(main())
