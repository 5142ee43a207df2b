"""Reading articles from .txt, .md, .html and .jsonl files (folders recursively).

Every article keeps its exact text so that sentence offsets can be checked
against it. Ids come from a JSON ``id`` field or the file's content hash.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.decode import InputLimits, clean_text, decode_bytes, read_limited
from index.errors import InputError
from index.types import Article

log = logging.getLogger(__name__)

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}
_DATE_LINE = re.compile(r"\s*date\s+(\d{4}-\d{2}-\d{2})\b\s*")
_AGENCY = re.compile(r"\((IANS|PTI|AP|AFP|Reuters|ANI|UNI|Xinhua|Bloomberg)\)")
_MD_TITLE = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_DROP_TAGS = "script, style, noscript, nav, header, footer, aside, form, svg, iframe, template"
DEFAULT_LIMITS = InputLimits()
_BLOCK_TAGS = "h1, h2, h3, h4, h5, h6, p, li, blockquote, pre, td, figcaption"


@dataclass(frozen=True)
class ReadFailure:
    """A file (or a line of a corpus) that could not be read, with the reason."""

    path: str
    reason: str


def content_id(text: str) -> str:
    """Stable id of an article without its own id: a prefix of its text's sha256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _title_from(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line and not _DATE_LINE.fullmatch(line):
            return line if len(line) <= 100 else line[:97].rsplit(" ", 1)[0] + "…"
    return fallback


def _decoded(path: Path, limits: InputLimits) -> tuple[str, str]:
    text, encoding = decode_bytes(read_limited(path, limits.max_file_bytes))
    if encoding not in ("utf-8", "utf-8-sig"):
        log.info("%s: decoded as %s", path, encoding)
    return text, encoding


