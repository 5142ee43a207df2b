"""Bytes to text for articles nobody here wrote: size limits, binary sniffing, encoding detection.

UTF-8 (with or without a BOM) and UTF-16/32 with a BOM are read directly; a file that mixes
UTF-8 lines with legacy (cp1252) lines is decoded line by line; anything else goes through
``charset-normalizer``. The encoding used is returned so the ingest report can name it.
Control characters (other than tab and newlines) become spaces, so offsets stay exact.

Example:
    >>> decode_bytes("café".encode("cp1252"))
    ('café', 'cp1252')
    >>> decode_bytes(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00")
    Traceback (most recent call last):
    ...
    index.errors.InputError: binary file (a PNG image), not text
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from index.errors import InputError

_MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"PK\x03\x04", "a zip archive"), (b"\x7fELF", "an ELF executable"),
    (b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)  # fmt: skip
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]{1,3}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
LEGACY = "cp1252"


@dataclass(frozen=True)
class InputLimits:
    """How much text the reader and the segmenter accept (the assistant's settings fill these).

    ``max_file_bytes``: largest article file (``.txt``/``.md``/``.html``) or ``.jsonl`` line read;
    ``max_article_chars``: longest article text indexed; ``max_sentence_chars``: longer
    "sentences" (no punctuation for pages) are cut at spaces into pieces of at most this length,
    so the parser never sees more than it can handle.

    Example:
        >>> InputLimits().max_article_chars
        1000000
    """

    max_file_bytes: int = 20 * 1024 * 1024
    max_article_chars: int = 1_000_000
    max_sentence_chars: int = 2000


def clean_text(text: str) -> str:
    """Control characters become spaces (same length, so offsets are unchanged).

    Example:
        >>> clean_text("a\\x00b\\tc\\x1bd")
        'a b\\tc d'
    """
    return _CONTROL.sub(" ", text)


def sniff_binary(raw: bytes) -> str | None:
    """What a binary file looks like (``"a PNG image"``), or ``None`` when it may be text."""
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    if any(raw.startswith(bom) for bom, _ in _BOMS):
        return None
    head = raw[:8192]
    if b"\x00" in head:
        return "binary data"
    return None


def _mixed(raw: bytes) -> str:
    lines = []
    for line in raw.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode(LEGACY, errors="replace"))
    return "".join(lines)


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """The text of ``raw`` and the encoding used; :class:`InputError` when it is not text."""
    kind = sniff_binary(raw)
    if kind is not None:
        raise InputError(f"binary file ({kind}), not text")
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return clean_text(raw.decode(name)), name
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {name} byte-order mark but is not {name} text") from exc
    try:
        return clean_text(raw.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(raw):  # valid UTF-8 sequences beside invalid bytes: mixed lines
        return clean_text(_mixed(raw)), f"utf-8+{LEGACY}"
    text, encoding = _detect(raw)
    return clean_text(text), encoding


def _detect(raw: bytes) -> tuple[str, str]:
    """A legacy 8-bit encoding: charset-normalizer's guess on enough text (never UTF-16/32
    without a byte-order mark), else cp1252, the usual one of older Western news archives."""
    from charset_normalizer import from_bytes

    try:
        legacy: str | None = raw.decode(LEGACY)
    except UnicodeDecodeError:
        legacy = None
    if len(raw) >= 200:
        matches = [m for m in from_bytes(raw) if not m.encoding.startswith(("utf_16", "utf_32"))]
        if matches:
            best = matches[0]
            tied = [m for m in matches if m.chaos <= best.chaos + 0.01]  # cp1250 and cp1252 often tie
            if legacy is not None and any(LEGACY in m.could_be_from_charset for m in tied):
                return legacy, LEGACY
            return str(best), str(best.encoding)
    return (legacy, LEGACY) if legacy is not None else (raw.decode("latin-1"), "latin-1")


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing (before reading) a file larger than ``max_bytes``."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB "
            "(setting max_file_mb, SOURCED_MAX_FILE_MB)"
        )
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:  # grew while we looked, or a special file
        raise InputError(f"file is larger than the limit of {max_bytes / 1e6:.1f} MB (SOURCED_MAX_FILE_MB)")
    return raw


def check_length(text: str, max_chars: int) -> None:
    """Refuse an article longer than ``max_chars`` with a message naming the setting."""
    if len(text) > max_chars:
        raise InputError(
            f"article is {len(text):,} characters long; the limit is {max_chars:,} "
            "(setting max_article_chars, SOURCED_MAX_ARTICLE_CHARS)"
        )
