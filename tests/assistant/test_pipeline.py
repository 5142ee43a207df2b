"""The answer policy's own pieces: the refusal check and the routes it picks."""

from __future__ import annotations

import re

from assistant.answer_lead import AnswerLead, Entity
from assistant.answering import ExtractiveGenerator
from assistant.generation import LLMAnswerer, LLMGenerator
from assistant.judge import LLMJudge
from assistant.llm import ScriptedLLM
from assistant.pipeline import Answerability, AnswerPipeline
from assistant.types import Answer, Hit
from assistant.verify import Verifier
from index.types import Sentence

HITS = [Hit(Sentence("a", 0, 0, 24, "The BLA lost 35 fighters."), 0.8, title="T"),
        Hit(Sentence("a", 1, 25, 40, "It rained a lot."), 0.3, title="T")]  # fmt: skip


class Fixed:
    """A retriever that always returns the same hits."""

    def __init__(self, hits: list[Hit]) -> None:
        self.hits = hits
        self.asked: list[tuple[str, int]] = []

    def retrieve(self, question: str, k: int, filters: object = None) -> list[Hit]:
        self.asked.append((question, k))
        return self.hits[:k]


def test_answerability_says_why_it_refuses() -> None:
    check = Answerability(0.5, count=lambda: 3)
    assert check.refusal_note(HITS) is None
    assert check.refusal_note(HITS[1:]) == "The closest sentence scored 0.30, below the refusal threshold 0.50."
    assert check.refusal_note([]) == "Nothing relevant was found."
    assert Answerability(0.5, count=lambda: 0).refusal_note([]) == "No articles are indexed yet."


def test_extractive_route_and_refusal() -> None:
    retriever = Fixed(HITS)
    pipeline = AnswerPipeline(retriever, Answerability(0.5, lambda: 2), top_k=4)
    answer = pipeline.respond("How many?", "How many fighters?")
    assert (answer.text, answer.generator, answer.question) == ("The BLA lost 35 fighters [1].", "extractive", "How many?")
    assert retriever.asked == [("How many fighters?", 4)]
    refused = AnswerPipeline(Fixed(HITS[1:]), Answerability(0.5, lambda: 2), top_k=4).respond("q", "q")
    assert refused.refused and refused.retrieved == (HITS[1],)


def test_llm_route_streams_and_names_the_generator() -> None:
    llm = ScriptedLLM(default="The BLA lost 35 fighters [1].")
    writer = LLMAnswerer(LLMGenerator(llm), Verifier(None), ExtractiveGenerator())
    pipeline = AnswerPipeline(Fixed(HITS), Answerability(0.5, lambda: 2), top_k=4, llm=writer)
    *pieces, answer = pipeline.stream("q", "How many fighters?")
    assert "".join(pieces) == "The BLA lost 35 fighters [1]." and pipeline.generator_name == "llm:scripted"
    assert answer.generator == "llm:scripted" and answer.citations[0].sentence == HITS[0].sentence.text


def _figures(sentence: str) -> list[Entity]:
    """A recognizer that knows figures only: each run of digits is a CARDINAL."""
    return [Entity(m.start(), m.end(), "CARDINAL") for m in re.finditer(r"\d+", sentence)]


def _fallback_answer(hits: list[Hit], question: str, draft: str, typed: AnswerLead | None) -> Answer:
    llm = ScriptedLLM(default=draft, yes_default=0.05)  # every drafted sentence is judged unsupported
    writer = LLMAnswerer(LLMGenerator(llm), Verifier(LLMJudge(llm)), ExtractiveGenerator(), typed)
    return AnswerPipeline(Fixed(hits), Answerability(0.2, lambda: 2), top_k=4, llm=writer).respond(question, question)


def test_a_dropped_draft_falls_back_only_to_a_sentence_holding_the_figure_asked_for() -> None:
    no_figure = [Hit(Sentence("a", 0, 0, 30, "The BLA said it seized weapons."), 0.8, title="T")]
    question = "How many weapons did the BLA seize?"
    refused = _fallback_answer(no_figure, question, "The BLA seized 5 weapons [1].", AnswerLead(_figures))
    assert refused.refused and refused.citations == () and refused.generator == "extractive"
    assert refused.notes[-1] == "The best matching sentence holds no figure, which the question asks for."
    # the model declining to answer is no better a reason to show a sentence without the figure
    declined = _fallback_answer(no_figure, question, "The articles don't say.", AnswerLead(_figures))
    assert declined.refused and "did not phrase an answer" in declined.notes[0]
    # a sentence holding a figure, a question of another kind, or no type check: the sentence is shown
    shown = _fallback_answer(HITS, "How many fighters did the BLA lose?", "The BLA lost 9 [1].", AnswerLead(_figures))
    assert not shown.refused and shown.text == "The BLA lost 35 fighters [1]."
    assert shown.notes[-1] == "Showing the best matching sentence instead."
    assert not _fallback_answer(no_figure, "What did the BLA seize?", "Guns [1].", AnswerLead(_figures)).refused
    assert not _fallback_answer(no_figure, question, "The BLA seized 5 weapons [1].", None).refused


def test_a_figure_the_question_already_names_does_not_count() -> None:
    year = [Hit(Sentence("a", 0, 0, 30, "In 2024 the BLA seized weapons."), 0.8, title="T")]
    answer = _fallback_answer(year, "How many weapons did the BLA seize in 2024?", "5 [1].", AnswerLead(_figures))
    assert answer.refused
