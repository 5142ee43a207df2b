"""The local model in a supervised child process, so that native crashes cannot take the app down.

llama.cpp is native code: a CPU it was mis-built for (SIGSEGV/SIGILL), an out-of-memory kill or a
hang would end or freeze the whole app if the model ran in-process. :class:`WorkerLLM` runs any
:class:`~assistant.llm.LLM` backend (by default :class:`~assistant.llm.LocalLLM`) in a child
process started with ``python -m assistant.llm_worker`` and talks to it over a socket pair:

* a crash (the child dies) or a hang (no message and no CPU progress for ``timeout`` seconds, or
  no message within ``max_wait``) becomes
  :class:`~assistant.errors.LLMFailedError` with a message that says what happened and what to do;
  the child is killed and the **next** call starts a fresh one;
* a model that cannot be loaded (missing, truncated, corrupt, over the memory limit) becomes
  :class:`~assistant.errors.ModelUnavailableError`, remembered until the file changes;
* results are exactly the backend's: same greedy decoding, same P(yes) from the logits.

Example:
    >>> llm = WorkerLLM(backend="assistant.llm:ScriptedLLM", backend_kwargs={"default": "Paris [1]."})
    >>> llm.complete("The capital?"), llm.p_yes("Is it?")
    ('Paris [1].', 0.5)
    >>> llm.close()
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from assistant.errors import LLMFailedError, ModelUnavailableError

log = logging.getLogger(__name__)

LOCAL_BACKEND = "assistant.llm:LocalLLM"
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
_CRASH_HINT = (
    "llama-cpp-python may have been compiled for instructions this CPU lacks or mishandles "
    "(e.g. -march=native with AMX): reinstall the portable build with `make install` "
    "(see the README, 'The local model')."
)


def _signal_name(code: int | None) -> str:
    if code is None or code >= 0:
        return f"exit code {code}"
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, all threads) a process has used, from /proc; ``None`` elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def describe_exit(code: int | None) -> str:
    """Why a worker ended, in words a user can act on.

    Example:
        >>> describe_exit(-11).startswith("it crashed (SIGSEGV)")
        True
    """
    name = _signal_name(code)
    if code is not None and -code in (signal.SIGSEGV, signal.SIGILL, signal.SIGBUS, signal.SIGABRT):
        return f"it crashed ({name}); {_CRASH_HINT}"
    if code == -signal.SIGKILL:
        return "it was killed (SIGKILL: out of memory, or stopped by another process)"
    return f"it stopped unexpectedly ({name})"


class WorkerLLM:
    """An :class:`~assistant.llm.LLM` whose backend runs in a supervised child process.

    Calls are serialised (one request at a time, like the in-process model); a stream holds the
    worker until it is exhausted or closed, and closing it early cancels the generation.

    Example:
        >>> w = WorkerLLM(backend="assistant.llm:ScriptedLLM", backend_kwargs={"default": "Hi there."})
        >>> "".join(w.stream("Say hi")), w.restarts
        ('Hi there.', 0)
        >>> w.close()
    """

    def __init__(
        self,
        backend: str = LOCAL_BACKEND,
        backend_kwargs: Mapping[str, Any] | None = None,
        *,
        timeout: float = 60.0,
        max_wait: float = 600.0,
        start_timeout: float = 180.0,
        memory_limit_mb: int = 0,
        name: str | None = None,
    ) -> None:
        self.backend = backend
        self.backend_kwargs = dict(backend_kwargs or {})
        self.timeout = timeout  # no message and no CPU progress this long: hung
        self.max_wait = max_wait  # no message this long, progress or not: too slow
        self.start_timeout = start_timeout
        self.memory_limit_mb = memory_limit_mb
        model = self.backend_kwargs.get("model_path")
        self.model_path = Path(model) if model else None
        self.name = name or (f"local:{self.model_path.name}" if self.model_path else backend.rsplit(":", 1)[-1])
        self.restarts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._lock = threading.RLock()
        self._load_error: tuple[object, ModelUnavailableError] | None = None

    # -- process management ------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The worker's process id, or ``None`` when no worker runs."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _file_key(self) -> object:
        if self.model_path is None:
            return None
        try:
            st = self.model_path.stat()
        except OSError:
            return "missing"
        return (st.st_size, st.st_mtime_ns)

    def start(self) -> None:
        """Start the worker now (loading the model) instead of at the first call."""
        with self._lock:
            self._ensure()

    def _ensure(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.poll() is None:
            return self._conn
        if self._proc is not None:  # it died between calls
            log.warning("LLM worker %s had stopped (%s); restarting", self._proc.pid,
                        _signal_name(self._proc.returncode))
            self._lose()
        if self._load_error is not None and self._load_error[0] == self._file_key():
            raise self._load_error[1]
        parent, child = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PROJECT_ROOT, env.get("PYTHONPATH")) if p)
        args = [sys.executable, "-m", "assistant.llm_worker", "--fd", str(child.fileno()),
                "--backend", self.backend, "--kwargs", json.dumps(self.backend_kwargs, default=str),
                "--memory-limit-mb", str(self.memory_limit_mb)]  # fmt: skip
        started = time.perf_counter()
        self._proc = subprocess.Popen(args, pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL)
        _LIVE.add(self._proc)
        child.close()
        self._conn = Connection(parent.detach())
        try:
            reply = self._recv(self.start_timeout, starting=True)
        except LLMFailedError as exc:
            reply = ("load_error", str(exc))
        if reply[0] == "load_error":
            limit = f" (worker memory limit {self.memory_limit_mb} MB)" if self.memory_limit_mb else ""
            error = ModelUnavailableError(f"The local model could not be loaded{limit}: {reply[1]}")
            self._load_error = (self._file_key(), error)
            self._discard()
            raise error
        self._load_error = None
        log.info("LLM worker %s ready in %.1f s", self._proc.pid, time.perf_counter() - started)
        return self._conn

    def _discard(self) -> None:
        _stop_process(self, None)

    def _lose(self) -> None:
        """Drop a failed worker; the next call starts a new one (counted in ``restarts``)."""
        self._discard()
        self.restarts += 1

    def _recv(self, timeout: float, *, starting: bool = False) -> tuple[Any, ...]:
        assert self._conn is not None and self._proc is not None
        what = "start" if starting else "answer"
        try:
            self._wait_for_message(timeout, what)
            reply: tuple[Any, ...] = self._conn.recv()
        except (EOFError, OSError) as exc:
            code = self._proc.wait(timeout=5) if self._proc.poll() is None else self._proc.returncode
            pid = self._proc.pid
            self._lose()
            raise LLMFailedError(
                f"The local model's worker {pid} died while trying to {what}: {describe_exit(code)}. "
                "A new one starts with the next question.") from exc
        if reply[0] == "error":
            raise LLMFailedError(f"The local model failed: {reply[1]}")
        return reply

    def _wait_for_message(self, timeout: float, what: str) -> None:
        """Wait while the worker works; fail it when it makes no progress for ``timeout`` seconds.

        Progress is a message or CPU time spent: a worker that is slow because the machine is
        busy keeps its answer (up to ``max_wait``), one that is stopped or deadlocked does not.
        """
        assert self._conn is not None and self._proc is not None
        pid = self._proc.pid
        step = min(2.0, max(0.05, timeout / 4))
        started = idle_since = time.monotonic()
        cpu = _cpu_seconds(pid)
        while not self._conn.poll(step):
            now = time.monotonic()
            spent = _cpu_seconds(pid)
            if spent is not None and cpu is not None and spent - cpu > 0.01:
                idle_since = now
            cpu = spent
            if now - idle_since >= timeout:
                self._lose()
                raise LLMFailedError(
                    f"The local model made no progress for {timeout:.0f} s (worker {pid} hung); it was "
                    "stopped and a new one starts with the next question.")
            if now - started >= self.max_wait:
                self._lose()
                raise LLMFailedError(
                    f"The local model did not {what} within {self.max_wait:.0f} s (worker {pid} is too slow; "
                    "the machine may be overloaded); it was stopped and a new one starts with the next question.")

    def _request(self, message: tuple[Any, ...]) -> Connection:
        conn = self._ensure()
        try:
            conn.send(message)
        except OSError as exc:
            code = self._proc.poll() if self._proc is not None else None
            self._lose()
            raise LLMFailedError(f"The local model's worker was gone ({describe_exit(code)}).") from exc
        return conn

    # -- the LLM protocol -------------------------------------------------------------------
    def complete(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> str:
        with self._lock:
            self._request(("complete", prompt, max_tokens, list(stop)))
            return str(self._recv(self.timeout)[1])

    def p_yes(self, prompt: str) -> float:
        with self._lock:
            self._request(("p_yes", prompt))
            return float(self._recv(self.timeout)[1])

    def stream(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> Iterator[str]:
        with self._lock:
            conn = self._request(("stream", prompt, max_tokens, list(stop)))
            finished = False
            try:
                while True:
                    reply = self._recv(self.timeout)
                    if reply[0] == "result":
                        finished = True
                        return
                    yield str(reply[1])
            except LLMFailedError:
                finished = True
                raise
            finally:
                if not finished and self._conn is conn:
                    self._cancel(conn)

    def _cancel(self, conn: Connection) -> None:
        """Stop a stream the caller abandoned and drain it, so the next request starts clean."""
        try:
            conn.send(("cancel",))
            while self._recv(self.timeout)[0] != "result":
                pass
        except (LLMFailedError, OSError):
            log.warning("LLM worker did not stop its stream cleanly; it will be restarted")
            self._lose()

    def close(self) -> None:
        """Stop the worker (a later call starts a new one)."""
        with self._lock:
            self._discard()


_LIVE: set[subprocess.Popen[bytes]] = set()


@atexit.register
def _kill_live_workers() -> None:
    """No worker outlives the app (a worker also exits by itself when its socket closes)."""
    for proc in list(_LIVE):
        if proc.poll() is None:
            proc.kill()


def _stop_process(llm: WorkerLLM, _: object) -> None:
    proc, conn = llm._proc, llm._conn
    llm._proc, llm._conn = None, None
    if conn is not None:
        try:
            if proc is not None and proc.poll() is None:
                conn.send(("stop",))
        except OSError:
            pass
        conn.close()
    if proc is not None:
        _LIVE.discard(proc)
        if proc.poll() is None:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


# -- the child ----------------------------------------------------------------------------------
def _load_backend(spec: str, kwargs: Mapping[str, Any]) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)(**kwargs)


def serve(conn: Connection, backend: Any) -> None:
    """Answer requests on ``conn`` until it closes or says stop."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        kind = message[0]
        if kind == "stop":
            return
        if kind == "cancel":  # a stream that had already finished
            continue
        try:
            if kind == "complete":
                conn.send(("result", backend.complete(message[1], max_tokens=message[2], stop=message[3])))
            elif kind == "p_yes":
                conn.send(("result", backend.p_yes(message[1])))
            elif kind == "stream":
                pieces = backend.stream(message[1], max_tokens=message[2], stop=message[3])
                for piece in pieces:
                    conn.send(("piece", piece))
                    if conn.poll() and conn.recv()[0] == "cancel":
                        pieces.close()
                        break
                conn.send(("result", None))
            else:
                conn.send(("error", f"unknown request {kind!r}"))
        except Exception as exc:  # the request failed, the worker lives on
            log.exception("LLM request failed")
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the child: ``python -m assistant.llm_worker --fd N --backend MOD:CLS``."""
    parser = argparse.ArgumentParser(prog="python -m assistant.llm_worker")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--backend", default=LOCAL_BACKEND)
    parser.add_argument("--kwargs", default="{}")
    parser.add_argument("--memory-limit-mb", type=int, default=0)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the app, which stops us
    logging.basicConfig(level=logging.WARNING, format="llm-worker: %(message)s")
    conn = Connection(args.fd)
    if args.memory_limit_mb > 0:
        import resource

        limit = args.memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        backend = _load_backend(args.backend, json.loads(args.kwargs))
    except MemoryError:
        conn.send(("load_error", f"out of memory (limit {args.memory_limit_mb} MB)"))
        return 1
    except Exception as exc:
        conn.send(("load_error", str(exc) or type(exc).__name__))
        return 1
    conn.send(("ready", getattr(backend, "name", args.backend)))
    serve(conn, backend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
