"""The Makefile builds llama-cpp-python without -march=native (AVX-512 only when the CPU has it),
outside pip's cache, keyed by its flags.

``make -n`` prints the commands without running them, so these checks are cheap and exact.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(tmp_path: Path, *extra: str) -> str:
    """What `make install` would run in a fresh venv with an empty wheelhouse."""
    args = ["make", "-n", "-C", str(ROOT), "install", f"VENV={tmp_path / 'venv'}",
            f"WHEELHOUSE={tmp_path / 'wheels'}", *extra]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return out.replace("\\\n", " ")  # one line per command


def wheel_dir(plan: str) -> str:
    match = re.search(r"-w \"([^\"]+)\.tmp\"", plan)
    assert match, plan
    return match.group(1)


AVX2_CPU = "CPU_FLAGS=flags : fpu sse2 avx avx2 fma f16c"
AVX512_CPU = ("CPU_FLAGS=flags : fpu avx avx2 fma f16c avx512f avx512cd avx512vl avx512dq avx512bw avx512_vnni "
              "avx512vbmi avx512_bf16 avx_vnni amx_tile amx_int8")  # fmt: skip


def build_line(plan: str) -> str:
    return next(line for line in plan.splitlines() if "pip wheel" in line)


def test_the_default_build_is_portable_and_bypasses_pips_cache(tmp_path: Path) -> None:
    plan = dry_run(tmp_path, AVX2_CPU)
    build = build_line(plan)
    assert "-DGGML_NATIVE=OFF" in build and "-DGGML_AVX2=ON" in build and "-DGGML_AVX512=OFF" in build
    assert "--no-cache-dir" in build and "--no-binary llama-cpp-python" in build
    # the venv gets exactly the wheel from that wheelhouse, forcibly replacing any other build
    install = next(line for line in plan.splitlines() if "--force-reinstall" in line)
    assert wheel_dir(plan) in install and install.rstrip().endswith(".whl")
    # and it happens before the project install, which would otherwise build the sdist itself
    lines = plan.splitlines()
    assert lines.index(install) < next(i for i, line in enumerate(lines) if 'install -e ".[dev,local]"' in line)


def test_avx512_when_the_cpu_has_it_all_never_amx_and_off_on_request(tmp_path: Path) -> None:
    wide = build_line(dry_run(tmp_path, AVX512_CPU))
    assert "-DGGML_NATIVE=OFF" in wide and "-DGGML_AVX512=ON" in wide and "-DGGML_AVX512_VNNI=ON" in wide
    assert "AMX" not in wide
    partial = AVX512_CPU.replace(" avx512_bf16", "")  # one extension missing: the portable build
    assert "-DGGML_AVX512=OFF" in build_line(dry_run(tmp_path, partial))
    assert "-DGGML_AVX512=OFF" in build_line(dry_run(tmp_path, AVX512_CPU, "LLAMA_AVX512=OFF"))
    assert wheel_dir(dry_run(tmp_path, AVX512_CPU)) != wheel_dir(dry_run(tmp_path, AVX2_CPU))


def test_other_flags_get_their_own_wheelhouse(tmp_path: Path) -> None:
    portable = wheel_dir(dry_run(tmp_path))
    native = wheel_dir(dry_run(tmp_path, "LLAMA_CMAKE_ARGS=-DGGML_NATIVE=ON"))
    assert portable != native
    assert "-DGGML_NATIVE=ON" in dry_run(tmp_path, "LLAMA_CMAKE_ARGS=-DGGML_NATIVE=ON")
    assert wheel_dir(dry_run(tmp_path)) == portable  # stable for the same flags


def test_make_test_installs_chromium_with_apt_only_when_it_is_missing(tmp_path: Path) -> None:
    def plan(chromium: Path) -> str:
        args = ["make", "-n", "-C", str(ROOT), "test", f"VENV={tmp_path / 'venv'}",
                f"WHEELHOUSE={tmp_path / 'wheels'}", f"CHROMIUM={chromium}"]  # fmt: skip
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout

    present = tmp_path / "chromium"
    present.touch()
    assert "apt-get install -y chromium" in plan(tmp_path / "missing")
    assert "apt-get" not in plan(present)
    assert "SOURCED_REQUIRE_BROWSER=1" in plan(present) and "playwright install" not in plan(present)


def test_make_model_runs_the_model_command_line(tmp_path: Path) -> None:
    args = ["make", "-n", "-C", str(ROOT), "model", f"VENV={tmp_path / 'venv'}", f"WHEELHOUSE={tmp_path / 'wheels'}"]
    plan = subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()
    steps = [line.split(" -m ", 1)[1] for line in plan if " -m assistant." in line]
    assert steps == ["assistant.model_setup assemble", "assistant.model_setup smoke"]
