"""The answer policy's own pieces: the refusal check and the routes it picks."""

from __future__ import annotations

from assistant.answering import ExtractiveGenerator
from assistant.generation import LLMAnswerer, LLMGenerator
from assistant.llm import ScriptedLLM
from assistant.pipeline import Answerability, AnswerPipeline
from assistant.types import Hit
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
