"""The sourced web app: cited chat beside the source, a library, a claims browser, settings.

Layout only: the events are :class:`~assistant.ui.handlers.Views` methods over the public API.
Each browser tab keeps its own :class:`~assistant.chat.ChatSession` in a ``gr.State``, and its own
settings and filters in its components' values (sent with each question; nothing is global). Named
API endpoints for scripts (``gradio_client``): ``/ask`` (with optional filters), ``/claims``, ``/articles``.
Run: ``sourced serve`` or ``python app.py --data-dir data [--host H] [--port P] [--auth user:pass]``.

Example:
    >>> demo = build_app(Assistant.open("data"))             # doctest: +SKIP
    >>> demo.launch(server_name="127.0.0.1", css=CSS)       # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from assistant.offline import use_offline_env

use_offline_env()

import gradio as gr  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from assistant.ui.handlers import Views  # noqa: E402
from assistant.ui.render import source_html  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLES = [
    "Who claimed that at least 280 Pakistani personnel were killed?",
    "Who admitted that the security forces were handicapped?",
    "What did the BLA claim?",
]

# A click on any citation chip (in the chat, under an answer, or in the claims table) opens the
# source view: the chip's href goes to Python as the "cite" event; the focused mark is scrolled to.
SOURCE_JS = """
if (!window.__sourcedCites) {
  window.__sourcedCites = true;
  document.addEventListener('click', (e) => {
    const a = e.target.closest ? e.target.closest('a.cite') : null;
    const href = a ? (a.getAttribute('href') || '') : '';
    if (!/^#(cite|claim)-/.test(href)) return;
    e.preventDefault(); e.stopPropagation();
    trigger('cite', {ref: href.slice(1)});
  }, true);
}
watch('value', () => {
  const m = element.querySelector('mark.focus');
  if (m) m.scrollIntoView({block: 'center', behavior: 'instant'});
});
"""

CSS = """
a.cite { display: inline-block; min-width: 1.4em; padding: 0 .35em; margin: 0 .1em; border-radius: .8em;
  background: #dbeafe; color: #1e40af !important; font-size: .8em; font-weight: 600; text-align: center;
  text-decoration: none !important; cursor: pointer; }
a.cite:hover { background: #1e40af; color: #fff !important; }
.refusal { border-left: 4px solid #d97706; background: #fffbeb; padding: .4em .7em; color: #78350f; }
.understood { font-size: .85em; color: #4b5563; margin-bottom: .3em; }
ol.sources { font-size: .88em; margin-top: .6em; }
.meta { font-size: .8em; color: #6b7280; }
details.notes { font-size: .8em; color: #6b7280; }
#source-col { position: sticky !important; top: .5em; align-self: flex-start; max-height: 92vh !important;
  overflow-y: auto !important; border: 1px solid #e5e7eb; border-radius: 8px; padding: .8em; }
.source-title { font-weight: 700; font-size: 1.1em; }
.source-text { white-space: pre-wrap; line-height: 1.55; margin-top: .6em; }
mark.focus { background: #fde047; padding: 0 .1em; outline: 2px solid #eab308; }
mark.also { background: #fef9c3; }
table.library td, table.claims td, table.ingest td { vertical-align: top; }
tr.failed td { color: #b91c1c; }
.filtered, .filter-status { font-size: .82em; color: #1e40af; background: #eff6ff; border-radius: 4px;
  padding: .15em .5em; margin-bottom: .3em; display: inline-block; }
.filter-error { font-size: .9em; color: #b91c1c; background: #fef2f2; border-left: 4px solid #dc2626; padding: .3em .6em; }
"""


def describe(assistant: Assistant) -> str:
    """The line under the title: what is indexed, how answers are made, how to get the LLM."""
    n = len(assistant.articles())
    line = f"{n} article(s) indexed. Every answer sentence cites the sentence it rests on; "
    if assistant.llm is not None and not assistant.llm_problem:
        return line + f"answers are written by {assistant.generator_name} and each citation is checked."
    if assistant.llm_problem:
        return line + f"answers quote the source sentences (extractive): {assistant.llm_problem}"
    line += "answers quote the source sentences (extractive)."
    model = assistant.settings.model_path
    if assistant.settings.generator == "auto" and not model.is_file():
        line += f" For written answers, assemble the local model with `make model` (expected at {model})."
    return line


def build_app(assistant: Assistant) -> gr.Blocks:
    """The Gradio Blocks app for ``assistant`` (not launched; launch with ``css=CSS``)."""
    views = Views(assistant)
    with gr.Blocks(title="sourced") as demo:
        gr.Markdown(f"## sourced: cited answers about your news articles\n{describe(assistant)}")
        session = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3), gr.Tabs():
                with gr.Tab("Chat", id="chat"):
                    chat = gr.Chatbot(elem_id="chat", height=520, show_label=False, latex_delimiters=[])
                    with gr.Row():
                        box = gr.Textbox(placeholder="Ask about the articles…", show_label=False, scale=5,
                                         elem_id="question", submit_btn=False)  # fmt: skip
                        ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    chat_line = gr.HTML("", elem_id="chat-filters")
                    gr.Examples(EXAMPLES, inputs=box)
                    new = gr.Button("New conversation", size="sm")
                with gr.Tab("Library", id="library"):
                    files = gr.File(label="Add articles (txt, md, html, jsonl)", file_count="multiple",
                                    file_types=[".txt", ".md", ".html", ".htm", ".jsonl"], type="filepath")  # fmt: skip
                    add = gr.Button("Add to the library", variant="primary", elem_id="add-articles")
                    added = gr.HTML(elem_id="ingest-results")
                    query = gr.Textbox(label="Search titles", elem_id="title-search")
                    table = gr.HTML(elem_id="article-list")
                    with gr.Row():
                        doomed = gr.Dropdown(label="Article to delete", choices=[], elem_id="delete-choice", scale=4)
                        delete = gr.Button("Delete", variant="stop", elem_id="delete", scale=1)
                    deleted = gr.Markdown()
                with gr.Tab("Claims", id="claims"):
                    with gr.Row():
                        speaker = gr.Dropdown(label="Speaker", choices=[("All speakers", "")], value="",
                                              elem_id="speaker-filter")  # fmt: skip
                        article = gr.Dropdown(label="Article", choices=[("All articles", "")], value="",
                                              elem_id="article-filter")  # fmt: skip
                    claims = gr.HTML(elem_id="claims-table")
                with gr.Tab("Settings", id="settings"):
                    generator = gr.Radio(views.generators, value=views.generators[0], label="Generator",
                                         info="extractive quotes the best sentences; an LLM writes an answer and "
                                         "each citation is checked")  # fmt: skip
                    top_k = gr.Slider(1, 20, value=assistant.settings.top_k, step=1, label="Sentences retrieved (top-k)")
                    gr.Markdown("**Filters**: answers come only from the articles and speakers chosen here.")
                    sources = gr.Dropdown(label="Sources", choices=views.sources(), value=[], multiselect=True,
                                          elem_id="filter-sources")  # fmt: skip
                    with gr.Row():
                        since = gr.Textbox(label="Since", placeholder="YYYY, YYYY-MM or YYYY-MM-DD", elem_id="filter-since")
                        until = gr.Textbox(label="Until (inclusive)", placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                                           elem_id="filter-until")  # fmt: skip
                    only = gr.Dropdown(label="Articles", choices=[], value=[], multiselect=True, elem_id="filter-articles")
                    said_by = gr.Dropdown(label="Speaker", choices=[("Any speaker", "")], value="", allow_custom_value=True,
                                          elem_id="filter-speaker")  # fmt: skip
                    settings_line = gr.HTML(views.filter_lines()[0], elem_id="filter-status")
                    gr.Markdown("Settings and filters apply to this browser tab only.")
            with gr.Column(scale=2, elem_id="source-col"):
                source = gr.HTML(source_html(None), elem_id="source-view", js_on_load=SOURCE_JS)

        filters = [sources, since, until, only, said_by]  # component values: each tab has its own
        turn: dict[str, Any] = {"fn": views.respond, "inputs": [box, chat, session, top_k, generator, *filters],
                                "outputs": [box, chat, session]}  # fmt: skip
        box.submit(**turn, api_visibility="private")
        ask.click(**turn, api_visibility="private")
        new.click(lambda: ([], None, source_html(None)), outputs=[chat, session, source], api_visibility="private")
        for control in (top_k, generator):
            control.change(views.session, [session, top_k, generator], session, api_visibility="private")

        lines: dict[str, Any] = {"fn": views.filter_lines, "inputs": filters, "outputs": [settings_line, chat_line],
                                 "api_visibility": "private"}  # fmt: skip
        for picker in (sources, only, said_by):
            picker.change(**lines)
        for field in (since, until):  # checked when the field is left, not at every key
            field.blur(**lines)
            field.submit(**lines)

        def open_ref(current: Any, evt: gr.EventData) -> str:
            return views.open_ref(str(evt._data.get("ref", "")), current)

        source.cite(open_ref, inputs=session, outputs=source, api_visibility="private")

        def refresh(q: str = "") -> tuple[Any, ...]:
            html, choices = views.library(q)
            speakers, arts = views.claim_filters()
            return (html, gr.update(choices=choices, value=None), gr.update(choices=speakers, value=""),
                    gr.update(choices=arts, value=""), views.claims_table(None, None),
                    gr.update(choices=views.sources()), gr.update(choices=arts[1:]),
                    gr.update(choices=[("Any speaker", ""), *speakers[1:]]))  # fmt: skip

        lists = [table, doomed, speaker, article, claims, sources, only, said_by]
        demo.load(refresh, query, lists, api_visibility="private")
        def upload(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[str, None]:  # noqa: B008
            return views.upload(paths, progress), None  # the file list is emptied: a later add adds only new files

        add.click(upload, files, [added, files], api_visibility="private").then(refresh, query, lists, api_visibility="private")
        delete.click(views.delete, doomed, deleted, api_visibility="private").then(refresh, query, lists, api_visibility="private")
        query.change(lambda q: views.library(q)[0], query, table, api_visibility="private")
        for choice in (speaker, article):
            choice.change(views.claims_table, [speaker, article], claims, api_visibility="private")

        gr.api(views.api_ask, api_name="ask")
        gr.api(views.api_claims, api_name="claims")
        gr.api(views.api_articles, api_name="articles")
    return demo


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:pass`` → ``("user", "pass")``.

    Example:
        >>> parse_auth("ana:s3cret:x"), parse_auth(None)
        (('ana', 's3cret:x'), None)
    """
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise SystemExit("--auth takes user:password")
    return user, password


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None) -> None:
    assistant = Assistant.from_settings(settings)
    assistant.warm_up()  # a model that cannot load is reported now and the app answers without it
    if not assistant.articles():
        log.warning("No articles are indexed in %s; add some in the Library tab or with `sourced ingest PATH`.",
                    settings.data_dir)  # fmt: skip
    serve(assistant, host, port, auth)


def serve(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None) -> None:
    """Serve the app for ``assistant`` until interrupted; ``auth`` (``user:pass``) requires a login."""
    build_app(assistant).queue().launch(server_name=host, server_port=port, share=False, show_error=True,
                                        auth=parse_auth(auth), css=CSS)  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """``python app.py`` / ``python -m assistant.ui``: parse the flags and launch."""
    parser = argparse.ArgumentParser(description="Start the sourced web app (on 127.0.0.1 unless --host).")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--auth", default=None, help="require a login, given as user:password")
    parser.add_argument("--generator", choices=["auto", "extractive", "local", "openai"], default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    updates: dict[str, Any] = {"data_dir": args.data_dir, "generator": args.generator}
    settings = Settings().updated(**{k: v for k, v in updates.items() if v is not None})
    launch(settings, host=args.host, port=args.port, auth=args.auth)


if __name__ == "__main__":
    main()
