"""``make model``'s command line: exit codes, messages, and a clean ``python -m`` run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import ModelUnavailableError
from assistant.model_setup import main

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reports_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.model_file as model_file

    def boom(*args: object, **kwargs: object) -> Path:
        raise ModelUnavailableError("parts missing")

    monkeypatch.setattr(model_file, "assemble_local_model", boom)
    assert main(["assemble", "--dest", str(tmp_path / "m.gguf"), "--quiet"]) == 1


def test_smoke_command_stops_with_the_cause_for_a_bad_model(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "m.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 1024)
    assert main(["smoke", "--dest", str(bad)]) == 1
    assert "could not be loaded" in caplog.text
    assert main(["smoke", "--dest", str(tmp_path / "absent.gguf")]) == 1
    assert "make model" in caplog.text


def test_python_dash_m_runs_without_a_runtime_warning(tmp_path: Path) -> None:
    """The entry module is not imported by the package, so runpy does not warn about a double import."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-m", "assistant.model_setup", "smoke",
         "--dest", str(tmp_path / "absent.gguf")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert done.returncode == 1, done.stderr  # the absent model, reported, not a warning turned error
    assert "RuntimeWarning" not in done.stderr and "make model" in done.stderr
