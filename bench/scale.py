"""Scale: ingest throughput against a bare encode, and query latency, memory and disk by size and backend.

1. **Ingest ratio** (one run, same sentences): a bare MiniLM encode of the segmented sentences of
   ``--ratio-articles`` PolNeAR dev articles, then the full ingest of the same articles (segment,
   spaCy extraction, embedding with a fresh cache, Chroma, SQLite, BM25, passages).
2. **Real corpus** (``--real``): PolNeAR dev + train, GGT dev and the repo's sample (~970 articles),
   ingested fully; its vectors and attributions are kept for the synthetic articles.
3. **Synthetic corpus** (``--synthetic N``): articles built from the real ones: each copies a real
   article's sentences with its speakers renamed to fresh names (seeded) and a fresh date. They
   **skip segmentation, parsing and embedding**: sentence offsets are recomputed, attributions are
   the source article's with renamed speakers, and each sentence reuses its source sentence's
   vector (the renamed text is not re-embedded), and each title its source title's. Everything after that is the real store path
   (Chroma, SQLite, BM25, passages, speaker lookup).

For each size and backend (embedded Chroma, a ``chroma run`` server started and stopped here):
ingest sentences/s, p50/p95 query latency on the extractive route (news questions, no LLM) and
the attribution route ("who said ..." and "what did X say?"), resident memory (VmRSS, VmHWM) and
disk (data dir + server dir).

Run: ``make bench-scale`` (``SCALE_SIZES``, ``SCALE_BACKENDS`` override the sizes and backends).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from assistant import Assistant, Settings
from index.attribution import Attribution, Span, extractor_version
from index.backend import ChromaBackend
from index.embed import MiniLMEmbedder, limit_blas_threads
from index.embed_cache import CachedEmbedder
from index.ingest import extract_for_store, ingest, sentence_speakers
from index.passages import heading
from index.readers import iter_articles
from index.segment import segment
from index.store import SentenceStore
from index.types import Article, Sentence

ROOT = Path(__file__).resolve().parent.parent
BATCH_ARTICLES = 100  # copied or synthetic articles stored per add_many call
REAL_COLLECTION = "scalereal"  # the real corpus's collection (run_size's "scale" + label)
_FIRST = ("Ada", "Bela", "Cyrus", "Dana", "Elio", "Fay", "Gus", "Hana", "Ivo", "Jana", "Kofi", "Lena")
_LAST = ("Abara", "Brandt", "Castillo", "Duarte", "Eklund", "Fofana", "Grimaldi", "Haddad", "Ibsen", "Moreau")


def _rss() -> dict[str, float]:
    status = Path("/proc/self/status").read_text()
    got = {k: float(v.split()[0]) / 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.+)$", status, re.M)}
    return {"rss_mb": round(got.get("VmRSS", 0), 1), "peak_rss_mb": round(got.get("VmHWM", 0), 1)}


def _written() -> int:
    """Bytes this process has caused to be written to disk so far (``/proc/self/io``; 0 elsewhere)."""
    try:
        return int(re.search(r"^write_bytes:\s+(\d+)", Path("/proc/self/io").read_text(), re.M).group(1))  # type: ignore[union-attr]
    except (OSError, AttributeError):
        return 0


def _du(*paths: Path) -> float:
    total = sum(f.stat().st_size for p in paths if p.exists() for f in p.rglob("*") if f.is_file())
    return round(total / 1e6, 1)


class LentVectors:
    """An embedder that answers some texts with vectors lent by other texts, and the rest from
    ``inner``: a synthetic title (renamed, another year) gets its source title's vector instead of
    being encoded, so the run measures the store, not the encoder. Only the last batch's loans are
    kept; nothing lent reaches the disk cache.

    Example:
        >>> from index.embed import HashEmbedder
        >>> lent = LentVectors(HashEmbedder(dim=8))
        >>> lent.lend(["Imran spoke (2031)"], lent.embed(["Asif spoke (2019)"]))
        >>> bool(np.allclose(lent.embed(["Imran spoke (2031)"]), lent.embed(["Asif spoke (2019)"])))
        True
    """

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self._lent: dict[str, np.ndarray] = {}

    @property
    def hits(self) -> int:
        return int(getattr(self.inner, "hits", 0))

    def lend(self, texts: list[str], vectors: np.ndarray) -> None:
        self._lent = dict(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        own = [t for t in dict.fromkeys(texts) if t not in self._lent]
        found = {**self._lent, **dict(zip(own, self.inner.embed(own) if own else [], strict=True))}
        return np.array([found[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dim)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    """``chroma run`` on a free port of 127.0.0.1 until the block ends (stopped by its PID)."""
    port = _free_port()
    chroma = str(Path(sys.executable).with_name("chroma"))
    proc = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=5).close()
                break
            except OSError:
                time.sleep(1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _cpu() -> float:
    """CPU seconds of this process (all threads) and of its children that have exited (the
    ingest's parser process)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def ingest_ratio(shared: Path, n_articles: int, workdir: Path) -> dict[str, Any]:
    """Bare encode vs the full ingest of the same sentences, in this one run. The ingest's parser
    process starts inside the timing (its spaCy load included); its CPU counts in ``ingest_cpu_s``."""
    articles = [a for a in iter_articles([shared / "data/polnear/articles-dev.jsonl"]) if isinstance(a, Article)]
    articles = articles[:n_articles]
    texts = [s.text for a in articles for s in segment(a)]
    encoder = MiniLMEmbedder()
    encoder.embed(["warm up"])
    extract_for_store.warm()  # load spaCy here too, outside the timing (a small ingest parses in this process)
    start, cpu = time.perf_counter(), _cpu()
    encoder.embed(texts)
    bare, bare_cpu = time.perf_counter() - start, _cpu() - cpu
    store = SentenceStore(workdir / "ratio-index", CachedEmbedder(encoder, workdir / "ratio-cache.sqlite3"))
    from index.hybrid import attach_context_indexes

    attach_context_indexes(store)
    jsonl = _jsonl(articles, workdir / "ratio.jsonl")  # the same articles, through the ordinary reader
    start, cpu = time.perf_counter(), _cpu()
    report = ingest(store, [jsonl], extractor=extract_for_store)
    store.flush()
    full, full_cpu = time.perf_counter() - start, _cpu() - cpu
    assert store.count() == len(texts), (store.count(), len(texts))
    return {"articles": len(report.added), "sentences": len(texts),
            "bare_encode_sentences_per_s": round(len(texts) / bare, 1),
            "ingest_sentences_per_s": round(len(texts) / full, 1), "ratio": round(bare / full, 3),
            "bare_encode_s": round(bare, 1), "ingest_s": round(full, 1),
            # CPU seconds (all threads, and the parser process): the work ratio, robust to other load
            "bare_encode_cpu_s": round(bare_cpu, 1), "ingest_cpu_s": round(full_cpu, 1),
            "cpu_ratio": round(bare_cpu / full_cpu, 3),
            "embed_cache_hits": store.embedder.hits}  # type: ignore[attr-defined]  # fmt: skip


def real_paths(shared: Path, limit: int, workdir: Path) -> list[Path]:
    """The real corpus, or its first ``limit`` articles (written to one JSON-lines file)."""
    paths = [shared / "data/polnear/articles-dev.jsonl", shared / "data/polnear/articles-train.jsonl",
             shared / "data/ggt/articles-dev.jsonl", ROOT / "samples"]  # fmt: skip
    if not limit:
        return paths
    articles = [a for a in iter_articles(paths) if isinstance(a, Article)][:limit]
    return [_jsonl(articles, workdir / f"real-{limit}.jsonl")]


def _jsonl(articles: list[Article], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": a.id, "title": a.title, "text": a.text, "date": a.date,
                                        "source": a.source}) + "\n" for a in articles))  # fmt: skip
    return path


