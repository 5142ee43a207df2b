"""Every metric on tiny hand-made cases with known scores, including zero and perfect runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.types import Answer, Citation, Hit
from evaluation.gold import Evidence, GoldItem, load_gold
from evaluation.metrics import (
    answer_correct,
    citation_correct,
    normalise,
    percentile,
    retrieval_recall,
    split_claims,
    strip_markers,
    supported_claim_rate,
    surname,
    text_overlaps,
)
from evaluation.scoring import score_item, summarise, summarise_by_tag
from index.types import Sentence

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "eval"
ASIF = "Khawaja Asif admitted the forces were handicapped."
BLA = "The BLA said it lost 35 fighters."
POST = "The New York Post reported it."


def cite(n: int, sentence: str, start: int = -1, end: int = -1, article: str = "art") -> Citation:
    return Citation(n=n, article_id=article, title="T", sentence=sentence, start=start, end=end,
                    score=0.9)


def hit(sentence: str, start: int, end: int, article: str = "art") -> Hit:
    return Hit(sentence=Sentence(article, 0, start, end, sentence), score=0.5)


def test_normalise() -> None:
    assert normalise("  “Asif’s”\tREMARKS,  ok?! ") == "asif s remarks ok"
    assert normalise("Tehreek-e-Taliban") == "tehreek e taliban"
    assert normalise("‘quoted’") == normalise("'quoted'") == "quoted"


@pytest.mark.parametrize(
    ("response", "answers", "expected"),
    [
        ("Khawaja Asif admitted it [1].", ["Khawaja Asif"], True),
        ("The minister, Asif, admitted it.", ["Khawaja Asif"], True),  # surname alone
        ("KHAWAJA ASIF’S remarks", ["Khawaja Asif"], True),
        ("Asifa said so.", ["Khawaja Asif"], False),  # whole words only
        ("Khawaja said so.", ["Khawaja Asif"], False),  # first name is not enough
        ("The New York Post reported it.", ["The New York Post"], True),
        ("New York Post reported it.", ["The New York Post"], True),
        ("He wrote a post about it.", ["The New York Post"], False),  # no surname for orgs
        ("The Army said so.", ["Balochistan Liberation Army"], False),
        ("The BLA said so [2].", ["Balochistan Liberation Army", "BLA"], True),
        ("It lost 35 fighters.", ["35"], True),
        ("It lost 350 fighters.", ["35"], False),
        ("Pat Caddell said it.", ["longtime Democratic pollster Pat Caddell"], True),
        ("Caddell said it.", ["longtime Democratic pollster Pat Caddell"], True),
        ("King said it.", ["Martin Luther King Jr."], True),
    ],
)
def test_answer_correct(response: str, answers: list[str], expected: bool) -> None:
    assert answer_correct(response, answers) is expected


def test_surname_rule() -> None:
    assert surname("Khawaja Asif") == "Asif"
    assert surname("Asif") is None  # single word: the answer itself already
    assert surname("The New York Post") is None
    assert surname("Indian Intelligence agencies") is None  # last word not capitalised
    assert surname("Frontier Corps (FC)") is None


def test_citation_correct_by_offsets_and_by_text() -> None:
    gold = [Evidence(article_id="art", text=ASIF, start=0, end=50)]
    assert citation_correct(cite(1, "anything", 40, 60), gold)  # overlapping offsets
    assert not citation_correct(cite(1, ASIF, 50, 90), gold)  # touching is not overlapping
    assert not citation_correct(cite(1, ASIF, 0, 50, article="other"), gold)
    assert citation_correct(cite(1, ASIF), gold)  # citation without offsets: text rule
    text_gold = [Evidence(text=BLA)]
    assert citation_correct(cite(1, "Earlier: the BLA said it lost 35 fighters.", 0, 40),
                            text_gold)
    assert not citation_correct(cite(1, ASIF, 0, 50), text_gold)


def test_text_overlap_rule() -> None:
    assert text_overlaps(ASIF, "Asif admitted the forces")  # containment, >= 3 words
    assert not text_overlaps("He said.", "He said that it rained heavily all day long.")
    assert text_overlaps("the BLA lost 35 fighters", "BLA lost 35 of its fighters")  # 4/6 >= .5
    assert not text_overlaps("the BLA lost fighters", "Asif admitted the forces were weak")
    assert not text_overlaps("", "x")


def test_retrieval_recall_at_k() -> None:
    gold = [Evidence(article_id="art", text=ASIF, start=0, end=50),
            Evidence(article_id="art", text=POST, start=100, end=130)]
    hits = [hit("other", 60, 90), hit(ASIF, 0, 50), hit(POST, 100, 130)]
    assert retrieval_recall(hits, gold, 1) == 0.0
    assert retrieval_recall(hits, gold, 2) == 0.5
    assert retrieval_recall(hits, gold, 3) == 1.0
    assert retrieval_recall(hits, [], 3) is None


def test_claims_and_markers() -> None:
    assert strip_markers("Asif said so [1][2].") == "Asif said so."
    assert split_claims("A said x [1]. B said y [2, 3]! No marker.") == [
        ("A said x.", {1}), ("B said y!", {2, 3}), ("No marker.", set())]
    assert split_claims("[1]") == []


class KeywordJudge:
    """P(yes) = 1 when every word of the claim occurs in the evidence; records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def support(self, claim: str, evidence: Sequence[str]) -> float:
        self.calls.append((claim, list(evidence)))
        words = set(normalise(" ".join(evidence)).split())
        return 1.0 if set(normalise(claim).split()) <= words else 0.0


