from assistant.answering import Claim, ExtractiveGenerator, compose, refusal
from assistant.prompts import CANNOT_ANSWER
from assistant.types import Hit
from index.types import Sentence


def hits(n: int) -> list[Hit]:
    return [Hit(Sentence("art", i, 10 * i, 10 * i + 5, f"Sent{i}"), 0.9 - 0.1 * i, title="T") for i in range(n)]


def test_markers_are_renumbered_in_order_of_first_use() -> None:
    answer = compose([Claim("A.", (2,)), Claim("B.", (4, 2))], hits(4), question="q", standalone="q", generator="x")
    assert answer.text == "A [1]. B [1][2]."
    assert [(c.n, c.sentence, c.start, c.end, c.sentence_index) for c in answer.citations] == [
        (1, "Sent1", 10, 15, 1),
        (2, "Sent3", 30, 35, 3),
    ]


def test_markers_not_offered_are_dropped() -> None:
    answer = compose([Claim("A.", (0, 7, 1))], hits(2), question="q", standalone="q", generator="x")
    assert answer.text == "A [1]." and [c.sentence for c in answer.citations] == ["Sent0"]


def test_refusal_has_the_sentinel_and_no_citations() -> None:
    answer = refusal(question="q", standalone="q", generator="x", notes=["why"])
    assert (answer.text, answer.refused, answer.citations, answer.notes) == (CANNOT_ANSWER, True, (), ("why",))


def test_extractive_takes_close_runner_up_only() -> None:
    hs = hits(3)
    close = [hs[0], Hit(hs[1].sentence, hs[0].score - 0.01)]
    assert [c.markers for c in ExtractiveGenerator().claims("q", close)] == [(1,), (2,)]
    assert [c.markers for c in ExtractiveGenerator().claims("q", hs)] == [(1,)]
    assert ExtractiveGenerator().claims("q", []) == []


def test_who_questions_name_the_resolved_speaker_when_the_sentence_does_not() -> None:
    he = Hit(Sentence("a", 5, 0, 40, "He also ruled out any talks with the BLA."), 0.8, speaker="Khawaja Asif")
    named = Hit(Sentence("a", 6, 0, 20, "Asif said it again."), 0.8, speaker="Khawaja Asif")
    gen = ExtractiveGenerator()
    assert gen.claims("Who ruled out talks?", [he])[0].text == "Khawaja Asif, in the article: “He also ruled out any talks with the BLA.”"
    assert gen.claims("Who said it again?", [named])[0].text == "Asif said it again."
    assert gen.claims("What was ruled out?", [he])[0].text == "He also ruled out any talks with the BLA."