def read_txt(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> Article:
    text, encoding = _decoded(path, limits)
    date_match = _DATE_LINE.match(text)
    body = text[date_match.end() :] if date_match else text
    agency = _AGENCY.search(body[:200])
    title = _title_from(_AGENCY.split(body, maxsplit=1)[-1] if agency else body, path.stem)
    return Article(
        id=content_id(text),
        title=title,
        text=text,
        date=date_match.group(1) if date_match else "",
        source=agency.group(1) if agency else "",
        path=str(path),
        encoding=encoding,
    )


def read_md(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> Article:
    text, encoding = _decoded(path, limits)
    heading = _MD_TITLE.search(text)
    title = heading.group(1) if heading else _title_from(text, path.stem)
    return Article(id=content_id(text), title=title, text=text, path=str(path), encoding=encoding)


def html_to_text(html: str) -> tuple[str, str]:
    """Main text (paragraphs joined by blank lines) and title of an HTML page."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    title_node = tree.css_first("title") or tree.css_first("h1")
    title = " ".join(title_node.text(strip=True).split()) if title_node else ""
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return "", title
    blocks = [" ".join(n.text(separator=" ").split()) for n in root.css(_BLOCK_TAGS)]
    blocks = [b for b in blocks if b]
    everything = " ".join(root.text(separator=" ").split())
    if sum(len(b) for b in blocks) < 0.8 * len(everything):  # text outside paragraphs (broken markup)
        blocks = [everything]
    return "\n\n".join(b for b in blocks if b), title


def read_html(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> Article:
    raw, encoding = _decoded(path, limits)
    text, title = html_to_text(raw)
    text = clean_text(text)
    if not text.strip():
        raise InputError("no readable text in the page (only markup, scripts or styles)")
    return Article(
        id=content_id(text), title=clean_text(title) or _title_from(text, path.stem), text=text,
        path=str(path), encoding=encoding,
    )  # fmt: skip


_OPTIONAL_STR = ("id", "title", "date", "source", "author")


def _record_problem(record: object) -> str | None:
    if not isinstance(record, dict):
        return "each line must be a JSON object"
    text = record.get("text")
    if text is None:
        return "missing 'text' field"
    if not isinstance(text, str):
        return f"'text' must be a string, not {type(text).__name__}"
    if not text.strip():
        return "empty 'text' field"
    for key in _OPTIONAL_STR:
        value = record.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            return f"'{key}' must be a string, not {type(value).__name__}"
    return None


def read_jsonl(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> Iterator[Article | ReadFailure]:
    """The records of a corpus, one per line; a bad line is a failure, the rest go on.

    A second record with an id already used by another text in the file is refused (the
    first one stands); an exact repeat is skipped."""
    seen: dict[str, tuple[int, str]] = {}
    with path.open("rb") as handle:
        lineno = 0
        while raw := handle.readline(limits.max_file_bytes + 1):
            lineno += 1
            where = f"{path}:{lineno}"
            if len(raw) > limits.max_file_bytes and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the over-long line
                    raw = handle.readline(1 << 20)
                yield ReadFailure(where, f"line longer than the limit of {limits.max_file_bytes / 1e6:.1f} MB "
                                         "(SOURCED_MAX_FILE_MB)")  # fmt: skip
                continue
            if not raw.strip():
                continue
            try:
                line, encoding = decode_bytes(raw)
                record = json.loads(line)
            except InputError as exc:
                yield ReadFailure(where, str(exc))
                continue
            except json.JSONDecodeError as exc:
                yield ReadFailure(where, f"not valid JSON ({exc.msg})")
                continue
            problem = _record_problem(record)
            if problem is not None:
                yield ReadFailure(where, problem)
                continue
            text = clean_text(record["text"])
            article_id = clean_text(str(record.get("id") or content_id(text))).strip() or content_id(text)
            if article_id in seen:
                first, first_text = seen[article_id]
                if first_text != text:
                    yield ReadFailure(where, f"duplicate id {article_id!r} (first used on line {first}); "
                                             "this record is skipped")  # fmt: skip
                continue
            seen[article_id] = (lineno, text)
            yield Article(
                id=article_id,
                title=clean_text(str(record.get("title") or _title_from(text, f"{path.stem} line {lineno}"))),
                text=text,
                date=str(record.get("date") or ""),
                source=clean_text(str(record.get("source") or "")),
                author=clean_text(str(record.get("author") or "")),
                path=where,
                encoding=encoding,
            )


_READERS = {".txt": read_txt, ".md": read_md, ".markdown": read_md, ".html": read_html, ".htm": read_html}


def _walk(folder: Path) -> Iterator[Path | ReadFailure]:
    """Files under ``folder``; symlinked folders are not followed (no loops), broken links reported."""
    try:
        entries = sorted(folder.rglob("*"))
    except OSError as exc:
        yield ReadFailure(str(folder), f"cannot list the folder ({exc.strerror or exc})")
        return
    found = False
    for p in entries:
        if p.suffix.lower() not in SUFFIXES:
            continue
        if p.is_symlink() and not p.exists():
            yield ReadFailure(str(p), _missing_reason(p))
            continue
        if p.is_file():
            found = True
            yield p
    if not found:
        yield ReadFailure(str(folder), "folder has no .txt, .md, .html or .jsonl files")


def _missing_reason(path: Path) -> str:
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return "symbolic link loop"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        if path.is_symlink():
            return "broken symbolic link"
    return "no such file or folder"


def _expand(paths: Sequence[str | Path]) -> Iterator[Path | ReadFailure]:
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                yield path
            else:
                yield ReadFailure(
                    str(path), f"unsupported file type '{path.suffix}' (use .txt, .md, .html, .jsonl)"
                )
        elif path.exists():
            yield ReadFailure(str(path), "not a regular file")
        else:
            yield ReadFailure(str(path), _missing_reason(path))


def iter_articles(
    paths: Sequence[str | Path], limits: InputLimits = DEFAULT_LIMITS
) -> Iterator[Article | ReadFailure]:
    """Yield each article found under ``paths``, or a failure; one bad file never stops the rest."""
    for item in _expand(paths):
        if isinstance(item, ReadFailure):
            yield item
            continue
        try:
            if item.suffix.lower() == ".jsonl":
                yield from read_jsonl(item, limits)
            else:
                article = _READERS[item.suffix.lower()](item, limits)
                if not article.text.strip():
                    yield ReadFailure(str(item), "the file is empty" if not article.text else
                                      "the file has only white space")  # fmt: skip
                else:
                    yield article
        except PermissionError:
            yield ReadFailure(str(item), "permission denied (the file is not readable)")
        except IsADirectoryError:
            yield ReadFailure(str(item), "is a folder, not a file")
        except OSError as exc:
            yield ReadFailure(str(item), f"cannot read the file ({exc.strerror or exc})")
        except ValueError as exc:  # InputError and parser errors
            yield ReadFailure(str(item), str(exc))


def read_articles(
    paths: Sequence[str | Path], limits: InputLimits = DEFAULT_LIMITS
) -> tuple[list[Article], list[tuple[str, str]]]:
    """All articles under ``paths`` and the failures as ``(path, reason)`` pairs.

    Example:
        >>> arts, failures = read_articles(["no/such/file.txt"])
        >>> arts, failures[0][1]
        ([], 'no such file or folder')
    """
    articles: list[Article] = []
    failures: list[tuple[str, str]] = []
    for item in iter_articles(paths, limits):
        if isinstance(item, ReadFailure):
            failures.append((item.path, item.reason))
        else:
            articles.append(item)
    return articles, failures
