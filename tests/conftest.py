"""Shared fixtures: offline environment, the sample article, fake and real assistants."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from assistant.offline import use_offline_env

use_offline_env(override=True)

import pytest  # noqa: E402

from assistant import Assistant, ModelUnavailableError, Settings  # noqa: E402
from index.attribution import Attribution, Span, load_nlp  # noqa: E402
from index.embed import HashEmbedder  # noqa: E402
from index.ingest import Extractor, sentence_speakers  # noqa: E402
from index.store import SentenceStore  # noqa: E402
from index.types import Article, Sentence  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "balochistan-ians-2026-02-04.txt"
#: Conversations of the concurrency tests (a question and its follow-up) on the sample article.
TWO_TURN_CHATS = [
    ("Who claimed 280 personnel were killed?", "What else did they say?"),
    ("What did Khawaja Asif admit?", "What else did he say?"),
    ("How many fighters did the BLA say it lost?", "Who said that?"),
    ("What happened in Balochistan?", "Where did it happen?"),
    ("Who is the Defence Minister of Pakistan?", "What did he say about the rebels?"),
]
#: An article unrelated to them, ingested beside the conversations.
GARDEN = "The gardener said that tomatoes need {n} hours of sun. Compost was added to bed {n} in spring.\n"


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The spaCy pipeline the attribution extractor uses (loaded once per run)."""
    try:
        return load_nlp()
    except ModelUnavailableError as exc:  # pragma: no cover - depends on the install
        pytest.skip(str(exc))


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


_SAID = re.compile(r"^(?P<source>[^“\"]+?),? (?:has |have )?(?P<cue>said|admitted|claimed) that (?P<content>.+)$")
_PRONOUNS = {"he", "she", "they", "it", "we"}


def fake_extractor(article: Article, sentences: list[Sentence]) -> tuple[list[Attribution], dict[int, str]]:
    """A stand-in for spaCy: "<source> [has] said/admitted/claimed that <content>" in one sentence.

    The speaker is the source's last comma- or "as"-separated part ("Even Pakistan’s Defence
    Minister, Khawaja Asif," → "Khawaja Asif"); a pronoun ("He also") is the latest speaker.
    Enough to drive the attribution route without loading a parser.
    """
    found: list[Attribution] = []
    latest = ""
    for s in sentences:
        m = _SAID.match(s.text)
        if m is None:
            continue

        def span(group: str, s: Sentence = s, m: re.Match[str] = m) -> Span:
            return Span(s.start + m.start(group), s.start + m.end(group), m.group(group))

        speaker = re.split(r",\s*| as ", m.group("source").strip(", "))[-1]
        speaker = re.sub(r"^(?:Even|But|And)\s+", "", speaker)
        speaker = latest if speaker.split()[0].lower() in _PRONOUNS else speaker
        latest = speaker
        found.append(Attribution(article.id, s.index, span("source"), span("cue"), span("content"),
                                 speaker, "named" if speaker else "unresolved", (s.index,)))  # fmt: skip
    return found, sentence_speakers(found)


class RecordingEmbedder:
    """An embedder (the hash one by default) that records every text it is given, in order."""

    def __init__(self, inner: Any = None) -> None:
        self.inner = inner or HashEmbedder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str]) -> Any:
        self.seen.extend(texts)
        return self.inner.embed(texts)


def make_fake_assistant(data_dir: Path, *, extractor: Extractor | None = None, **settings: object) -> Assistant:
    """An assistant with the hash-seeded embedder: real Chroma, no model loading."""
    config = Settings(data_dir=data_dir, generator="extractive", **settings)  # type: ignore[arg-type]
    return Assistant.build(SentenceStore(config.index_dir, HashEmbedder()), config, extractor=extractor)


@pytest.fixture
def shared_member() -> Any:
    """``shared_member(data_dir, port, collection)``: a fake assistant (hash embedder, fake extractor)
    whose vectors and registry live on the Chroma server at 127.0.0.1:``port``."""

    def member(data_dir: Path, port: int, collection: str) -> Assistant:
        config = Settings(data_dir=data_dir, generator="extractive", refusal_threshold=0.3, store_backend="server",
                          chroma_port=port, chroma_collection=collection, sync_interval=0)  # fmt: skip
        store = SentenceStore(config.index_dir, HashEmbedder(), config.backend, config.sync_interval)
        return Assistant.build(store, config, extractor=fake_extractor)

    return member


@pytest.fixture
def fake_assistant(tmp_path: Path) -> Assistant:
    return make_fake_assistant(tmp_path / "data", refusal_threshold=0.3)


@pytest.fixture
def dense_assistant(tmp_path: Path) -> Assistant:
    """The old path: dense retrieval only and the cosine refusal cut-off."""
    return make_fake_assistant(tmp_path / "dense", retrieval="dense", answerability="cutoff", refusal_threshold=0.3)


@pytest.fixture
def attribution_assistant(tmp_path: Path) -> Assistant:
    """A fake assistant whose articles get attributions from :func:`fake_extractor`."""
    return make_fake_assistant(tmp_path / "data", extractor=fake_extractor, refusal_threshold=0.3)


@pytest.fixture(scope="session")
def real_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("real-data")


@pytest.fixture(scope="session")
def real_assistant(real_data_dir: Path) -> Assistant:
    """The real MiniLM embedder and Chroma store with the sample article ingested (once per run)."""
    assistant = Assistant.open(real_data_dir, Settings(generator="extractive"))
    assistant.add([SAMPLE])
    return assistant


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(args: Sequence[str], ready_url: str, *, timeout: float, **popen: Any) -> Iterator[subprocess.Popen[Any]]:
    """A server started as a child process, once ``ready_url`` answers; stopped by its PID after."""
    proc = subprocess.Popen(list(args), **popen)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{args[1:3]} exited with code {proc.returncode} before it served {ready_url}")
            try:
                urllib.request.urlopen(ready_url, timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{args[1:3]} did not serve {ready_url} within {timeout:.0f} s")
                time.sleep(1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def servers() -> SimpleNamespace:
    """``servers.free_port()`` and ``with servers.running(args, ready_url, timeout=…)`` for tests that
    start a server (a fixture, so test modules never import this conftest by name)."""
    return SimpleNamespace(free_port=free_port, running=running)
