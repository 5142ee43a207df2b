"""What the web app's events do, as plain methods over :class:`assistant.Assistant` (testable
without a browser). They call the public API and return HTML from :mod:`assistant.ui.render`;
:mod:`assistant.ui.app` only lays the page out and wires these in.

Example:
    >>> views = Views(Assistant.open("data"))               # doctest: +SKIP
    >>> views.api_ask("Who claimed it?", [])["citations"]   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant, ChatSession, InputError, SourcedError
from assistant.fusion import Filters
from assistant.types import answer_from_dict, answer_to_dict
from assistant.ui.render import (
    answer_html,
    articles_html,
    claims_html,
    esc,
    filters_text,
    ingest_html,
    source_html,
)
from index.store import ArticleInfo

log = logging.getLogger(__name__)

EXTRACTIVE = "extractive"
Message = dict[str, Any]
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check_date(label: str, value: str | None) -> str:
    """``value`` stripped, when it is a real YYYY, YYYY-MM or YYYY-MM-DD date ("" when empty);
    else an :class:`InputError` saying how to write it.

    Example:
        >>> check_date("Since", " 2022-06 ")
        '2022-06'
        >>> check_date("Until", "June 2022")
        Traceback (most recent call last):
        ...
        index.errors.InputError: Until: write dates as YYYY, YYYY-MM or YYYY-MM-DD (like 2022 or 2022-06-30), not "June 2022".
    """
    value = (value or "").strip()
    match = _DATE.match(value)
    try:
        if match and (match.group(2) is None or 1 <= int(match.group(2)) <= 12):
            if match.group(3) is not None:
                dt.date.fromisoformat(value)
            return value
    except ValueError:
        pass
    if not value:
        return ""
    raise InputError(f'{label}: write dates as YYYY, YYYY-MM or YYYY-MM-DD (like 2022 or 2022-06-30), not "{value}".')


def make_filters(
    sources: Sequence[str] | None = None,
    since: str | None = "",
    until: str | None = "",
    articles: Sequence[str] | None = None,
    speaker: str | None = "",
) -> Filters | None:
    """The filter controls' values as :class:`~assistant.fusion.Filters` (``None`` when nothing is
    chosen). A malformed date or an empty range raises :class:`InputError` with a message to show.

    Example:
        >>> make_filters(["cnn.com"], since="2022-01").since, make_filters([], "", None, None, " ")
        ('2022-01', None)
        >>> make_filters(since="2023", until="2022-12")
        Traceback (most recent call last):
        ...
        index.errors.InputError: The date range is empty: since 2023 is after until 2022-12.
    """
    since, until = check_date("Since", since), check_date("Until", until)
    if since and until and since[: len(until)] > until:
        raise InputError(f"The date range is empty: since {since} is after until {until}.")
    filters = Filters(articles=tuple(a for a in articles or () if a), sources=tuple(s for s in sources or () if s),
                      since=since, until=until, speaker=(speaker or "").strip())  # fmt: skip
    return None if filters == Filters() else filters


class Views:
    """The app's event handlers over one shared assistant; per-tab state (the chat session) is
    passed in and returned, never kept here, so browser tabs never see each other's history.

    Example:
        >>> views = Views(assistant)                           # doctest: +SKIP
        >>> *_, (box, chat, session) = views.respond("Who claimed it?", [], None, 6, "extractive")  # doctest: +SKIP
    """

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    # -- chat -------------------------------------------------------------------------
    @property
    def generators(self) -> list[str]:
        """The generator choices: the configured one, and quoting the sentences (extractive)."""
        return list(dict.fromkeys([self.assistant.generator_name, EXTRACTIVE]))

    def session(self, old: ChatSession | None, top_k: int, generator: str) -> ChatSession:
        """A session with these settings, continuing ``old``'s history."""
        extractive = generator == EXTRACTIVE
        return self.assistant.chat(old.history if old else (), top_k=int(top_k), extractive=extractive)

    def info(self, article_id: str) -> ArticleInfo | None:
        return self.assistant.article_info(article_id)

    def respond(
        self,
        message: str,
        chat: list[Message],
        session: ChatSession | None,
        top_k: int,
        generator: str,
        *filter_values: Any,
    ) -> Iterator[tuple[str, list[Message], ChatSession | None]]:
        """Stream one turn: the question appears, the answer text grows, then the cited answer.
        ``filter_values``: the tab's filter controls, as :func:`make_filters` takes them; the
        answer says which filters it was made under."""
        if not message or not message.strip():
            yield "", chat, session
            return
        session = session or self.session(None, top_k, generator)
        chat = [*chat, {"role": "user", "content": esc(message)}, {"role": "assistant", "content": "…"}]
        yield "", chat, session
        text = ""
        try:
            filters = make_filters(*filter_values)
            for piece in session.ask(message, stream=True, filters=filters):
                if isinstance(piece, Answer):
                    html = answer_html(piece, len(session.history) - 1, self.info, filters)
                    chat[-1] = {"role": "assistant", "content": html}
                else:
                    text += piece
                    chat[-1] = {"role": "assistant", "content": esc(text)}
                yield "", chat, session
        except SourcedError as exc:
            chat[-1] = {"role": "assistant", "content": f'<div class="refusal"><b>Error.</b> {esc(exc)}</div>'}
            yield "", chat, session

    def filter_lines(self, *filter_values: Any) -> tuple[str, str]:
        """What this tab's answers are filtered by (or what is wrong with a filter): the Settings
        tab's line, and the Chat tab's (empty when nothing is filtered)."""
        try:
            filters = make_filters(*filter_values)
        except InputError as exc:
            error = f'<div class="filter-error">{esc(exc)}</div>'
            return error, error
        if filters is None:
            return '<div class="filter-status">No filters: answers may come from every article.</div>', ""
        line = f'<div class="filter-status">Answers in this tab are {esc(filters_text(filters, self.info))}.</div>'
        return line, line

    def open_ref(self, ref: str, session: ChatSession | None) -> str:
        """The source view for a clicked chip: ``cite-<turn>-<n>`` (an answer's citation; the
        answer's other citations in that article marked lightly) or ``claim-<start>-<end>-<id>``."""
        try:
            kind, rest = ref.split("-", 1)
            if kind == "claim":
                start, end, article_id = rest.split("-", 2)
                return source_html(self.assistant.source(article_id, [(int(start), int(end))]), "Attributed claim")
            turn, n = (int(x) for x in rest.split("-"))
            answer = session.history[turn][1] if session else None
            cited = next((c for c in answer.citations if c.n == n), None) if answer else None
            if answer is None or cited is None:
                return source_html(None)
            others = [(c.start, c.end) for c in answer.citations if c.article_id == cited.article_id and c.n != n]
            view = self.assistant.source(cited.article_id, [(cited.start, cited.end)], others)
            return source_html(view, f"Citation [{n}] of answer {turn + 1}")
        except (ValueError, IndexError) as exc:
            log.warning("bad citation reference %r: %s", ref, exc)
            return source_html(None)
        except SourcedError as exc:
            return f'<div class="source-empty">{esc(exc)}</div>'

    # -- library ----------------------------------------------------------------------
    def upload(self, files: Sequence[str] | None, progress: Callable[..., Any] | None = None) -> str:
        """Add each uploaded file on its own, so each gets its own result line."""
        results: list[tuple[str, str, str]] = []
        files = list(files or [])
        for i, path in enumerate(files):
            name = Path(path).name
            if progress is not None:
                progress((i, len(files)), desc=f"Indexing {name}")
            try:
                report = self.assistant.add([path])
            except SourcedError as exc:
                results.append((name, "failed", str(exc)))
                continue
            outcome = next((k for k in ("added", "replaced", "unchanged") if getattr(report, k)), "failed")
            ids = report.added + report.replaced + report.unchanged
            titles = [info.title for info in map(self.info, ids) if info]
            detail = "; ".join(r for _, r in report.failed) if outcome == "failed" else "; ".join(titles)
            if len(ids) + len(report.failed) > 1:
                detail = report.summary().splitlines()[0]
            results.append((name, outcome, detail))
        return ingest_html(results) if results else "<p>Choose one or more files first.</p>"

    def library(self, query: str = "") -> tuple[str, list[tuple[str, str]]]:
        """The article table for ``query`` and the delete list's choices."""
        rows = self.assistant.articles(query)
        return articles_html(rows), [(f"{r.title[:70]} ({r.id[:8]})", r.id) for r in rows]

    def delete(self, article_id: str | None) -> str:
        if not article_id:
            return "Choose an article to delete."
        info = self.info(article_id)
        try:
            self.assistant.remove(article_id)
        except SourcedError as exc:
            return esc(exc)
        return f"Deleted “{esc(info.title if info else article_id)}”."

    # -- claims -----------------------------------------------------------------------
    def claim_filters(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Choices for the speaker and article filters ("" = all)."""
        table = self.assistant.claims()
        speakers = sorted(table, key=lambda s: (-len(table[s]), s.lower()))
        arts = self.assistant.articles()
        return ([("All speakers", ""), *((f"{s} ({len(table[s])})", s) for s in speakers)],
                [("All articles", ""), *((a.title[:70], a.id) for a in arts)])  # fmt: skip

    def sources(self) -> list[str]:
        """The distinct sources of the indexed articles (the source filter's choices)."""
        return sorted({a.source for a in self.assistant.articles() if a.source}, key=str.lower)

    def claims_table(self, speaker: str | None, article_id: str | None) -> str:
        return claims_html(self.assistant.claim_rows(speaker or None, article_id or None), self.info)

    # -- the API (named endpoints for scripts) ------------------------------------------
    def api_ask(
        self,
        question: str,
        history: list[Any] | None = None,
        sources: list[str] | None = None,
        since: str = "",
        until: str = "",
        articles: list[str] | None = None,
        speaker: str = "",
    ) -> dict[str, Any]:
        """Answer ``question`` after ``history``: ``[[question, answer], …]`` where an answer is the
        text or the JSON an earlier call returned; optionally only from these sources, dates
        (YYYY[-MM[-DD]], inclusive), article ids and speaker, as ``sourced ask --source …`` takes them.
        Returns the JSON of ``sourced ask --json``, with the ``filters`` applied when there are any."""
        filters = make_filters(sources, since, until, articles, speaker)
        turns = [(str(q), answer_from_dict(a)) for q, a in (history or [])]
        answer = answer_to_dict(self.assistant.chat(turns).ask(question, filters=filters))
        if filters is not None:
            answer["filters"] = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(filters).items()}
        return answer

    def api_claims(self, speaker: str = "", article_id: str = "") -> dict[str, list[dict[str, Any]]]:
        table: dict[str, list[dict[str, Any]]] = {}
        for row in self.assistant.claim_rows(speaker or None, article_id or None):
            table.setdefault(row.speaker, []).append(asdict(row.citation))
        return table

    def api_articles(self, query: str = "") -> list[dict[str, Any]]:
        """The articles (id, title, date, source, sentences); not the server's file paths, which
        a client would also try to download."""
        return [{k: v for k, v in asdict(r).items() if k != "path"} for r in self.assistant.articles(query)]
