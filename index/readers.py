"""Reading articles from .txt, .md, .html and .jsonl files (folders recursively).

Every article keeps its exact text so that sentence offsets can be checked
against it. Ids come from a JSON ``id`` field or the file's content hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.types import Article

log = logging.getLogger(__name__)

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"}
_DATE_LINE = re.compile(r"\s*date\s+(\d{4}-\d{2}-\d{2})\b\s*")
_AGENCY = re.compile(r"\((IANS|PTI|AP|AFP|Reuters|ANI|UNI|Xinhua|Bloomberg)\)")
_MD_TITLE = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_DROP_TAGS = "script, style, noscript, nav, header, footer, aside, form, svg, iframe, template"
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


def read_txt(path: Path) -> Article:
    text = path.read_text(encoding="utf-8")
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
    )


def read_md(path: Path) -> Article:
    text = path.read_text(encoding="utf-8")
    heading = _MD_TITLE.search(text)
    title = heading.group(1) if heading else _title_from(text, path.stem)
    return Article(id=content_id(text), title=title, text=text, path=str(path))


def html_to_text(html: str) -> tuple[str, str]:
    """Main text (paragraphs joined by blank lines) and title of an HTML page."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    title_node = tree.css_first("title") or tree.css_first("h1")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return "", title
    blocks = [" ".join(n.text(separator=" ").split()) for n in root.css(_BLOCK_TAGS)]
    blocks = [b for b in blocks if b]
    if not blocks:
        blocks = [" ".join(root.text(separator=" ").split())]
    return "\n\n".join(b for b in blocks if b), title


def read_html(path: Path) -> Article:
    raw = path.read_text(encoding="utf-8", errors="replace")
    text, title = html_to_text(raw)
    if not text.strip():
        raise ValueError("no readable text in the page")
    return Article(
        id=content_id(text), title=title or _title_from(text, path.stem), text=text, path=str(path)
    )


def read_jsonl(path: Path) -> Iterator[Article | ReadFailure]:
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield ReadFailure(where, f"not valid JSON ({exc.msg})")
                continue
            if not isinstance(record, dict):
                yield ReadFailure(where, "each line must be a JSON object")
                continue
            text = record.get("text")
            if not isinstance(text, str) or not text.strip():
                yield ReadFailure(where, "missing or empty 'text' field")
                continue
            yield Article(
                id=str(record.get("id") or content_id(text)),
                title=str(record.get("title") or _title_from(text, f"{path.stem} line {lineno}")),
                text=text,
                date=str(record.get("date") or ""),
                source=str(record.get("source") or ""),
                author=str(record.get("author") or ""),
                path=where,
            )


_READERS = {".txt": read_txt, ".md": read_md, ".markdown": read_md, ".html": read_html, ".htm": read_html}


def _expand(paths: Sequence[str | Path]) -> Iterator[Path | ReadFailure]:
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not files:
                yield ReadFailure(str(path), "folder has no .txt, .md, .html or .jsonl files")
            yield from files
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                yield path
            else:
                yield ReadFailure(
                    str(path), f"unsupported file type '{path.suffix}' (use .txt, .md, .html, .jsonl)"
                )
        else:
            yield ReadFailure(str(path), "no such file or folder")


def iter_articles(paths: Sequence[str | Path]) -> Iterator[Article | ReadFailure]:
    """Yield each article found under ``paths``, or a failure; one bad file never stops the rest."""
    for item in _expand(paths):
        if isinstance(item, ReadFailure):
            yield item
            continue
        try:
            if item.suffix.lower() == ".jsonl":
                yield from read_jsonl(item)
            else:
                article = _READERS[item.suffix.lower()](item)
                if not article.text.strip():
                    yield ReadFailure(str(item), "the file is empty")
                else:
                    yield article
        except UnicodeDecodeError:
            yield ReadFailure(str(item), "not UTF-8 text")
        except (OSError, ValueError) as exc:
            yield ReadFailure(str(item), str(exc))


def read_articles(paths: Sequence[str | Path]) -> tuple[list[Article], list[tuple[str, str]]]:
    """All articles under ``paths`` and the failures as ``(path, reason)`` pairs.

    Example:
        >>> arts, failures = read_articles(["no/such/file.txt"])
        >>> arts, failures[0][1]
        ([], 'no such file or folder')
    """
    articles: list[Article] = []
    failures: list[tuple[str, str]] = []
    for item in iter_articles(paths):
        if isinstance(item, ReadFailure):
            failures.append((item.path, item.reason))
        else:
            articles.append(item)
    return articles, failures
