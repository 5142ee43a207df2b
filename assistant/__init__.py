"""sourced: offline question answering over news articles with sentence-level citations.

The public API: what a program (the CLI, the web app, the evaluation harness) touches.

Example:
    >>> from assistant import Assistant
    >>> a = Assistant.open("data")        # doctest: +SKIP
    >>> a.ask("Who claimed it?").citations  # doctest: +SKIP
"""

from assistant.chat import ChatSession
from assistant.core import Assistant
from assistant.errors import (
    InputError,
    LLMFailedError,
    ModelUnavailableError,
    NotFoundError,
    SourcedError,
    StoreError,
)
from assistant.judge import Judge, LLMJudge
from assistant.llm import LLM, load_local_llm
from assistant.settings import Settings
from assistant.types import Answer, Citation, Hit
from index.ingest import IngestReport
from index.store import ArticleInfo
from index.types import Article, Sentence

__all__ = [
    "LLM",
    "Answer",
    "Article",
    "ArticleInfo",
    "Assistant",
    "ChatSession",
    "Citation",
    "Hit",
    "IngestReport",
    "InputError",
    "Judge",
    "LLMFailedError",
    "LLMJudge",
    "ModelUnavailableError",
    "NotFoundError",
    "Sentence",
    "Settings",
    "SourcedError",
    "StoreError",
    "load_local_llm",
]
