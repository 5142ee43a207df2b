"""The evidence an LLM reads: passages around the best sentences, numbered by sentence.

Isolated sentences do not say which story they belong to; the model gets, for each of the best
hits, its neighbours (``around`` on each side) under the article's title and date, overlapping
windows of one article merged, within a token budget. Every shown sentence gets its own number,
so ``[n]`` markers still cite single sentences; :func:`build_context` returns the hits in that
numbering so ``[n]`` is ``shown[n - 1]``.

Example:
    >>> from assistant.types import Sentence
    >>> sents = {("a", i): Sentence("a", i, 0, 1, f"S{i}.") for i in range(5)}
    >>> hit = Hit(sents[("a", 2)], 0.9, title="T", date="2022-06-01")
    >>> ctx = build_context([hit], lambda a, f, l: [sents[(a, i)] for i in range(f, l + 1) if (a, i) in sents], 100)
    >>> print(ctx.text)
    Article: T (2022-06-01)
    [1] S1. [2] S2. [3] S3.
    >>> [h.sentence.index for h in ctx.shown], ctx.best
    ([1, 2, 3], [2])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.generation import approx_tokens
from assistant.prompts import article_heading, quote
from assistant.types import Hit, Sentence

SentencesOf = Callable[[str, int, int], Sequence[Sentence]]
CONTEXT_SCORE = 0.0  # the score a neighbour shown only as context carries


@dataclass(frozen=True)
class Context:
    """The numbered evidence text, the hits it numbers 1..N, and the numbers of the retrieved
    hits among them, best first."""

    text: str
    shown: list[Hit]
    best: list[int]


def _windows(hits: Sequence[Hit], sentences_of: SentencesOf, around: int) -> dict[str, list[list[Hit]]]:
    """Per article (in order of first appearance), merged runs of hits and neighbours."""
    by_article: dict[str, dict[int, Hit]] = {}
    for hit in hits:
        s = hit.sentence
        rows = by_article.setdefault(s.article_id, {})
        for n in sentences_of(s.article_id, s.index - around, s.index + around):
            rows.setdefault(n.index, replace(hit, sentence=n, score=CONTEXT_SCORE, duplicates=()))
        rows[s.index] = hit
    out: dict[str, list[list[Hit]]] = {}
    for aid, rows in by_article.items():
        runs: list[list[Hit]] = []
        for index in sorted(rows):
            if runs and runs[-1][-1].sentence.index == index - 1:
                runs[-1].append(rows[index])
            else:
                runs.append([rows[index]])
        out[aid] = runs
    return out


def build_context(hits: Sequence[Hit], sentences_of: SentencesOf, budget: int, around: int = 1) -> Context:
    """Number the windows of the leading ``hits`` that fit in ``budget`` tokens (at least one hit)."""
    chosen: list[Hit] = []
    for hit in hits:
        trial = _render(_windows([*chosen, hit], sentences_of, around))
        if chosen and approx_tokens(trial[0]) > budget:
            break
        chosen.append(hit)
    text, shown = _render(_windows(chosen, sentences_of, around))
    if approx_tokens(text) > budget and len(chosen) == 1 and around:  # one long window: the hit alone
        text, shown = _render(_windows(chosen, sentences_of, 0))
    rank = {(h.sentence.article_id, h.sentence.index): j for j, h in enumerate(chosen)}
    numbers = [n for n, h in enumerate(shown, 1) if (h.sentence.article_id, h.sentence.index) in rank]
    numbers.sort(key=lambda n: rank[(shown[n - 1].sentence.article_id, shown[n - 1].sentence.index)])
    return Context(text, shown, numbers)


def _render(windows: dict[str, list[list[Hit]]]) -> tuple[str, list[Hit]]:
    lines: list[str] = []
    shown: list[Hit] = []
    for runs in windows.values():
        first = runs[0][0]  # everything from the article is quoted: no control tokens, [n] or <tags>
        lines.append(article_heading(quote(first.title), quote(first.date)))
        for run in runs:
            parts = []
            for hit in run:
                shown.append(hit)
                speaker = f" (speaker: {quote(hit.speaker)})" if hit.speaker and hit.score > CONTEXT_SCORE else ""
                parts.append(f"[{len(shown)}]{speaker} {quote(hit.sentence.text)}")
            lines.append(" ".join(parts))
    return "\n".join(lines), shown
