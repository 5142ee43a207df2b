"""The assistant's records: retrieved hits, citations and answers.

All are frozen dataclasses: cheap to build, hashable where their fields are,
and free of any framework. Pydantic appears only at I/O edges (settings, gold files).
Articles and sentences are the ground floor's (:mod:`index.types`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from index.types import Sentence


@dataclass(frozen=True)
class Hit:
    """A retrieved sentence with its score and the context a generator may show.

    ``speaker`` is the attributed source of the sentence when the attribution
    index knows it (``None`` otherwise). Hybrid retrieval also records the sentence's dense
    ``cosine``, its passage's cosine (``passage``) and the near-identical sentences of other
    articles it stands for (``duplicates``).

    Example:
        >>> s = Sentence("a1", 0, 0, 6, "Hello.")
        >>> Hit(sentence=s, score=0.8, title="T").score
        0.8
    """

    sentence: Sentence
    score: float
    title: str = ""
    date: str = ""
    speaker: str | None = None
    window: str = ""
    cosine: float | None = None
    passage: float | None = None
    duplicates: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class Citation:
    """A pointer from an answer to one exact source sentence.

    ``n`` is the marker number used in the answer text (``[n]``).
    ``support`` is the verifier's probability that the cited sentence supports
    the answer sentence (``None`` when no verifier ran). ``also_in`` lists near-identical copies
    of the sentence in other articles (syndicated stories) as ``(article_id, title, start, end)``.

    Example:
        >>> Citation(n=1, article_id="a1", title="T", sentence="Hello.", start=0, end=6, score=0.9).n
        1
    """

    n: int
    article_id: str
    title: str
    sentence: str
    start: int
    end: int
    score: float
    sentence_index: int = -1
    support: float | None = None
    also_in: tuple[tuple[str, str, int, int], ...] = ()


@dataclass(frozen=True)
class Answer:
    """The assistant's reply: text with ``[n]`` markers and the citations they point to.

    ``standalone_question`` is the question after follow-up condensing (equal to
    ``question`` when there was nothing to condense). ``retrieved`` are the hits
    the generator was shown, best first (used by evaluation for recall@k).

    Example:
        >>> Answer(text="The articles don't say.", refused=True).citations
        ()
    """

    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    question: str = ""
    standalone_question: str = ""
    generator: str = "extractive"
    retrieved: tuple[Hit, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


_CITATION_KEYS = ("n", "article_id", "title", "sentence", "start", "end", "sentence_index", "score", "support",
                  "also_in")


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The JSON shape of ``sourced ask --json`` (and of the web app's ``/ask`` endpoint).

    Example:
        >>> answer_to_dict(Answer(text="No.", refused=True))["refused"]
        True
    """
    return {
        "answer": answer.text,
        "refused": answer.refused,
        "question": answer.question,
        "standalone_question": answer.standalone_question,
        "generator": answer.generator,
        "citations": [{k: v for k, v in asdict(c).items() if k in _CITATION_KEYS} for c in answer.citations],
        "notes": list(answer.notes),
    }


def _citation_field(key: str, value: Any) -> Any:
    """A citation field from JSON: ``also_in`` comes back as lists and becomes tuples again."""
    return tuple(tuple(x) for x in value) if key == "also_in" else value


def answer_from_dict(data: Mapping[str, Any] | str) -> Answer:
    """An :class:`Answer` back from :func:`answer_to_dict`'s JSON (or from a bare answer text), so
    a script can pass earlier turns as history.

    Example:
        >>> answer_from_dict({"answer": "Asif said so [1].", "citations": [{"n": 1, "article_id": "a",
        ...     "title": "T", "sentence": "Asif said so.", "start": 0, "end": 13, "score": 1.0}]}).citations[0].n
        1
        >>> answer_from_dict("Just text.").text
        'Just text.'
    """
    if isinstance(data, str):
        return Answer(text=data, refused=False)
    citations = tuple(
        Citation(**{k: _citation_field(k, c[k]) for k in _CITATION_KEYS if k in c}) for c in data.get("citations") or ()
    )
    return Answer(text=str(data.get("answer", "")), refused=bool(data.get("refused", False)), citations=citations,
                  question=str(data.get("question", "")), standalone_question=str(data.get("standalone_question", "")),
                  generator=str(data.get("generator", "extractive")), notes=tuple(data.get("notes") or ()))  # fmt: skip
