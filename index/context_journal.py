"""The journal of the BM25 and passage indexes: what changed since their last full snapshot.

Saving the full snapshots after every add or remove rewrites every array (seconds at 100k
articles). Instead :class:`~index.hybrid.ContextIndexes` appends each change to this journal,
with a commit record carrying the store's generation, and writes full snapshots only when the
journal grows long. On open, the snapshots (at the journal's base generation) plus the journal's
changes up to the commit that matches the store's generation give the indexes back.

The file is a sequence of records, each a length-prefixed JSON header and, for an added article,
its passage vectors as raw float32 bytes: no pickle, so a data directory never runs code. A record
cut short by a kill ends the readable journal; only changes followed by a commit count.

Example:
    >>> import tempfile
    >>> journal = Journal(Path(tempfile.mkdtemp()) / "journal.bin", dim=2)
    >>> journal.reset("g1")
    >>> journal.append([("remove", "a1", None)], "g2") > 0
    True
    >>> journal.read()[0], [g for _ops, g in journal.read()[1]]
    ('g1', ['g2'])
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from index.passages import Passage

log = logging.getLogger(__name__)

#: One change: ("add", article id, prepared) or ("remove", article id, None); ``prepared`` is
#: what :meth:`~index.hybrid.ContextIndexes.prepare` returned for the article.
Op = tuple[str, str, Any]


def _frame(header: dict[str, Any], blob: bytes = b"") -> bytes:
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return len(head).to_bytes(8, "little") + head + len(blob).to_bytes(8, "little") + blob


class Journal:
    """Append-only changes after a base snapshot generation (see the module)."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path, self.dim = Path(path), dim

    def reset(self, base: str) -> None:
        """Start an empty journal after a full snapshot at generation ``base`` (atomically)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_bytes(_frame({"op": "base", "generation": base}))
        os.replace(tmp, self.path)

    def append(self, ops: list[Op], generation: str) -> int:
        """Append ``ops`` and a commit at ``generation``; returns the bytes written."""
        parts = []
        for kind, article_id, prepared in ops:
            if kind == "remove":
                parts.append(_frame({"op": "remove", "id": article_id}))
                continue
            sentence_tokens, (passages, matrix, words) = prepared
            header = {"op": "add", "id": article_id, "sentences": [[i, t] for i, t in sentence_tokens],
                      "passages": [[p.first, p.last] for p in passages], "words": words}  # fmt: skip
            parts.append(_frame(header, np.ascontiguousarray(matrix, dtype=np.float32).tobytes()))
        parts.append(_frame({"op": "commit", "generation": generation}))
        data = b"".join(parts)
        with open(self.path, "ab") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return len(data)

    def read(self) -> tuple[str | None, list[tuple[list[Op], str]], list[int]]:
        """The base generation, the committed batches ``(ops, generation)`` in order, and the file
        length after each commit (to cut a torn or unwanted tail). ``(None, [], [])`` when the
        journal is missing or unreadable."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return None, [], []
        base: str | None = None
        batches: list[tuple[list[Op], str]] = []
        ends: list[int] = []
        ops: list[Op] = []
        at = 0
        while at + 8 <= len(data):
            size = int.from_bytes(data[at : at + 8], "little")
            blob_at = at + 8 + size
            if blob_at + 8 > len(data):
                break
            blob_size = int.from_bytes(data[blob_at : blob_at + 8], "little")
            end = blob_at + 8 + blob_size
            if end > len(data):
                break
            try:
                header = json.loads(data[at + 8 : blob_at].decode("utf-8"))
                kind = header["op"]
                if kind == "base" and base is None and at == 0:
                    base = str(header["generation"])
                elif base is None:
                    break
                elif kind == "commit":
                    batches.append((ops, str(header["generation"])))
                    ends.append(end)
                    ops = []
                elif kind == "remove":
                    ops.append(("remove", str(header["id"]), None))
                elif kind == "add":
                    ops.append(("add", str(header["id"]), self._prepared(header, data[blob_at + 8 : end])))
                else:
                    break
            except (ValueError, KeyError, TypeError):
                log.warning("%s has an unreadable record at byte %d; reading stops there", self.path.name, at)
                break
            at = end
        return base, batches, ends

    def _prepared(self, header: dict[str, Any], blob: bytes) -> Any:
        aid = str(header["id"])
        passages = [Passage(aid, j, int(a), int(b)) for j, (a, b) in enumerate(header["passages"])]
        matrix = np.frombuffer(blob, dtype=np.float32).reshape(len(passages), self.dim).copy()
        sentence_tokens = [(int(i), [str(t) for t in tokens]) for i, tokens in header["sentences"]]
        return sentence_tokens, (passages, matrix, [[str(t) for t in w] for w in header["words"]])

    def cut(self, length: int) -> None:
        """Drop everything after ``length`` bytes (a torn record, or changes never committed)."""
        with open(self.path, "r+b") as out:
            out.truncate(length)
