"""Turn a follow-up question into a standalone one, with an LLM or with rules.

History is a sequence of ``(user question, assistant answer text)`` pairs, oldest first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from assistant.citations import MARKER
from assistant.errors import LLMFailedError, ModelUnavailableError
from assistant.llm import LLM
from assistant.prompts import load_prompt, quote
from assistant.types import Answer
from index.lexicon import NAME_OPENERS, NAME_TITLES, ORG_HINTS

log = logging.getLogger(__name__)

PRONOUN = re.compile(r"\b(he|she|they|him|her|his|their|them|it|its)\b", re.IGNORECASE)
PLURAL = {"they", "them", "their", "it", "its"}
POSSESSIVE = {"his", "their", "its"}
ELLIPTICAL = re.compile(r"^\s*(?:(what else|anything else|and\b|what about|how about)\W*"
                        r"|(why|how|when|where)(?: so| exactly)?\W*$)", re.IGNORECASE)
NAME = re.compile(r"[A-Z][\w’'.-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w’'.-]*)*")
QUESTION_START = re.compile(
    r"^(who|whom|whose|what|when|where|why|how|which|did|does|do|is|are|was|were|has|have|had|"
    r"can|could|will|would|should|according|and|in|on|for)\b", re.IGNORECASE)


def _candidates(text: str) -> list[str]:
    """Capitalised multi-word names and acronyms in ``text``, in order of appearance."""
    text = MARKER.sub(" ", text)
    found: list[str] = []
    for match in NAME.finditer(text):
        words = [w.rstrip(".,") for w in match.group(0).split()]
        while words and words[0].lower().rstrip("’'s") in NAME_OPENERS | {""}:
            words = words[1:]
        titled = [i for i, w in enumerate(words) if w.lower() in NAME_TITLES]
        if titled and titled[-1] + 1 < len(words):
            words = words[titled[-1] + 1:]
        if any(w.lower() in NAME_TITLES for w in words):
            continue
        words = [w for w in words if w]
        if len(words) >= 2 or (len(words) == 1 and re.fullmatch(r"[A-Z]{2,6}", words[0])):
            found.append(" ".join(words))
    return found


def _is_org(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{2,6}", name)) or any(w.lower() in ORG_HINTS for w in name.split())


def needs_context(question: str) -> bool:
    """True when a question has a pronoun or is elliptical ("what else", "and …?", "why?").

    Example:
        >>> needs_context("What else did he say?"), needs_context("Who is Khawaja Asif?")
        (True, False)
    """
    return bool(PRONOUN.search(question) or ELLIPTICAL.match(question))


class RuleCondenser:
    """Resolve pronouns to the latest person or organisation named in earlier turns.

    Example:
        >>> h = [("What did Khawaja Asif admit?", "Khawaja Asif admitted that the forces were handicapped.")]
        >>> RuleCondenser().condense(h, "What else did he say?")
        'What else did Khawaja Asif say?'
    """

    name = "rules"

    def referent(
        self, history: Sequence[tuple[str, str]], plural: bool, speaker: str | None = None
    ) -> str | None:
        """The most recent fitting name: the given speaker, else the last answer, else questions."""
        if speaker:
            return speaker
        for user, answer in reversed(history):
            for names in (_candidates(answer), list(reversed(_candidates(user)))):
                fitting = [n for n in names if _is_org(n) == plural] or names
                if fitting:
                    return fitting[0]
        return None

    def condense(
        self, history: Sequence[tuple[str, str]], question: str, *, speaker: str | None = None
    ) -> str:
        question = " ".join(question.split())
        if not history or not needs_context(question):
            return question
        pronoun = PRONOUN.search(question)
        if pronoun:
            word = pronoun.group(1).lower()
            name = self.referent(history, word in PLURAL, speaker)
            if not name:
                return question
            if word == "her":
                after = question[pronoun.end():].lstrip()
                possessive = bool(after) and after[0].isalpha() and not re.match(
                    r"(about|to|for|with|on|in|at|that|if)\b", after)
                word = "his" if possessive else word
            repl = f"{name}’s" if word in POSSESSIVE else name
            return question[: pronoun.start()] + repl + question[pronoun.end():]
        name = self.referent(history, False, speaker)
        head = ELLIPTICAL.match(question)
        lead = (head.group(1) or head.group(2)).lower() if head else ""
        rest = question[head.end():].strip(" ?") if head else ""
        last_question = history[-1][0].strip()
        if lead in {"what else", "anything else"} and name:
            return f"What else did {name} say{(' ' + rest) if rest else ''}?"
        if lead in {"and", "what about", "how about"} and rest:
            if name and name in last_question:
                return last_question.replace(name, rest, 1)
            return f"What about {rest}, regarding: {last_question}"
        if name:
            return f"{lead.capitalize()} did {name} say that{(' ' + rest) if rest else ''}?"
        return f"{question} ({last_question})"


def _history_text(history: Sequence[tuple[str, str]], turns: int = 3, words: int = 50) -> str:
    lines = []
    for user, answer in list(history)[-turns:]:
        lines.append(f"User: {quote(user)}")
        short = " ".join(quote(MARKER.sub("", answer)).split()[:words])
        if short:
            lines.append(f"Assistant: {short}")
    return "\n".join(lines)


class LLMCondenser:
    """Ask the LLM to rewrite a follow-up; fall back to :class:`RuleCondenser` on bad output.

    Example:
        >>> from assistant.llm import ScriptedLLM
        >>> c = LLMCondenser(ScriptedLLM(default="What else did Khawaja Asif say?"))
        >>> c.condense([("What did Khawaja Asif admit?", "He admitted ...")], "What else did he say?")
        'What else did Khawaja Asif say?'
    """

    def __init__(self, llm: LLM, fallback: RuleCondenser | None = None, max_tokens: int = 48) -> None:
        self.llm = llm
        self.fallback = fallback or RuleCondenser()
        self.max_tokens = max_tokens
        self.name = f"llm:{llm.name}"
        self.template = load_prompt("condense", frozenset({"history", "question"}))

    def acceptable(self, rewritten: str, question: str) -> bool:
        """Not empty, not much longer than the question, question-shaped, no citations."""
        if not rewritten or MARKER.search(rewritten):
            return False
        if len(rewritten) > max(3 * len(question), len(question) + 120):
            return False
        return rewritten.endswith("?") or bool(QUESTION_START.match(rewritten))

    def condense(self, history: Sequence[tuple[str, str]], question: str) -> str:
        question = " ".join(question.split())
        if not history or not question:
            return question
        prompt = self.template.format(history=_history_text(history), question=question)
        raw = self.llm.complete(prompt, max_tokens=self.max_tokens, stop=("\n",))
        rewritten = re.sub(r"^(standalone question|question)\s*:\s*", "", raw.strip(), flags=re.I)
        rewritten = rewritten.strip().strip("\"'“”").strip()
        if self.acceptable(rewritten, question):
            return rewritten
        log.info("condenser output rejected (%r); using rules", raw[:80])
        return self.fallback.condense(history, question)


class FollowUpCondenser:
    """The pipeline's condenser: a follow-up (pronoun or ellipsis) becomes a standalone question,
    by the LLM when there is one (checked, with the rules behind it, also when the model fails),
    else by the rules.

    Example:
        >>> from assistant.types import Answer
        >>> h = [("What did Khawaja Asif admit?", Answer("Khawaja Asif admitted it.", refused=False))]
        >>> FollowUpCondenser().condense(h, "What else did he say?")
        'What else did Khawaja Asif say?'
    """

    def __init__(self, llm: LLM | None = None) -> None:
        self.inner: RuleCondenser | LLMCondenser = RuleCondenser() if llm is None else LLMCondenser(llm)

    def condense(self, history: Sequence[tuple[str, Answer]], question: str) -> str:
        """Rewrite a follow-up as a standalone question (unchanged when there is no history)."""
        if not history or not needs_context(question):
            return question
        pairs = [(q, a.text) for q, a in history]
        try:
            condensed = str(self.inner.condense(pairs, question))
        except (LLMFailedError, ModelUnavailableError) as exc:
            log.warning("condensing with rules: %s", exc)
            return RuleCondenser().condense(pairs, question)
        if PRONOUN.search(condensed) and not isinstance(self.inner, RuleCondenser):
            condensed = RuleCondenser().condense(pairs, question)  # the model left the pronoun unresolved
        return condensed