def _renamer(names: dict[str, str]) -> Callable[[str], str]:
    """Replaces each of ``names`` (longest first) in one pass: a ``str.replace`` per name, per
    sentence and per attribution span took 30% of the 100k run (py-spy at 62k articles)."""
    if not names:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(old) for old in sorted(names, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda m: names[m.group(0)], text)


Parsed = tuple[Article, list[Sentence], list[Attribution], np.ndarray]


def copies(source: SentenceStore) -> Iterator[Parsed]:
    """``source``'s articles as they are stored: text, sentences, attributions and vectors."""
    for aid in source.article_ids():
        sents = source.sentences(aid)
        yield source.article(aid), sents, source.attributions(aid), source.vectors(aid, [s.index for s in sents])


def synthetic(source: SentenceStore, n: int, seed: int = 0, origins: dict[str, Article] | None = None) -> Iterator[Parsed]:
    """``n`` articles made from ``source``'s: speakers renamed, a fresh date, source vectors reused
    (``origins``, when given, gets each new article's source article by id)."""
    rng = random.Random(seed)
    parsed = {article.id: (article, sents, notes, vectors) for article, sents, notes, vectors in copies(source)}
    ids = list(parsed)
    for i in range(n):
        real, sents, notes, vectors = parsed[ids[i % len(ids)]]
        people = {a.speaker for a in notes if a.speaker_kind == "named" and len(a.speaker.split()) >= 2}
        names = {p: f"{rng.choice(_FIRST)} {rng.choice(_LAST)}{i}" for p in sorted(people, key=len, reverse=True)}
        names.update({p.split()[-1]: n.split()[-1] for p, n in names.items()})
        aid = f"syn{i:06d}"
        rename = _renamer(names)
        parts, new_sents, pos, previous_end = [], [], 0, 0
        for s in sents:
            gap = real.text[previous_end : s.start]
            previous_end = s.end
            parts.append(gap)
            pos += len(gap)
            text = rename(s.text)
            new_sents.append(Sentence(aid, s.index, pos, pos + len(text), text))
            parts.append(text)
            pos += len(text)
        body = "".join(parts)
        date = f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        article = Article(aid, rename(real.title), body, date, real.source)
        if origins is not None:
            origins[aid] = real

        def span(old: Span | None, index: int, body: str = body, rename: Callable[[str], str] = rename,
                 sents: list[Sentence] = new_sents) -> Span | None:  # fmt: skip
            if old is None:
                return None
            text = rename(old.text)
            at = max(body.find(text, sents[index].start), sents[index].start)
            return Span(at, at + len(text), text)

        renamed = [
            Attribution(aid, a.cue_sentence, span(a.source, a.cue_sentence), span(a.cue, a.cue_sentence) or a.cue,
                        span(a.content, a.cue_sentence) or a.content, names.get(a.speaker, a.speaker),
                        a.speaker_kind, a.content_sentences)
            for a in notes
        ]  # fmt: skip
        yield article, new_sents, renamed, vectors


