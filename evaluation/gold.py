"""The gold question file: pydantic models and a loader with line-numbered errors.

The format is described in ``eval/README.md`` (one JSON object per line)::

    {"id": "q1", "question": "Who said X?", "answers": ["Khawaja Asif", "Asif"],
     "answerable": true,
     "evidence": [{"article_id": "86d8...", "text": "...", "start": 1, "end": 9}],
     "history": [], "tags": ["attribution"]}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assistant import InputError

log = logging.getLogger(__name__)


class GoldFormatError(InputError):
    """A gold file is unreadable or a line breaks the format; names file, line and field.

    Example:
        >>> str(GoldFormatError("gold.jsonl", 3, "answers", "must be a list"))
        'gold.jsonl:3: answers: must be a list'
    """

    def __init__(self, path: str, line: int | None, field: str | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {field}: {reason}" if field else f"{where}: {reason}")
        self.path, self.line, self.field, self.reason = path, line, field, reason


class Evidence(BaseModel):
    """One gold supporting span; offsets, when given, index the article text.

    Example:
        >>> Evidence(text="Hello.", article_id="a1", start=0, end=6).has_offsets
        True
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str
    article_id: str | None = None
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("evidence text must not be empty")
        return value

    @model_validator(mode="after")
    def _offsets(self) -> Evidence:
        if (self.start is None) != (self.end is None):
            raise ValueError("end: give both start and end, or neither")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"start: start ({self.start}) is greater than end ({self.end})")
        return self

    @property
    def has_offsets(self) -> bool:
        """True when article_id, start and end are all known."""
        return self.article_id is not None and self.start is not None and self.end is not None


class GoldItem(BaseModel):
    """One gold question with its acceptable answers and evidence.

    Example:
        >>> GoldItem(id="q1", question="Who?", answers=["Asif"], tags=["attribution"]).answerable
        True
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    question: str
    answers: list[str] = Field(default_factory=list)
    answerable: bool = True
    evidence: list[Evidence] = Field(default_factory=list)
    history: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question must not be empty")
        return value

    @field_validator("answers")
    @classmethod
    def _answers_not_blank(cls, value: list[str]) -> list[str]:
        if any(not a.strip() for a in value):
            raise ValueError("answers must not contain empty strings")
        return value

    @model_validator(mode="after")
    def _answerable_consistent(self) -> GoldItem:
        if self.answerable and not self.answers:
            raise ValueError("answers: answerable is true but answers is empty")
        if not self.answerable and self.answers:
            raise ValueError("answers: answerable is false but answers are given (use [])")
        return self


_MODEL_FIELDS = {"answers", "start", "end"}


def _field_name(loc: Sequence[int | str]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "item"


def parse_gold_line(line: str, path: str = "<gold>", line_no: int = 1) -> GoldItem:
    """Parse and validate one JSON line; ``GoldFormatError`` on any problem.

    Example:
        >>> parse_gold_line('{"id": "q", "question": "Who?", "answers": ["A"]}').id
        'q'
    """
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        reason = f"bad JSON ({exc.msg} at column {exc.colno})"
        raise GoldFormatError(path, line_no, None, reason) from None
    if not isinstance(raw, dict):
        raise GoldFormatError(path, line_no, None, "each line must be a JSON object")
    if "id" not in raw:
        raw["id"] = f"line-{line_no}"
    try:
        return GoldItem.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = _field_name(err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "is required"
        sub_field, sep, rest = message.partition(": ")
        if sep and sub_field in _MODEL_FIELDS:  # a model-level check names its field first
            field = sub_field if field == "item" else f"{field}.{sub_field}"
            message = rest
        raise GoldFormatError(path, line_no, field, message) from None


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read a gold JSON-lines file, validating every line (blank lines are skipped).

    Example:
        >>> load_gold("eval/sample-gold.jsonl")[0].question  # doctest: +SKIP
        'Who claimed that at least 280 Pakistani personnel were killed?'
    """
    name = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldFormatError(name, None, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFormatError(name, None, None, f"cannot read the file ({exc})") from None
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item = parse_gold_line(line, name, line_no)
        if item.id in seen:
            reason = f"duplicate id {item.id!r} (first on line {seen[item.id]})"
            raise GoldFormatError(name, line_no, "id", reason)
        seen[item.id] = line_no
        items.append(item)
    if not items:
        raise GoldFormatError(name, None, None, "no questions in the file")
    log.info("loaded %d gold items from %s", len(items), name)
    return items


def check_offsets(items: Sequence[GoldItem], texts: Mapping[str, str]) -> list[str]:
    """Problems with evidence offsets against article texts (empty list when all match).

    Evidence whose article is not in ``texts`` is reported too.

    Example:
        >>> item = GoldItem(id="q", question="?", answers=["A"],
        ...                 evidence=[Evidence(text="Hi", article_id="a", start=0, end=2)])
        >>> check_offsets([item], {"a": "Hi there"})
        []
    """
    problems: list[str] = []
    for item in items:
        for i, ev in enumerate(item.evidence):
            if not ev.has_offsets:
                continue
            text = texts.get(str(ev.article_id))
            if text is None:
                problems.append(f"{item.id}: evidence[{i}]: unknown article {ev.article_id!r}")
            elif text[ev.start : ev.end] != ev.text:
                problems.append(
                    f"{item.id}: evidence[{i}]: text[{ev.start}:{ev.end}] is "
                    f"{text[ev.start : ev.end]!r}, not {ev.text!r}"
                )
    return problems
