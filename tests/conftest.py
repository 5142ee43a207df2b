"""Shared fixtures: offline environment, the sample article, fake and real assistants."""

from __future__ import annotations

from pathlib import Path

from assistant.offline import use_offline_env

use_offline_env(override=True)

import pytest  # noqa: E402

from assistant.core import Assistant  # noqa: E402
from assistant.errors import ModelUnavailableError  # noqa: E402
from assistant.retrieval import DenseRetriever  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from index.attribution import load_nlp  # noqa: E402
from index.embed import HashEmbedder  # noqa: E402
from index.store import SentenceStore  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "balochistan-ians-2026-02-04.txt"


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


def make_fake_assistant(data_dir: Path, **settings: object) -> Assistant:
    """An assistant with the hash-seeded embedder: real Chroma, no model loading."""
    config = Settings(data_dir=data_dir, generator="extractive", **settings)  # type: ignore[arg-type]
    store = SentenceStore(config.index_dir, HashEmbedder())
    return Assistant(store, DenseRetriever(store, window=config.window), None, config)


@pytest.fixture
def fake_assistant(tmp_path: Path) -> Assistant:
    return make_fake_assistant(tmp_path / "data", refusal_threshold=0.3)


@pytest.fixture(scope="session")
def real_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("real-data")


@pytest.fixture(scope="session")
def real_assistant(real_data_dir: Path) -> Assistant:
    """The real MiniLM embedder and Chroma store with the sample article ingested (once per run)."""
    assistant = Assistant.open(real_data_dir, Settings(generator="extractive"))
    assistant.add([SAMPLE])
    return assistant