def questions(shared: Path, speakers: list[str], n: int, seed: int = 0) -> dict[str, list[str]]:
    rng = random.Random(seed)

    def read(path: Path) -> list[str]:
        return [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]

    news = read(shared / "eval/newsqa-dev.jsonl")
    who = read(shared / "eval/polnear-who-said-dev.jsonl")
    what = [f"What did {s} say?" for s in speakers]
    return {"extractive": rng.sample(news, min(n, len(news))), "who_said": rng.sample(who, min(n, len(who))),
            "what_did_x_say": rng.sample(what, min(n, len(what)))}  # fmt: skip


def latencies(assistant: Assistant, qs: list[str]) -> dict[str, Any]:
    start = time.perf_counter()
    assistant.ask(qs[0])  # warm-up (builds BM25 / passage matrices / speaker lookup after the ingest)
    first = 1000 * (time.perf_counter() - start)
    times: list[float] = []
    routes: dict[str, int] = {}
    for q in qs:
        start = time.perf_counter()
        answer = assistant.ask(q)
        times.append(1000 * (time.perf_counter() - start))
        routes[answer.generator] = routes.get(answer.generator, 0) + 1
    return {"n": len(times), "p50_ms": round(float(np.percentile(times, 50)), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1), "routes": routes,
            "first_ms": round(first, 1)}  # fmt: skip


