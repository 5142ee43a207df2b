"""Attribution extraction in a child process, beside the sentence encoder.

On two cores, spaCy parsing in the ingest's own process slows the encoder more than its share:
the parser holds the GIL between the encoder's torch calls, and three busy threads (the parser and
torch's two) fight over two cores. The batched ingest (:mod:`index.batch_ingest`) therefore hands
the parse to one child process while it encodes: with one torch thread while the child is busy and
all of them while it is idle (:func:`index.embed.encoder_threads`). The child caps its BLAS at one
thread.

The child is ``python -m index.parse_worker``, talking pickles over two pipes: unlike
multiprocessing's ``spawn``, it never re-runs the caller's main script, so a script without an
``if __name__ == "__main__"`` guard is safe. The extractor is pickled to the child, so it must
depend only on its input: the child has its own spaCy pipeline and gives the same attributions.

Example:
    >>> from index.ingest import SpacyExtractor
    >>> with ParserProcess(SpacyExtractor()) as parser:          # doctest: +SKIP
    ...     found = parser.submit([(article, sentences)]).result()
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.types import Article, Sentence

log = logging.getLogger(__name__)

#: (article, its sentences), as an extractor's ``many`` takes them.
Pairs = Sequence[tuple["Article", list["Sentence"]]]


class ParserStopped(RuntimeError):
    """The parser process is gone (it failed to start, crashed, or was stopped)."""


class ParserProcess:
    """One child process running ``extractor.many`` on chunks of articles, in submission order.

    ``busy()`` tells whether the child has work (the encoder then keeps to one thread). If the child
    dies, its pending futures fail with :class:`ParserStopped` and ``submit`` raises it: the caller
    extracts in its own process instead.

    Example:
        >>> from index.ingest import SpacyExtractor
        >>> with ParserProcess(SpacyExtractor()) as parser:   # doctest: +SKIP
        ...     parser.busy()
        True
    """

    def __init__(self, extractor: Any) -> None:
        up_read, up_write = os.pipe()  # child → parent
        down_read, down_write = os.pipe()  # parent → child
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "index.parse_worker", str(down_read), str(up_write)],
                pass_fds=(down_read, up_write), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env,
            )  # fmt: skip  # its stdout must not mix into ours (a CLI's JSON); warnings go to stderr
        finally:
            os.close(down_read)
            os.close(up_write)
        self._down: IO[bytes] = os.fdopen(down_write, "wb")
        self._up: IO[bytes] = os.fdopen(up_read, "rb")
        self._lock = threading.Lock()
        self._futures: dict[int, Future[Any]] = {}
        self._next = 0
        self._stopped = False
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        threading.Thread(target=self._write, name="parser-out", daemon=True).start()
        threading.Thread(target=self._read, name="parser-in", daemon=True).start()
        self._send("warm", extractor)

    def _send(self, kind: str, payload: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._stopped:
                raise ParserStopped("the parser process has stopped")
            number, self._next = self._next, self._next + 1
            self._futures[number] = future
        self._outbox.put(pickle.dumps((number, kind, payload), protocol=pickle.HIGHEST_PROTOCOL))
        return future

    def submit(self, pairs: Pairs) -> Future[list[Any]]:
        """Extract ``pairs`` in the child; the future holds one result per pair."""
        return self._send("many", list(pairs))

    def busy(self) -> bool:
        """Whether the child is starting or has chunks still to extract."""
        with self._lock:
            return any(not f.done() for f in self._futures.values())

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._process.pid

    def alive(self) -> bool:
        """Whether the child process is still running."""
        return self._process.poll() is None

    def _write(self) -> None:  # a thread: the encoder never waits on a full pipe
        try:
            while (message := self._outbox.get()) is not None:
                self._down.write(len(message).to_bytes(8, "little") + message)
                self._down.flush()
        except (OSError, ValueError):
            pass  # the child is gone; _read fails what is pending
        finally:
            with contextlib.suppress(OSError):
                self._down.close()  # the child's end of input: it exits

    def _read(self) -> None:  # a thread: resolves the futures as the child answers
        try:
            while (head := self._up.read(8)) and len(head) == 8:
                number, ok, value = pickle.loads(self._up.read(int.from_bytes(head, "little")))
                with self._lock:
                    future = self._futures.pop(number, None)
                if future is not None:
                    future.set_result(value) if ok else future.set_exception(RuntimeError(value))
        except Exception:
            log.debug("reading from the parser process failed", exc_info=True)
        with self._lock:
            self._stopped = True
            pending, self._futures = self._futures, {}
        for future in pending.values():
            future.set_exception(ParserStopped("the parser process stopped"))

    def close(self) -> None:
        """Let the child finish what it has, then stop it."""
        self._outbox.put(None)
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Stop the child now (an interrupt): pending work is dropped."""
        self._outbox.put(None)
        self._process.kill()
        self._process.wait()

    def __enter__(self) -> ParserProcess:
        return self

    def __exit__(self, kind: object, *_rest: object) -> None:
        if kind is None:
            self.close()
        else:
            self.kill()


def _serve(down: IO[bytes], up: IO[bytes]) -> None:
    """The child's loop: a ``warm`` message carries the extractor, ``many`` messages its work."""
    from index.embed import limit_blas_threads

    limit_blas_threads(1)  # the parent's encoder has the other core
    extractor: Any = None
    while (head := down.read(8)) and len(head) == 8:
        number, kind, payload = pickle.loads(down.read(int.from_bytes(head, "little")))
        try:
            if kind == "warm":
                extractor = payload
                warm = getattr(extractor, "warm", None)
                value: Any = warm() if warm is not None else None
            else:
                value = list(extractor.many(payload))
            answer = (number, True, value)
        except Exception as exc:
            answer = (number, False, f"{type(exc).__name__}: {exc}")
        message = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        up.write(len(message).to_bytes(8, "little") + message)
        up.flush()


if __name__ == "__main__":  # the child: python -m index.parse_worker DOWN_FD UP_FD
    # spaCy's small pipelines need no torch, but thinc imports it when installed: blocked, the
    # child starts in ~2 s instead of ~4.5 s of CPU, and holds ~200 MB less.
    sys.modules["torch"] = None  # type: ignore[assignment]
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        with os.fdopen(int(sys.argv[1]), "rb") as _down, os.fdopen(int(sys.argv[2]), "wb") as _up:
            _serve(_down, _up)
    except (BrokenPipeError, KeyboardInterrupt):  # the ingest was killed or interrupted: stop quietly
        sys.exit(0)
