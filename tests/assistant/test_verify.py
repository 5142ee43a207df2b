"""Verification of drafted sentences with a scripted judge."""

from __future__ import annotations

from assistant.citations import Claim, parse_answer
from assistant.llm import ScriptedLLM
from assistant.types import Hit
from assistant.verify import LLMJudge, VerifiedDraft, evidence_text, verify
from index.types import Sentence

HITS = [
    Hit(Sentence("a", 0, 0, 60, "The BLA has claimed that it killed at least 280 personnel."), 0.8),
    Hit(Sentence("a", 1, 61, 110, "The BLA has said that it lost 35 of its fighters."), 0.7),
    Hit(Sentence("a", 7, 300, 360, "This is due to the size of the province, he said."), 0.6,
        speaker="Khawaja Asif"),
]


def judge() -> tuple[LLMJudge, ScriptedLLM]:
    llm = ScriptedLLM(yes_rules={"Claim: The BLA claimed it killed 280": 0.95,
                                 "Claim: The BLA lost 300 fighters": 0.05})
    return LLMJudge(llm), llm


def test_keeps_supported_drops_unsupported_and_renumbers() -> None:
    j, llm = judge()
    draft = parse_answer("The BLA claimed it killed 280 personnel [1]. The BLA lost 300 fighters [2].", 3)
    result = verify(draft, HITS, j, threshold=0.5)
    assert [c.text for c in result.kept] == ["The BLA claimed it killed 280 personnel."]
    assert [v.support for v in result.kept] == [0.95]
    assert [(c.text, c.support, reason) for c, reason in result.dropped] == [
        ("The BLA lost 300 fighters.", 0.05, "unsupported")]
    assert "The BLA has said that it lost 35" in llm.prompts[1]
    assert result.text == "The BLA claimed it killed 280 personnel [1]."


def test_threshold_decides() -> None:
    j, _ = judge()
    draft = parse_answer("The BLA claimed it killed 280 personnel [1].", 3)
    assert verify(draft, HITS, j, threshold=0.96).kept == ()


def test_sentence_without_citation_is_dropped_without_asking() -> None:
    j, llm = judge()
    result = verify([Claim("Something uncited.")], HITS, j, threshold=0.5)
    assert result.kept == () and result.dropped[0][1] == "no citation"
    assert llm.prompts == []


def test_renumbering_after_drop() -> None:
    j, _ = judge()
    draft = [Claim("The BLA lost 300 fighters.", (1,)),
             Claim("The BLA claimed it killed 280.", (3, 1))]
    result = verify(draft, HITS, j, threshold=0.5)
    assert result.numbering == {3: 1, 1: 2}
    assert result.text == "The BLA claimed it killed 280 [1][2]."


def test_judge_prompt_lists_evidence_with_speaker() -> None:
    j, llm = judge()
    j.support("Asif blamed the size.", [evidence_text(HITS[2])])
    assert "- (speaker: Khawaja Asif) This is due to the size" in llm.prompts[0]
    assert "Claim: Asif blamed the size." in llm.prompts[0]
    assert j.support("x", ["  "]) == 0.0
    assert VerifiedDraft().text == ""


def test_a_wrong_marker_is_moved_to_the_shown_sentence_that_says_it() -> None:
    """The 1.5B model copies the prompt's example marker; the judge decides on the sentence holding the words."""
    llm = ScriptedLLM(yes_rules={"- The BLA has claimed that it killed": 0.9}, yes_default=0.1)
    draft = parse_answer("The BLA claimed that it killed 280 personnel [3].", 3)
    result = verify(draft, HITS, LLMJudge(llm), threshold=0.5)
    assert [(c.markers, c.support) for c in result.kept] == [((1,), 0.9)]
    assert [old for _, old in result.recited] == [(3,)]
    assert len(llm.prompts) == 2  # the cited sentence, then the one alternative
    without = verify(draft, HITS, LLMJudge(llm), threshold=0.5, recite=False)
    assert not without.kept and without.dropped[0][1] == "unsupported"


def test_no_recitation_when_no_sentence_holds_the_claim_or_the_judge_refuses_it() -> None:
    llm = ScriptedLLM(yes_default=0.1)
    unrelated = parse_answer("Pakistan won the cricket final [2].", 3)
    assert not verify(unrelated, HITS, LLMJudge(llm), threshold=0.5).kept
    assert len(llm.prompts) == 1  # no sentence holds its words: no second call
    moved_but_refused = verify(parse_answer("The BLA claimed it killed 280 personnel [3].", 3), HITS, LLMJudge(llm), 0.5)
    assert not moved_but_refused.kept and not moved_but_refused.recited
    assert len(llm.prompts) == 3


def test_a_sentence_without_marker_is_cited_to_the_sentence_that_says_it() -> None:
    llm = ScriptedLLM(yes_rules={"- The BLA has said that it lost 35": 0.9}, yes_default=0.1)
    result = verify([Claim("The BLA said it lost 35 of its fighters.")], HITS, LLMJudge(llm), threshold=0.5)
    assert [(c.markers, c.support) for c in result.kept] == [((2,), 0.9)]
    assert [old for _, old in result.recited] == [()]
