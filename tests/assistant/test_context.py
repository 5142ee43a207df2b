"""The LLM's evidence: windows around the best hits, merged, numbered per sentence, in budget."""

from __future__ import annotations

from assistant.answerability import AnswerabilityCheck, key_terms
from assistant.context import build_context
from assistant.types import Hit, Sentence

SENTS = {("a", i): Sentence("a", i, 0, 1, f"Alpha sentence {i}.") for i in range(10)}
SENTS.update({("b", i): Sentence("b", i, 0, 1, f"Beta sentence {i}.") for i in range(10)})


def sentences_of(aid: str, first: int, last: int) -> list[Sentence]:
    return [SENTS[(aid, i)] for i in range(first, last + 1) if (aid, i) in SENTS]


def hit(aid: str, i: int, score: float) -> Hit:
    return Hit(SENTS[(aid, i)], score, title=aid.upper(), date="2022-01-01")


def test_windows_merge_and_every_sentence_is_numbered() -> None:
    ctx = build_context([hit("a", 3, 0.9), hit("b", 0, 0.8), hit("a", 5, 0.7)], sentences_of, 500)
    assert [(h.sentence.article_id, h.sentence.index) for h in ctx.shown] == [
        ("a", 2), ("a", 3), ("a", 4), ("a", 5), ("a", 6), ("b", 0), ("b", 1)]  # fmt: skip
    assert ctx.text.splitlines()[0] == "Article: A (2022-01-01)"
    assert "[6] Beta sentence 0." in ctx.text
    assert ctx.best == [2, 6, 4]  # the retrieved hits' numbers, best first
    assert ctx.shown[1].score == 0.9 and ctx.shown[0].score == 0.0


def test_budget_limits_the_hits_shown() -> None:
    small = build_context([hit("a", 3, 0.9), hit("b", 5, 0.8)], sentences_of, 20)
    assert {h.sentence.article_id for h in small.shown} == {"a"}


def test_key_terms_are_names_numbers_and_rare_words() -> None:
    assert key_terms("Which automaker recalled 2.9 million Ford vehicles?", lambda t: 1.0) == ["2.9", "ford"]


def test_missing_key_term_lowers_answerability() -> None:
    check = AnswerabilityCheck(idf=lambda t: 3.0)
    q = "Which country confirmed cases of Marburg virus?"

    def hits(text: str) -> list[Hit]:
        return [Hit(Sentence("a", 0, 0, len(text), text), 0.9, title="Health", cosine=0.55, passage=0.55)]

    good = check.check(q, hits("Ghana confirmed two cases of Marburg virus."))
    bad = check.check(q, hits("The country confirmed two cases of a virus."))
    assert good.probability > bad.probability and bad.features["key_coverage"] == 0.0
    assert not check.check(q, []).answerable
