"""Assembling a model from part files, on tiny fake parts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.errors import ModelUnavailableError
from assistant.model_file import ModelSpec, assemble_local_model, installed_parts


def _fake_parts(root: Path, chunks: list[bytes]) -> tuple[ModelSpec, list[Path]]:
    parts = []
    for i, chunk in enumerate(chunks, start=1):
        path = root / f"fake_model_part{i}" / "data" / f"part{i:02d}.bin"
        path.parent.mkdir(parents=True)
        path.write_bytes(chunk)
        parts.append(path)
    whole = b"".join(chunks)
    spec = ModelSpec("m.gguf", "fake-model-part", len(chunks), "0.1", len(whole),
                     hashlib.sha256(whole).hexdigest())
    return spec, parts


def test_assembles_in_order_and_checks_sha(tmp_path: Path) -> None:
    spec, parts = _fake_parts(tmp_path, [b"abc" * 1000, b"def" * 10, b"g"])
    dest = tmp_path / "models" / "m.gguf"
    out = assemble_local_model(dest, progress=False, spec=spec, find_parts=lambda s: parts)
    assert out == dest
    assert dest.read_bytes() == b"abc" * 1000 + b"def" * 10 + b"g"
    assert not dest.with_suffix(".partial").exists()


def test_existing_file_is_a_noop_unless_verify_finds_it_corrupt(tmp_path: Path) -> None:
    spec, _ = _fake_parts(tmp_path, [b"12345", b"678"])
    dest = tmp_path / "m.gguf"
    dest.write_bytes(b"xxxxxxxx")  # right size, wrong content

    def no_parts(_: ModelSpec) -> list[Path]:
        raise AssertionError("parts must not be read")

    assert assemble_local_model(dest, progress=False, spec=spec, find_parts=no_parts) == dest
    with pytest.raises(ModelUnavailableError, match="sha256"):
        assemble_local_model(dest, progress=False, spec=spec, verify=True, find_parts=no_parts)


def test_corrupted_part_fails_and_leaves_no_file(tmp_path: Path) -> None:
    spec, parts = _fake_parts(tmp_path, [b"12345", b"678"])
    parts[1].write_bytes(b"679")
    dest = tmp_path / "m.gguf"
    with pytest.raises(ModelUnavailableError, match="sha256"):
        assemble_local_model(dest, progress=False, spec=spec, parts=parts)
    assert not dest.exists()
    assert not dest.with_suffix(".partial").exists()


def test_truncated_part_fails_on_size(tmp_path: Path) -> None:
    spec, parts = _fake_parts(tmp_path, [b"12345", b"678"])
    parts[0].write_bytes(b"1234")
    with pytest.raises(ModelUnavailableError, match="bytes"):
        assemble_local_model(tmp_path / "m.gguf", progress=False, spec=spec, parts=parts)


def test_missing_part_file_is_named(tmp_path: Path) -> None:
    spec, parts = _fake_parts(tmp_path, [b"12345", b"678"])
    parts[1].unlink()
    with pytest.raises(ModelUnavailableError, match=r"part02\.bin"):
        assemble_local_model(tmp_path / "m.gguf", progress=False, spec=spec, parts=parts)


def test_uninstalled_packages_are_named_with_pip_command() -> None:
    spec = ModelSpec("m.gguf", "surely-not-installed-part", 2, "9.9", 1, "0")
    with pytest.raises(ModelUnavailableError) as info:
        installed_parts(spec)
    message = str(info.value)
    assert "surely-not-installed-part1, surely-not-installed-part2" in message
    assert "pip install surely-not-installed-part{1..2}==9.9" in message
