"""HTML for the web app. Everything that comes from an article, a question or a model is escaped
here (:func:`esc`), so no article text is ever rendered as markup or script.

Chat messages pass Gradio's sanitizer (``href``, ``class`` and ``title`` survive), so a citation
chip is ``<a class="cite" href="#cite-<turn>-<n>">``; the page's script turns a click on it into
the source view. The source view is a ``gr.HTML`` (not sanitized): it is built from escaped text only.

Example:
    >>> esc("<script>alert(1)</script> [1]")
    '&lt;script&gt;alert&#40;1&#41;&lt;/script&gt; &#91;1&#93;'
    >>> esc("it's")
    'it&#39;s'
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from assistant.browse import ClaimRow, SourceView
from assistant.fusion import Filters
from assistant.types import Answer, Citation
from index.store import ArticleInfo

# One pass over the text: HTML's specials and Markdown's, each to an entity (never escaped twice).
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
                           **{c: f"&#{ord(c)};" for c in "[]()*_`!#|~$\\"}})  # fmt: skip
_MARKER = re.compile(r"\[(\d+)\]")

Info = Callable[[str], ArticleInfo | None]


def esc(text: object) -> str:
    """``text`` as inert HTML and inert Markdown (brackets, stars, backticks… become entities)."""
    return str(text).translate(_ENTITIES)


def chip(href: str, n: int | str, title: str = "") -> str:
    return f'<a class="cite" href="#{esc(href)}" title="{esc(title)}">{esc(n)}</a>'


def _label(c: Citation, info: ArticleInfo | None) -> str:
    parts = [f"<b>{esc(info.title if info else c.title)}</b>"]
    parts += [esc(x) for x in (info.source, info.date) if x] if info else []
    return " · ".join(parts)


def filters_text(filters: Filters, info: Info) -> str:
    """What ``filters`` keep, in words (plain text; articles by title).

    Example:
        >>> filters_text(Filters(sources=("cnn.com", "bbc"), since="2022-01", speaker="Asif"), lambda _: None)
        'filtered: source=cnn.com or bbc, since 2022-01, speaker=Asif'
    """
    parts = [f"source={' or '.join(filters.sources)}"] if filters.sources else []
    parts += [f"{word} {date}" for word, date in (("since", filters.since), ("until", filters.until)) if date]
    if filters.articles:
        titles = [(i.title[:50] if (i := info(a)) else a) for a in filters.articles]
        parts.append("article=" + " or ".join(f"“{t}”" for t in titles))
    parts += [f"speaker={filters.speaker}"] if filters.speaker else []
    return "filtered: " + ", ".join(parts)


def answer_html(answer: Answer, turn: int, info: Info, filters: Filters | None = None) -> str:
    """One answer as a chat message: the filters it was made under, text with chips, the
    standalone question, the cited sentences (title, source, date), a refusal badge, and the
    notes folded away."""
    cites = {c.n: c for c in answer.citations}

    def to_chip(m: re.Match[str]) -> str:
        c = cites.get(int(m.group(1)))
        return chip(f"cite-{turn}-{c.n}", c.n, c.title) if c else m.group(0)

    body = _MARKER.sub(to_chip, esc(answer.text).replace("&#91;", "[").replace("&#93;", "]"))
    body = body.replace("[", "&#91;").replace("]", "&#93;")
    parts = [f'<div class="filtered">{esc(filters_text(filters, info))}</div>'] if filters else []
    if answer.standalone_question and answer.standalone_question != answer.question:
        parts.append(f'<div class="understood">Understood as: <i>{esc(answer.standalone_question)}</i></div>')
    if answer.refused:
        parts.append(f'<div class="refusal"><b>Not in the articles.</b> {body}</div>')
    else:
        parts.append(f'<div class="answer">{body}</div>')
    if answer.citations:
        items = "".join(
            f'<li>{chip(f"cite-{turn}-{c.n}", c.n, c.title)} “{esc(c.sentence)}”'
            f'<br><span class="meta">{_label(c, info(c.article_id))}</span></li>'
            for c in answer.citations
        )
        parts.append(f'<ol class="sources">{items}</ol>')
    if answer.notes:
        notes = "".join(f"<li>{esc(n)}</li>" for n in answer.notes)
        parts.append(f'<details class="notes"><summary>Notes ({len(answer.notes)})</summary><ul>{notes}</ul></details>')
    return "".join(parts)


def source_html(view: SourceView | None, heading: str = "") -> str:
    """The article beside the chat, the opened span in ``<mark class="focus">``, the others lighter."""
    if view is None:
        return '<div class="source-empty">Click a citation chip or a claim to read it in its article.</div>'
    a = view.article
    meta = " · ".join(esc(x) for x in (a.source, a.date, a.author) if x)
    runs = []
    for s in view.segments:
        text = html.escape(s.text)
        runs.append(f'<mark class="{s.level}" data-start="{s.start}">{text}</mark>' if s.level else text)
    return (
        f'<div class="source-head"><div class="source-title">{esc(a.title)}</div>'
        f'<div class="meta">{meta}</div>{f"<div class=meta>{esc(heading)}</div>" if heading else ""}</div>'
        f'<div class="source-text">{"".join(runs)}</div>'
    )


def articles_html(rows: Sequence[ArticleInfo]) -> str:
    if not rows:
        return "<p>No articles match.</p>"
    body = "".join(
        f"<tr><td>{esc(r.title)}</td><td>{esc(r.source)}</td><td>{esc(r.date)}</td>"
        f"<td>{r.n_sentences}</td><td><code>{esc(r.id)}</code></td></tr>"
        for r in rows
    )
    head = "<tr><th>Title</th><th>Source</th><th>Date</th><th>Sentences</th><th>Id</th></tr>"
    return f'<table class="library"><thead>{head}</thead><tbody>{body}</tbody></table>'


def claims_html(rows: Sequence[ClaimRow], info: Info) -> str:
    if not rows:
        return "<p>No attributed claims match.</p>"
    body = []
    for r in rows:
        c = r.citation
        link = chip(f"claim-{c.start}-{c.end}-{c.article_id}", "open", c.title)
        i = info(c.article_id)
        body.append(f"<tr><td>{esc(r.speaker)}</td><td>“{esc(c.sentence)}” {link}</td>"
                    f"<td>{esc(i.title if i else c.title)}<br><span class=meta>{esc(r.source)} {esc(r.date)}</span></td></tr>")  # fmt: skip
    head = "<tr><th>Speaker</th><th>Claim</th><th>Article</th></tr>"
    return f'<table class="claims"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def ingest_html(results: Sequence[tuple[str, str, str]]) -> str:
    """Per-file results of an upload: (file name, outcome, detail)."""
    rows = "".join(f'<tr class="{esc(o)}"><td>{esc(f)}</td><td>{esc(o)}</td><td>{esc(d)}</td></tr>' for f, o, d in results)
    return f'<table class="ingest"><thead><tr><th>File</th><th>Result</th><th>Detail</th></tr></thead><tbody>{rows}</tbody></table>'
