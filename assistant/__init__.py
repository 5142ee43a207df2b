"""sourced: offline question answering over news articles with sentence-level citations.

Example:
    >>> from assistant import Assistant
    >>> a = Assistant.open("data")        # doctest: +SKIP
    >>> a.ask("Who claimed it?").citations  # doctest: +SKIP
"""

from assistant.core import Assistant
from assistant.errors import InputError, ModelUnavailableError, NotFoundError, SourcedError
from assistant.settings import Settings
from assistant.types import Answer, Citation
from index.types import Sentence

__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "InputError",
    "ModelUnavailableError",
    "NotFoundError",
    "Sentence",
    "Settings",
    "SourcedError",
]
