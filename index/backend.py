"""Where the sentence vectors live: embedded Chroma in the index folder, or a Chroma server.

``embedded`` (the default) opens ``chromadb.PersistentClient`` in ``<index>/chroma``: one user,
one process. ``server`` talks to ``chroma run --path DIR --host H --port P`` through
``chromadb.HttpClient``, so a team can share one index; see :mod:`index.shared` for how the
article registry follows the server.  Collections are always opened with
``embedding_function=None``: vectors come from our embedder, and Chroma must never fetch its
default ONNX model.

Example:
    >>> ChromaBackend().kind
    'embedded'
    >>> ChromaBackend("server", port=8123).describe()
    'Chroma server 127.0.0.1:8123 (collection sentences)'
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from index.errors import StoreError

log = logging.getLogger(__name__)

BackendKind = Literal["embedded", "server"]


@dataclass(frozen=True)
class ChromaBackend:
    """Which Chroma to use. ``collection`` names the sentence collection (a server can hold
    several indexes side by side, each with its own ``<collection>-articles`` etc.).

    Example:
        >>> ChromaBackend("server", "10.0.0.5", 8000, "newsroom").is_server
        True
    """

    kind: BackendKind = "embedded"
    host: str = "127.0.0.1"
    port: int = 8000
    collection: str = "sentences"

    @property
    def is_server(self) -> bool:
        return self.kind == "server"

    def describe(self) -> str:
        if self.is_server:
            return f"Chroma server {self.host}:{self.port} (collection {self.collection})"
        return f"embedded Chroma (collection {self.collection})"

    def client(self, directory: Path) -> Any:
        """A Chroma client: persistent in ``directory/chroma`` or over HTTP to the server."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if not self.is_server:
            return chromadb.PersistentClient(path=str(Path(directory) / "chroma"), settings=settings)
        try:
            client = chromadb.HttpClient(host=self.host, port=self.port, settings=settings)
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"Cannot reach the Chroma server at {self.host}:{self.port} ({type(exc).__name__}: {exc}). "
                "Start it with `chroma run --path DIR --host HOST --port PORT`, or set "
                "SOURCED_STORE_BACKEND=embedded to use the index folder alone."
            ) from exc
        return client

    def open(self, client: Any, suffix: str = "", *, cosine: bool = True) -> Any:
        """The collection ``<collection><suffix>``, created if missing, without an embedding function."""
        metadata = {"hnsw:space": "cosine"} if cosine else None
        return client.get_or_create_collection(
            self.collection + suffix, embedding_function=None, metadata=metadata
        )
