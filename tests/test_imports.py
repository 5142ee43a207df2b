"""Every module of the project imports on its own, in a fresh interpreter.

An import cycle shows up here as "partially initialized module" when the module that closes it
is imported first; a test run imports modules in one order only, so each gets its own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("index", "assistant", "evaluation", "bench")


def all_modules() -> list[str]:
    names = ["app"]
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__main__":
                continue  # running it is its purpose
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def import_alone(module: str) -> tuple[str, int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    return module, done.returncode, done.stderr.strip().splitlines()[-1] if done.returncode else ""


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    modules = all_modules()
    assert {"index.store", "index.attribution.extract", "assistant.ui.app", "evaluation.cli"} <= set(modules)
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [f"{m}: {err}" for m, code, err in pool.map(import_alone, modules) if code]
    assert failures == []