def test_supported_claim_rate() -> None:
    cites = [cite(1, ASIF), cite(2, BLA)]
    judge = KeywordJudge()
    text = "Khawaja Asif admitted it [1]. The BLA lost 35 fighters [1]. The BLA lost 35 [2]. Bye."
    # claim 1 supported; claim 2 judged against the wrong sentence; claim 3 ok; claim 4 unmarked
    assert supported_claim_rate(text.replace(" it", ""), cites, judge) == 0.5
    assert judge.calls[1] == ("The BLA lost 35 fighters.", [ASIF])
    assert supported_claim_rate("The BLA lost 35 fighters.", cites, KeywordJudge()) == 1.0
    assert supported_claim_rate(text, cites, None) is None
    assert supported_claim_rate("", cites, KeywordJudge()) is None


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0], 95) == 3.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)


def perfect_answers() -> dict[str, Answer]:
    return {
        "t1": Answer(text="Khawaja Asif [1].", refused=False, citations=(cite(1, ASIF, 0, 50),),
                     retrieved=(hit(ASIF, 0, 50),)),
        "t2": Answer(text="It lost 35 [1].", refused=False, citations=(cite(1, BLA),),
                     retrieved=(hit(BLA, 300, 333),)),
        "t3": Answer(text="The articles don't say.", refused=True),
        "t4": Answer(text="The New York Post [1].", refused=False,
                     citations=(cite(1, POST, 100, 130), cite(2, ASIF, 0, 50)),
                     retrieved=(hit(ASIF, 0, 50), hit(POST, 100, 130))),
    }


def test_perfect_run() -> None:
    items = load_gold(FIXTURES / "tiny-gold.jsonl")
    answers = perfect_answers()
    scores = [score_item(i, answers[i.id], seconds=1.0) for i in items]
    assert [s.failure for s in scores] == ["correct"] * 4
    s = summarise(scores)
    assert (s.n, s.answerable, s.unanswerable) == (4, 3, 1)
    assert s.accuracy == s.answer_accuracy == s.citation_recall == 1.0
    assert s.citation_precision == pytest.approx(3 / 4)  # t4's second citation is wrong
    assert s.recall_at == {1: pytest.approx(2 / 3), 3: 1.0, 5: 1.0}
    assert (s.correct_refusal_rate, s.missed_refusal_rate, s.false_refusal_rate) == (1.0, 0.0, 0.0)
    assert s.supported_claim_rate is None
    assert s.latency_p50 == s.latency_p95 == 1.0
    assert s.failures["correct"] == 4 and s.errors == 0


