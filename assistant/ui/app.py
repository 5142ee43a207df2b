"""A thin Gradio chat over :class:`assistant.Assistant`: answers stream, citations quote their sentences.

Each browser session keeps one :class:`~assistant.chat.ChatSession` (history with its real
citations, so follow-ups and "what else …" work as in ``sourced chat``); clearing the chat
starts a new one. Run: ``sourced serve`` or ``python app.py --data-dir data``.
"""

from __future__ import annotations

import argparse
import html
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from assistant.offline import use_offline_env

use_offline_env()

import gradio as gr  # noqa: E402

from assistant import Answer, Assistant, ChatSession, Settings, SourcedError  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLES = [
    "Who claimed that at least 280 Pakistani personnel were killed?",
    "Who admitted that the security forces were handicapped?",
    "What did the BLA claim?",
]


def render(answer: Answer) -> str:
    """Markdown for one answer: the text, what it was understood as, and the quoted sources."""
    parts = [answer.text]
    if answer.standalone_question and answer.standalone_question != answer.question:
        parts.append(f"\n\n*Understood as:* {answer.standalone_question}")
    if answer.citations:
        parts.append("\n\n**Sources**")
        for c in answer.citations:
            quote = html.escape(c.sentence)
            parts.append(f"\n\n[{c.n}] *{html.escape(c.title)}* (chars {c.start}–{c.end})\n> {quote}")
    for note in answer.notes:
        parts.append(f"\n\n<sub>{html.escape(note)}</sub>")
    return "".join(parts)


class Sessions:
    """One :class:`ChatSession` per browser session (Gradio's ``session_hash``), most recent kept.

    ``turns`` is how many questions the browser's chat shows: 0 (a new or cleared chat) starts a
    new session; fewer than the session holds (an undo or retry) forgets the later turns.

    Example:
        >>> class Fake:
        ...     def chat(self): return ChatSession(self)
        >>> sessions = Sessions(Fake(), limit=2)
        >>> first = sessions.get("a", turns=0)
        >>> sessions.get("a", turns=1) is first, sessions.get("a", turns=0) is first
        (True, False)
    """

    def __init__(self, assistant: Any, limit: int = 1000) -> None:
        self.assistant = assistant
        self.limit = limit
        self._sessions: OrderedDict[str, ChatSession] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, *, turns: int) -> ChatSession:
        with self._lock:
            session = self._sessions.get(key) if turns else None
            if session is None:
                session = self.assistant.chat()
            del session.history[turns:]
            self._sessions[key] = session
            self._sessions.move_to_end(key)
            while len(self._sessions) > self.limit:
                self._sessions.popitem(last=False)
            return session


def _user_turns(history: list[Any]) -> int:
    return sum(1 for m in history if isinstance(m, dict) and m.get("role") == "user")


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


def responder(assistant: Assistant) -> Callable[[str, list[Any], gr.Request], Iterator[str]]:
    """The chat function: streams the answer text, then the rendered answer with its sources.

    Each browser session (``request.session_hash``) talks to its own :class:`ChatSession`.
    """
    sessions = Sessions(assistant)

    def respond(message: str, history: list[Any], request: gr.Request) -> Iterator[str]:
        try:
            key = getattr(request, "session_hash", None) or "default"
            session = sessions.get(key, turns=_user_turns(history))
            text = ""
            for piece in session.ask(message, stream=True):
                if isinstance(piece, Answer):
                    yield render(piece)
                else:
                    text += piece
                    yield text
        except SourcedError as exc:
            raise gr.Error(str(exc)) from exc

    return respond


def build_app(assistant: Assistant) -> gr.Blocks:
    """The Gradio Blocks app for ``assistant`` (not launched)."""
    respond = responder(assistant)

    with gr.Blocks(title="sourced") as demo:
        gr.ChatInterface(
            respond,
            title="sourced: cited answers about your news articles",
            description=describe(assistant),
            examples=EXAMPLES,
            cache_examples=False,
            api_name="chat",
        )
    return demo


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    assistant = Assistant.from_settings(settings)
    assistant.warm_up()  # a model that cannot load is reported now and the app answers without it
    if not assistant.articles():
        log.warning("No articles are indexed in %s; add some with `sourced ingest PATH`.", settings.data_dir)
    build_app(assistant).queue().launch(server_name=host, server_port=port, share=False, show_error=True)


def main() -> None:
    """``python app.py`` / ``python -m assistant.ui``: parse the flags and launch."""
    parser = argparse.ArgumentParser(description="Start the sourced web app.")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    if args.data_dir:
        settings = settings.updated(data_dir=args.data_dir)
    launch(settings, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