def after_an_add(store: SentenceStore, assistant: Assistant, question: str) -> dict[str, float]:
    """One stored article copied under a new id (``add_ms``), saved as the app saves after an add
    (``save_ms``), then one question timed: what the first question after a change costs."""
    article, sentences, _notes, vectors = next(copies(store))
    aid, new = article.id, f"{article.id}-again"
    copy = Article(new, article.title, article.text, article.date, article.source)
    sents = [Sentence(new, s.index, s.start, s.end, s.text) for s in sentences]
    start = time.perf_counter()
    errors = store.add_many([(copy, sents, [], {}, vectors)])
    added = time.perf_counter() - start
    if errors[0] is not None:
        raise RuntimeError(f"could not add a copy of {aid}: {errors[0]}")
    start = time.perf_counter()
    store.flush()  # as Assistant.add does: the BM25/passage change journaled (or full snapshots)
    saved = time.perf_counter() - start
    start = time.perf_counter()
    assistant.ask(question)
    return {"add_ms": round(1000 * added, 1), "save_ms": round(1000 * saved, 1),
            "first_question_ms": round(1000 * (time.perf_counter() - start), 1)}


def run_size(label: str, backend: str, real_store: SentenceStore | None, shared: Path, n: int,
             workdir: Path, n_questions: int, port: int | None) -> tuple[dict[str, Any], SentenceStore]:  # fmt: skip
    """Ingest the real corpus (``real_store`` None: parsed here, ``n``: a limit; ``n`` 0 with a
    ``real_store``: its articles copied, parse and embedding reused) or ``n`` synthetic articles
    built from ``real_store``'s, then measure. Returns the figures and the store."""
    data = workdir / f"{label}-{backend}"
    shutil.rmtree(data, ignore_errors=True)
    settings = Settings(data_dir=data, generator="extractive", chroma_port=port or 8000,
                        chroma_collection=f"scale{label}").updated(store_backend=backend)  # fmt: skip
    cache = workdir / "embeddings.sqlite3"  # shared by every run: real sentences are embedded once
    embedder = LentVectors(CachedEmbedder(MiniLMEmbedder(), cache))
    store = SentenceStore(settings.index_dir, embedder, settings.backend)
    store.set_meta("extractor", extractor_version())  # as Assistant.open does: opening it later re-extracts nothing
    from index.hybrid import attach_context_indexes

    attach_context_indexes(store)
    start, written = time.perf_counter(), _written()
    making = 0.0  # seconds spent making the synthetic articles (the bench's work, not the store's)
    if real_store is None:  # the real corpus, fully: parsing included (embeddings cached after the first run)
        report = ingest(store, real_paths(shared, n, workdir), extractor=extract_for_store, progress=True)
        added = len(report.added)
    else:
        added = 0
        origins: dict[str, Article] = {}
        items = iter(synthetic(real_store, n, origins=origins) if n else copies(real_store))
        while True:
            mark = time.perf_counter()
            batch = list(islice(items, BATCH_ARTICLES))  # one Chroma write per batch (add_many)
            making += time.perf_counter() - mark
            if not batch:
                break
            # A synthetic title (renamed, another year) lends its source title's vector, as its
            # sentences lend theirs: the store's work is measured, not the encoder's (which took
            # half the time of the 100k run by 22k articles). Copies' titles are in the cache.
            heads = [(heading(a), heading(origins.pop(a.id, a))) for a, *_ in batch]
            heads = [(new, old) for new, old in heads if new and old]
            embedder.lend([new for new, _ in heads], embedder.embed([old for _, old in heads]))
            errors = store.add_many([(a, sents, notes, sentence_speakers(notes), v) for a, sents, notes, v in batch])
            failed = [e for e in errors if e is not None]
            if failed:
                raise RuntimeError(f"{len(failed)} of {len(batch)} articles were not stored: {failed[0]}")
            added += len(batch)
            if added % 1000 < BATCH_ARTICLES:
                rate = store.count() / (time.perf_counter() - start - making)
                print(f"  {label}/{backend}: {added} articles, {rate:.0f} sentences/s stored, "
                      f"rss {_rss()['rss_mb']:.0f} MB, {time.perf_counter() - start:.0f} s "
                      f"({making:.0f} s making articles)", file=sys.stderr)  # fmt: skip
    store.flush()
    seconds = time.perf_counter() - start - making
    sentences = store.count()
    assistant = Assistant.build(store, settings, extractor=extract_for_store)
    speakers = sorted({s for _a, s, _t in store.attribution_speakers() if len(s.split()) >= 2})
    qs = questions(shared, speakers, n_questions)
    result = {"articles": added, "sentences": sentences, "ingest_seconds": round(seconds, 1),
              "making_articles_seconds": round(making, 1), "ingest_written_gb": round((_written() - written) / 1e9, 2),
              "ingest_sentences_per_s": round(sentences / seconds, 1),
              "queries": {route: latencies(assistant, q) for route, q in qs.items() if q}}  # fmt: skip
    result["after_an_add"] = after_an_add(store, assistant, qs["extractive"][1])
    result.update(_rss())
    result["disk_mb"] = _du(data)
    result["load_average"] = _load()
    return result, store


