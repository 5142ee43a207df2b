"""What the web app's events do, as plain methods over :class:`assistant.Assistant` (testable
without a browser). They call the public API and return HTML from :mod:`assistant.ui.render`;
:mod:`assistant.ui.app` only lays the page out and wires these in.

Example:
    >>> views = Views(Assistant.open("data"))               # doctest: +SKIP
    >>> views.api_ask("Who claimed it?", [])["citations"]   # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant, ChatSession, SourcedError
from assistant.types import answer_from_dict, answer_to_dict
from assistant.ui.render import answer_html, articles_html, claims_html, esc, ingest_html, source_html
from index.store import ArticleInfo

log = logging.getLogger(__name__)

EXTRACTIVE = "extractive"
Message = dict[str, Any]


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
        self, message: str, chat: list[Message], session: ChatSession | None, top_k: int, generator: str
    ) -> Iterator[tuple[str, list[Message], ChatSession | None]]:
        """Stream one turn: the question appears, the answer text grows, then the cited answer."""
        if not message or not message.strip():
            yield "", chat, session
            return
        session = session or self.session(None, top_k, generator)
        chat = [*chat, {"role": "user", "content": esc(message)}, {"role": "assistant", "content": "…"}]
        yield "", chat, session
        text = ""
        try:
            for piece in session.ask(message, stream=True):
                if isinstance(piece, Answer):
                    chat[-1] = {"role": "assistant", "content": answer_html(piece, len(session.history) - 1, self.info)}
                else:
                    text += piece
                    chat[-1] = {"role": "assistant", "content": esc(text)}
                yield "", chat, session
        except SourcedError as exc:
            chat[-1] = {"role": "assistant", "content": f'<div class="refusal"><b>Error.</b> {esc(exc)}</div>'}
            yield "", chat, session

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

    def claims_table(self, speaker: str | None, article_id: str | None) -> str:
        return claims_html(self.assistant.claim_rows(speaker or None, article_id or None), self.info)

    # -- the API (named endpoints for scripts) ------------------------------------------
    def api_ask(self, question: str, history: list[Any] | None = None) -> dict[str, Any]:
        """Answer ``question`` after ``history``: ``[[question, answer], …]`` where an answer is the
        text or the JSON an earlier call returned. Returns the JSON of ``sourced ask --json``."""
        turns = [(str(q), answer_from_dict(a)) for q, a in (history or [])]
        return answer_to_dict(self.assistant.chat(turns).ask(question))

    def api_claims(self, speaker: str = "", article_id: str = "") -> dict[str, list[dict[str, Any]]]:
        table: dict[str, list[dict[str, Any]]] = {}
        for row in self.assistant.claim_rows(speaker or None, article_id or None):
            table.setdefault(row.speaker, []).append(asdict(row.citation))
        return table

    def api_articles(self, query: str = "") -> list[dict[str, Any]]:
        """The articles (id, title, date, source, sentences); not the server's file paths, which
        a client would also try to download."""
        return [{k: v for k, v in asdict(r).items() if k != "path"} for r in self.assistant.articles(query)]