def test_zero_run_and_failure_kinds() -> None:
    items = load_gold(FIXTURES / "tiny-gold.jsonl")
    answers = {
        "t1": Answer(text="Nobody knows.", refused=False, citations=(cite(1, POST, 100, 130),)),
        "t2": Answer(text="I can't say.", refused=True),
        "t3": Answer(text="The Prime Minister is Asif [1].", refused=False,
                     citations=(cite(1, ASIF, 0, 50),)),
    }
    scores = [score_item(i, answers.get(i.id), error="boom" if i.id == "t4" else None)
              for i in items]
    assert [s.failure for s in scores] == ["wrong_answer", "false_refusal", "missed_refusal",
                                           "error"]
    s = summarise(scores)
    assert s.accuracy == s.answer_accuracy == s.citation_precision == s.citation_recall == 0.0
    assert s.recall_at[5] == 0.0
    assert (s.correct_refusal_rate, s.missed_refusal_rate) == (0.0, 1.0)
    assert s.false_refusal_rate == pytest.approx(1 / 3)
    assert s.errors == 1 and s.latency_p50 is None


def test_right_answer_citation_kinds() -> None:
    item = GoldItem(id="q", question="Who?", answers=["Asif"],
                    evidence=[Evidence(article_id="art", text=ASIF, start=0, end=50)])
    no_cite = score_item(item, Answer(text="Asif.", refused=False))
    wrong = score_item(item, Answer(text="Asif [1].", refused=False,
                                    citations=(cite(1, POST, 100, 130),)))
    assert no_cite.failure == "right_answer_no_citation"
    assert wrong.failure == "right_answer_wrong_citation"
    assert summarise([no_cite, wrong]).citation_precision == 0.0
    no_evidence = GoldItem(id="q2", question="Who?", answers=["Asif"])
    ok = score_item(no_evidence, Answer(text="Asif [1].", refused=False,
                                        citations=(cite(1, POST),)))
    assert ok.failure == "correct" and ok.cited_correctly is None
    assert summarise([ok]).citation_precision is None


def test_summary_per_tag() -> None:
    items = load_gold(FIXTURES / "tiny-gold.jsonl")
    answers = perfect_answers()
    answers["t2"] = Answer(text="No idea.", refused=True)
    by_tag = summarise_by_tag([score_item(i, answers[i.id]) for i in items])
    assert list(by_tag) == ["attribution", "clean", "factual", "follow_up", "unanswerable"]
    assert by_tag["attribution"].n == 2 and by_tag["attribution"].answer_accuracy == 1.0
    assert by_tag["factual"].false_refusal_rate == 1.0
    assert by_tag["unanswerable"].correct_refusal_rate == 1.0
    assert by_tag["unanswerable"].answer_accuracy is None


def test_answer_cited_needs_a_right_answer_stated_by_its_citations() -> None:
    # The gold sentence is ASIF, but any cited sentence that states the answer counts here.
    item = GoldItem(id="q", question="Who admitted it?", answers=["Khawaja Asif"],
                    evidence=[Evidence(article_id="art", text=ASIF, start=0, end=50)])
    other = "Asif, the defence minister, spoke on Monday."
    states = score_item(item, Answer(text="Asif [1].", refused=False, citations=(cite(1, other, 60, 104),)))
    assert states.answer_cited is True and states.cited_correctly is False  # not the gold sentence
    silent = score_item(item, Answer(text="Khawaja Asif [1].", refused=False,
                                     citations=(cite(1, POST, 100, 130),)))
    assert silent.answer_correct is True and silent.answer_cited is False
    wrong = score_item(item, Answer(text="The BLA [1].", refused=False, citations=(cite(1, ASIF, 0, 50),)))
    assert wrong.answer_cited is False  # the citation names Asif, but the answer is wrong
    bare = score_item(item, Answer(text="Khawaja Asif.", refused=False))
    refused = score_item(item, Answer(text="The articles don't say.", refused=True))
    crashed = score_item(item, None, error="boom")
    assert bare.answer_cited is refused.answer_cited is crashed.answer_cited is False
    absent = GoldItem(id="u", question="Who?", answers=[], answerable=False)
    assert score_item(absent, Answer(text="No.", refused=True)).answer_cited is None
    s = summarise([states, silent, wrong, bare, refused, crashed, score_item(absent, None)])
    assert s.answer_cited_rate == pytest.approx(1 / 6)  # unanswerable items do not count
    assert s.as_dict()["answer_cited_rate"] == s.answer_cited_rate