def _load() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--cache", type=Path, default=None, help="work directory (default: a temp dir)")
    parser.add_argument("--ratio-articles", type=int, default=84)
    parser.add_argument("--synthetic", default="100000", help="comma-separated synthetic sizes (0: none)")
    parser.add_argument("--backends", default="embedded,server")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--skip-ratio", action="store_true")
    parser.add_argument("--real-limit", type=int, default=0, help="only the first N real articles (0: all)")
    parser.add_argument("--parsed-from", type=Path, default=None,
                        help="the index dir of an earlier run's parsed real corpus (embedded): copied, not parsed again")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench-scale.json")
    args = parser.parse_args(argv)
    limit_blas_threads(Settings().blas_threads)  # as the app's factory does (assistant.factory.open_store)
    workdir = args.cache or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}

    def save() -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, indent=2))
        print(json.dumps(out, indent=2))

    if not args.skip_ratio and args.ratio_articles:
        out["ingest_ratio"] = ingest_ratio(args.shared, args.ratio_articles, workdir / "ratio")
        save()
    sizes = [int(s) for s in args.synthetic.split(",") if s.strip() and int(s) > 0]
    parsed: SentenceStore | None = None  # the real corpus parsed once (first backend); later backends copy it
    if args.parsed_from:
        # its own collection name: under another, every article would look incomplete and be removed
        parsed = SentenceStore(args.parsed_from, CachedEmbedder(MiniLMEmbedder(), workdir / "embeddings.sqlite3"),
                               ChromaBackend(collection=REAL_COLLECTION))  # fmt: skip
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        server_dir = workdir / f"chroma-server-{backend}"
        shutil.rmtree(server_dir, ignore_errors=True)
        with chroma_server(server_dir) if backend == "server" else _no_server() as port:
            real, store = run_size("real", backend, parsed, args.shared, 0 if parsed else args.real_limit,
                                   workdir, args.questions, port)  # fmt: skip
            real["parsed_here"] = parsed is None
            real["server_disk_mb"] = _du(server_dir)
            out.setdefault(backend, {})["real"] = real
            save()
            parsed = parsed or store
            for size in sizes:
                result, _ = run_size(f"syn{size}", backend, parsed, args.shared, size, workdir, args.questions, port)
                result["server_disk_mb"] = _du(server_dir)
                out[backend][f"synthetic_{size}"] = result
                save()
    return 0


@contextmanager
def _no_server() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    raise SystemExit(main())
