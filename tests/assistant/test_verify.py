"""Verification of drafted sentences with a scripted judge."""

from __future__ import annotations

from dataclasses import replace

from assistant.citations import Claim, parse_answer
from assistant.judge import LLMJudge
from assistant.llm import ScriptedLLM
from assistant.types import Hit
from assistant.verify import VerifiedDraft, Verifier, evidence_text, recite_candidate, verify
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
    assert len(llm.prompts) == 1  # the sentence holding the words is judged first: one call, not two
    without = verify(draft, HITS, LLMJudge(llm), threshold=0.5, recite=False)
    assert not without.kept and without.dropped[0][1] == "unsupported"


def test_the_sentence_holding_the_words_is_judged_before_the_cited_one() -> None:
    """When another shown sentence holds clearly more of the claim's words, it is asked first: accepted,
    it is cited (the cited one is never asked); refused, the cited one still decides, as before."""
    claim = "The BLA claimed that it killed 280 personnel [2]."
    both = ScriptedLLM(yes_default=0.9)
    result = verify(parse_answer(claim, 3), HITS, LLMJudge(both), threshold=0.5)
    assert [c.markers for c in result.kept] == [(1,)] and [old for _, old in result.recited] == [(2,)]
    assert len(both.prompts) == 1 and "- The BLA has claimed that it killed" in both.prompts[0]
    cited_only = ScriptedLLM(yes_rules={"- The BLA has said that it lost 35": 0.9}, yes_default=0.1)
    result = verify(parse_answer(claim, 3), HITS, LLMJudge(cited_only), threshold=0.5)
    assert [(c.markers, c.support) for c in result.kept] == [((2,), 0.9)] and not result.recited
    assert len(cited_only.prompts) == 2 and "- The BLA has claimed" in cited_only.prompts[0]
    claims, notes = Verifier(LLMJudge(both), 0.5).check(parse_answer(claim, 3), HITS)
    assert claims[0].markers == (1,) and notes[0].startswith("The model cited another sentence for")


def test_of_two_sentences_holding_the_words_equally_the_earlier_shown_is_recited() -> None:
    """Articles are shown best match first: the lead of the best one, not a later paraphrase."""
    shown = [Hit(Sentence("a", 0, 0, 1, "NATO formalized its invitation to Sweden and Finland to join."), 0.9),
             Hit(Sentence("b", 0, 0, 1, "Stoltenberg called the formal invitation to Sweden and Finland historic."), 0.4)]  # fmt: skip
    assert recite_candidate(Claim("Finland and Sweden were formally invited to join NATO.", ()), shown) == 1
    assert recite_candidate(Claim("Stoltenberg called the invitation historic.", ()), shown) == 2  # holds more


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


CUP = [Hit(Sentence("c", i, 0, 1, t), 0.5, title="Avalanche win the 2022 Stanley Cup", date="2022-06-27")
       for i, t in enumerate(["The Avalanche beat the Lightning 2-1 in Game 6.", "Fans filled the streets of Denver."])]
CUP.append(Hit(Sentence("d", 4, 0, 1, "The Lightning won the last two Stanley Cups."), 0.4, title="Lightning history"))


def test_window_keeps_a_claim_its_sentence_supports_only_under_its_headline() -> None:
    """The bare sentence does not say which final; read with its title it does. Without a window
    threshold the claim is dropped as before; with it, it is kept citing that sentence, with a note."""
    llm = ScriptedLLM(yes_rules={"- Article: Avalanche win the 2022 Stanley Cup": 0.8}, yes_default=0.2)
    draft = parse_answer("The Colorado Avalanche won the 2022 Stanley Cup [1].", 3)
    assert not verify(draft, CUP, LLMJudge(llm), threshold=0.65).kept
    result = verify(draft, CUP, LLMJudge(llm), threshold=0.65, window_threshold=0.75)
    assert [(c.markers, c.support) for c in result.kept] == [((1,), 0.8)] and result.windowed == result.kept
    window = llm.prompts[-1]  # title, the cited sentence marked, its shown neighbour; not the other article
    assert "- (cited) The Avalanche beat the Lightning" in window and "- Fans filled the streets" in window
    assert "last two Stanley Cups" not in window
    claims, notes = Verifier(LLMJudge(llm), 0.65, 0.75).check(draft, CUP)
    assert claims[0].markers == (1,) and "read with the article's title" in notes[0]


def test_a_claim_kept_by_its_window_also_cites_the_window_sentence_that_says_it() -> None:
    """The model cites a neighbour ("Fans filled the streets") of the sentence that says the answer;
    the judge read both in the window, so both are cited; a sentence of another article or outside
    the window is not, nor one missing the claim's figure."""
    hits = [Hit(Sentence("c", i, 0, 1, t), 0.5, title="Avalanche win the 2022 Stanley Cup", date="2022-06-27")
            for i, t in enumerate(["The Colorado Avalanche beat the Lightning 2-1 in Game 6 to win the Stanley Cup.",
                                   "Fans filled the streets of Denver.", "Players thanked the fans.",
                                   "Colorado's Avalanche took the Stanley Cup back to Denver."])]  # fmt: skip
    hits.append(Hit(Sentence("d", 1, 0, 1, "The Colorado Avalanche won the Stanley Cup, rivals said."), 0.4, title="Other"))
    llm = ScriptedLLM(yes_rules={"- Article: Avalanche win the 2022 Stanley Cup": 0.8}, yes_default=0.2)
    question = "Which team won the Stanley Cup?"
    result = verify(parse_answer("The Colorado Avalanche won the Stanley Cup [2].", 5), hits, LLMJudge(llm), 0.65,
                    window_threshold=0.75, question=question)  # fmt: skip
    assert [c.markers for c in result.kept] == [(2, 1)]
    far = verify(parse_answer("The Colorado Avalanche won the Stanley Cup [3].", 5), hits, LLMJudge(llm), 0.65,
                 window_threshold=0.75, question=question)  # fmt: skip
    assert [c.markers for c in far.kept] == [(3, 4)]  # its window is sentences 2-4 of article c
    figure = verify(parse_answer("The Avalanche won the Stanley Cup 4-2 [2].", 5), hits, LLMJudge(llm), 0.65,
                    window_threshold=0.75, question=question)  # fmt: skip
    assert [c.markers for c in figure.kept] in ([], [(2,)])  # 4-2 is in no sentence: never cited for it


def test_window_threshold_still_rejects_and_reads_no_window_without_a_citation() -> None:
    llm = ScriptedLLM(yes_rules={"- Article: Avalanche win the 2022 Stanley Cup": 0.7}, yes_default=0.2)
    draft = parse_answer("The Colorado Avalanche won the 2022 Stanley Cup [1].", 3)
    assert not verify(draft, CUP, LLMJudge(llm), threshold=0.65, window_threshold=0.75).kept
    calls = len(llm.prompts)
    assert not verify([Claim("Pakistan won the final.")], CUP, LLMJudge(llm), 0.65, window_threshold=0.75).kept
    assert len(llm.prompts) == calls  # nothing cited, nothing holds its words: no judge call at all


def test_window_never_accepts_a_figure_its_window_does_not_hold() -> None:
    """The window judge once let "4 million" pass for "2 million": figures are checked by rule first."""
    swings = [Hit(Sentence("s", 0, 0, 1, "The maker recalled about 2 million baby swings."), 0.5, title="Recall", date="2022-08-17")]
    llm = ScriptedLLM(yes_rules={"- Article: Recall": 0.9}, yes_default=0.2)
    wrong = verify(parse_answer("The maker recalled 4 million swings [1].", 1), swings, LLMJudge(llm), 0.65, window_threshold=0.75)
    assert not wrong.kept and not any("Article: Recall" in p for p in llm.prompts)
    right = verify(parse_answer("The maker recalled 2 million swings in 2022 [1].", 1), swings, LLMJudge(llm), 0.65,
                   window_threshold=0.75)  # fmt: skip
    assert [c.support for c in right.kept] == [0.9]  # 2022: from the article's date


def test_answer_judge_keeps_a_draft_whose_window_shows_it_answers_the_question() -> None:
    """The claim judge reads "this year" as unsupported; asked whether the window shows the draft
    answers the question, the model says yes. Without the question (or below the threshold) it is
    dropped as before; the answer prompt holds the question, the window and the draft."""
    llm = ScriptedLLM(yes_rules={"Question: Which team won the Stanley Cup this year?": 0.85}, yes_default=0.3)
    draft = parse_answer("The Avalanche won the Stanley Cup this year [1].", 3)
    judge = LLMJudge(llm)
    assert not verify(draft, CUP, judge, 0.65, window_threshold=0.75).kept
    result = verify(draft, CUP, judge, 0.65, window_threshold=0.75, question="Which team won the Stanley Cup this year?",
                    answer_threshold=0.8)  # fmt: skip
    assert [(c.markers, c.support) for c in result.kept] == [((1,), 0.85)] and result.answered == result.kept
    asked = llm.prompts[-1]
    assert "Proposed answer: The Avalanche won the Stanley Cup this year." in asked
    assert "- Article: Avalanche win the 2022 Stanley Cup (2022-06-27)" in asked and "last two Stanley Cups" not in asked
    strict = verify(draft, CUP, judge, 0.65, window_threshold=0.75, question="Which team won the Stanley Cup this year?",
                    answer_threshold=0.9)  # fmt: skip
    assert not strict.kept and strict.dropped[0][1] == "unsupported"
    claims, notes = Verifier(judge, 0.65, 0.75, 0.8).check(draft, CUP, "Which team won the Stanley Cup this year?")
    assert claims[0].markers == (1,) and "shown to answer the question" in notes[0]


def test_answer_judge_never_accepts_a_figure_its_window_does_not_hold() -> None:
    swings = [Hit(Sentence("s", 0, 0, 1, "The maker recalled about 2 million baby swings."), 0.5, title="Recall")]
    llm = ScriptedLLM(yes_rules={"Question:": 0.99}, yes_default=0.2)
    wrong = verify(parse_answer("The maker recalled 4 million swings [1].", 1), swings, LLMJudge(llm), 0.65,
                   window_threshold=0.75, question="How many swings were recalled?", answer_threshold=0.8)  # fmt: skip
    assert not wrong.kept and not any("Question:" in p for p in llm.prompts)


def test_the_llm_route_passes_its_question_to_the_verifier() -> None:
    from assistant.generation import LLMAnswerer, LLMGenerator

    question = "Which team won the Stanley Cup this year?"
    llm = ScriptedLLM(default="The Avalanche won the Stanley Cup this year [1].",
                      yes_rules={f"Question: {question}\nProposed": 0.85}, yes_default=0.3)  # fmt: skip
    route = LLMAnswerer(LLMGenerator(llm), Verifier(LLMJudge(llm), 0.65, 0.75, 0.8))
    draft = list(route.answer(question, list(CUP), {}, 0.0))[-1]
    assert draft.generator == route.name and [c.support for c in draft.claims] == [0.85]


def test_a_draft_that_only_repeats_the_question_is_dropped_unjudged() -> None:
    """The model answered "fled to which country?" with the question's own country, and the
    window judge accepted it; a draft adding nothing to a wh-question is dropped before judging.
    A yes/no question's restatement, and the same draft without the question, are judged as before."""
    question = "Sri Lankan President Gotabaya Rajapaksa fled to which country this week?"
    flees = [Hit(Sentence("f", 0, 0, 1, "Protesters storm the office as president Gotabaya Rajapaksa flees."), 0.5)]
    llm = ScriptedLLM(yes_default=0.99)
    draft = parse_answer("Gotabaya Rajapaksa fled to Sri Lanka [1].", 1)
    result = verify(draft, flees, LLMJudge(llm), 0.65, question=question)
    assert not result.kept and result.dropped[0][1] == "restates the question" and llm.prompts == []
    assert verify(draft, flees, LLMJudge(llm), 0.65).kept  # no question: judged (and here accepted)
    maldives = verify(parse_answer("Rajapaksa fled to the Maldives [1].", 1), flees, LLMJudge(llm), 0.65,
                      question=question)  # fmt: skip
    assert maldives.kept and len(llm.prompts) == 2
    yes_no = verify(draft, flees, LLMJudge(llm), 0.65, question="Did Gotabaya Rajapaksa flee Sri Lanka?")
    assert yes_no.kept
    claims, notes = Verifier(LLMJudge(llm), 0.65).check(draft, flees, question)
    assert claims == [] and notes == ["Removed a sentence (restates the question, support 0.00): "
                                      "Gotabaya Rajapaksa fled to Sri Lanka."]  # fmt: skip


PLAN = [Hit(Sentence("p", i, 0, 1, t), 0.5, title="Extinction plan", date="2022-10-04") for i, t in enumerate([
    "The new plan identifies 20 places and 110 species.",
    "Australia on Tuesday announced a 10-year plan to prevent any more species from dying out.",
    "Conservation groups welcomed it."])]
PLAN_Q = "Which country announced a new plan to prevent species from dying out?"
PLAN_CLAIM = "Australia announced a new plan to prevent species from dying out [1]."


def test_a_kept_claim_moves_to_the_shown_sentence_that_states_its_answer() -> None:
    """Cited [1] supports the claim; [2] names the country in the question's terms. With
    ``sharpen`` and the judge accepting [2] alone, the claim cites [2] only, with a note."""
    llm = ScriptedLLM(yes_rules={"- Australia on Tuesday announced": 0.9, "- The new plan": 0.8}, yes_default=0.2)
    draft = parse_answer(PLAN_CLAIM, 3)
    plain = verify(draft, PLAN, LLMJudge(llm), 0.65, question=PLAN_Q, recite=False)
    assert [c.markers for c in plain.kept] == [(1,)] and not plain.sharpened
    result = verify(draft, PLAN, LLMJudge(llm), 0.65, question=PLAN_Q, sharpen=True, recite=False)
    assert [(c.markers, c.support) for c in result.kept] == [((2,), 0.9)]
    assert [old for _, old in result.sharpened] == [(1,)]
    assert "Claim: Australia announced" in llm.prompts[-1] and "- Australia on Tuesday" in llm.prompts[-1]
    assert not result.recited
    claims, notes = Verifier(LLMJudge(llm), 0.65, sharpen=True).check(draft, PLAN, PLAN_Q)
    assert claims[0].markers == (2,) and notes == [  # here [2] also holds more of the claim's words: asked first
        'The model cited another sentence for "Australia announced a new plan to prevent species from dying out."; '
        "it now cites the retrieved sentence that says it (support 0.90)."]


def test_a_claim_kept_by_its_window_loses_its_window_note_when_it_moves() -> None:
    """[1] supports the claim only in its window; [2] alone is refused (so no recitation), but
    its window shows the claim answers the question: the claim moves, with only the new note.
    (Here [2] is further down the article: a window neighbour stating the answer is cited anyway.)"""
    shown = [PLAN[0], PLAN[2], Hit(replace(PLAN[1].sentence, index=6), 0.5, title="Extinction plan")]
    llm = ScriptedLLM(yes_rules={"- (cited) Australia on Tuesday": 0.85, "- (cited) The new plan": 0.8},
                      yes_default=0.2)  # fmt: skip
    result = verify(parse_answer(PLAN_CLAIM, 3), shown, LLMJudge(llm), 0.65, window_threshold=0.75,
                    question=PLAN_Q, answer_threshold=0.8, sharpen=True)  # fmt: skip
    assert [(c.markers, c.support) for c in result.kept] == [((3,), 0.85)]
    assert not result.windowed and not result.recited and [old for _, old in result.sharpened] == [(1,)]


def test_a_moved_citation_is_judged_and_kept_where_it_was_when_refused() -> None:
    llm = ScriptedLLM(yes_rules={"- The new plan identifies": 0.9}, yes_default=0.2)
    result = verify(parse_answer(PLAN_CLAIM, 3), PLAN, LLMJudge(llm), 0.65, question=PLAN_Q, sharpen=True)
    assert [c.markers for c in result.kept] == [(1,)] and not result.sharpened
    assert "- Australia on Tuesday" in llm.prompts[0]  # asked (it holds more of the claim's words), refused
    assert len(llm.prompts) == 2  # then the cited one; the sharpening step reuses the refusal, not asked again
    calls = len(llm.prompts)
    verify(parse_answer(PLAN_CLAIM, 3), PLAN, LLMJudge(llm), 0.65, sharpen=True)  # no question: nothing to sharpen
    assert len(llm.prompts) == calls + 2


def test_a_short_answer_moves_when_the_window_shows_it_answers_the_question() -> None:
    """A one-word draft ("Australia.") is no claim the support judge accepts; the answer judge,
    reading the candidate in its window, can accept it at the answer threshold."""
    llm = ScriptedLLM(yes_rules={"- (cited) Australia on Tuesday": 0.85, "- The new plan identifies": 0.9},
                      yes_default=0.2)  # fmt: skip
    draft = parse_answer("Australia [1].", 3)
    moved = verify(draft, PLAN, LLMJudge(llm), 0.65, question=PLAN_Q, answer_threshold=0.8, sharpen=True)
    assert [(c.markers, c.support) for c in moved.kept] == [((2,), 0.85)]
    assert "Proposed answer: Australia." in llm.prompts[-1]
    strict = verify(draft, PLAN, LLMJudge(llm), 0.65, question=PLAN_Q, answer_threshold=0.9, sharpen=True)
    # nor is [1] ("The new plan identifies 20 places") shown to answer it: a bare answer is dropped
    assert not strict.kept and strict.dropped[0][1] == "does not answer the question"


LEADER = [Hit(Sentence("g", i, 0, 1, text), 0.5, title="Gorbachev dies") for i, text in enumerate([
    "Mikhail Gorbachev, the last leader of the Soviet Union, has died at the age of 91.",
    "It was the beginning of the end of the Cold War.",
    "He was awarded the Nobel Peace Prize in 1990 for his role in the peace process.",
])]
LEADER_CLAIM = "Mikhail Gorbachev died at 91, awarded the Nobel Peace Prize in 1990 [3]."
LEADER_Q = "Which Nobel Peace Prize-winning former world leader died this week, aged 91?"
BOTH = "- Mikhail Gorbachev, the last leader of the Soviet Union, has died at the age of 91.\n- He was awarded"


def test_a_claim_two_sentences_of_one_article_support_together_cites_both() -> None:
    """No sentence alone supports the joined claim (nor its window); the two that hold it, read
    together, do: it cites both, with a note saying so."""
    llm = ScriptedLLM(yes_rules={BOTH: 0.9}, yes_default=0.2)
    verifier = Verifier(LLMJudge(llm), 0.65, window_threshold=0.75, answer_threshold=0.8, sharpen=True)
    claims, notes = verifier.check(parse_answer(LEADER_CLAIM, 3), LEADER, LEADER_Q)
    assert [(c.markers, c.support) for c in claims] == [((1, 3), 0.9)]
    assert notes == ['"Mikhail Gorbachev died at 91, awarded the Nobel Peace Prize in 1990." is supported by two '
                     "sentences of one article read together, neither of which says all of it (support 0.90)."]
    assert sum(BOTH in p for p in llm.prompts) == 1
    off = Verifier(LLMJudge(llm), 0.65, window_threshold=0.75, answer_threshold=0.8, sharpen=True, pairs=False)
    assert off.check(parse_answer(LEADER_CLAIM, 3), LEADER, LEADER_Q)[0] == []


def test_a_joined_claim_the_judge_refuses_together_is_dropped() -> None:
    llm = ScriptedLLM(yes_rules={BOTH: 0.6}, yes_default=0.2)
    result = verify(parse_answer(LEADER_CLAIM, 3), LEADER, LLMJudge(llm), 0.65, question=LEADER_Q)
    assert result.kept == () and [reason for _, reason in result.dropped] == ["unsupported"]
    assert BOTH in llm.prompts[-1] and not result.joined


TENNIS = [Hit(Sentence("t", i, 0, 1, t), 0.5, title="US Open", date="2022-08-10") for i, t in enumerate([
    "— Rafael Nadal, a 22-time Grand Slam champion and one of Federer's biggest rivals on the court.",
    "23-time Grand Slam champion Serena Williams announced she is ready to step away from tennis.",
])]
RETIRE = "Which 23-time grand slam tennis champion is set to retire after the US Open?"


def test_a_bare_answer_must_answer_the_question_not_just_appear() -> None:
    """"Rafael Nadal." read alone is "supported" by any sentence naming him; a bare answer is kept
    only when its cited sentence, read in its window, shows it answers the question."""
    llm = ScriptedLLM(yes_rules={"Proposed answer: Rafael Nadal": 0.2, "Proposed answer: Serena Williams": 0.9},
                      yes_default=0.95)  # fmt: skip
    wrong = verify(parse_answer("Rafael Nadal [1].", 2), TENNIS, LLMJudge(llm), 0.65, question=RETIRE, answer_threshold=0.8)
    assert not wrong.kept and [(c.support, why) for c, why in wrong.dropped] == [(0.2, "does not answer the question")]
    assert "- Article: US Open (2022-08-10)" in llm.prompts[-1] and f"Question: {RETIRE}" in llm.prompts[-1]
    right = verify(parse_answer("Serena Williams [2].", 2), TENNIS, LLMJudge(llm), 0.65, question=RETIRE,
                   answer_threshold=0.8)  # fmt: skip
    assert [(c.text, c.support) for c in right.kept] == [("Serena Williams.", 0.9)]  # the answer judge's score
    assert not any("Claim:" in p for p in llm.prompts)  # the claim judge is never asked about a bare answer
    claims, notes = Verifier(LLMJudge(llm), 0.65, 0.75, 0.8).check(parse_answer("Rafael Nadal [1].", 2), TENNIS, RETIRE)
    assert claims == [] and notes[0].startswith("Removed a sentence (does not answer the question, support 0.20)")


def test_sentences_and_questions_without_a_wh_word_are_not_asked_as_answers() -> None:
    llm = ScriptedLLM(yes_rules={"Proposed answer:": 0.1}, yes_default=0.95)
    sentence = parse_answer("Rafael Nadal is a 22-time Grand Slam champion [1].", 2)
    assert verify(sentence, TENNIS, LLMJudge(llm), 0.65, question=RETIRE, answer_threshold=0.8).kept
    assert verify(parse_answer("Rafael Nadal [1].", 2), TENNIS, LLMJudge(llm), 0.65, question="Is Nadal retiring?",
                  answer_threshold=0.8).kept  # fmt: skip
    assert verify(parse_answer("Rafael Nadal [1].", 2), TENNIS, LLMJudge(llm), 0.65, question=RETIRE).kept
    assert not any("Proposed answer:" in p for p in llm.prompts)


def test_a_bare_answer_already_judged_an_answer_is_not_asked_again() -> None:
    llm = ScriptedLLM(yes_rules={"Proposed answer: Serena Williams": 0.9}, yes_default=0.3)
    result = verify(parse_answer("Serena Williams [2].", 2), TENNIS, LLMJudge(llm), 0.65, window_threshold=0.75,
                    question=RETIRE, answer_threshold=0.8)  # fmt: skip
    assert result.kept and result.answered == result.kept
    assert sum("Proposed answer:" in p for p in llm.prompts) == 1


def test_a_bare_answer_is_judged_in_the_window_that_states_it_first_and_in_two_windows_at_most() -> None:
    """"Serena Williams [1]." cites the Nadal sentence: the window of the sentence that states the
    answer in the question's terms is read first, and the claim moves there with a note; one answer
    call instead of a claim call, a window call and an answer call."""
    llm = ScriptedLLM(yes_rules={"- (cited) 23-time Grand Slam champion Serena": 0.9}, yes_default=0.3)
    claims, notes = Verifier(LLMJudge(llm), 0.65, 0.75, 0.8, sharpen=True).check(
        parse_answer("Serena Williams [1].", 2), TENNIS, RETIRE)
    assert [(c.markers, c.support) for c in claims] == [((2,), 0.9)] and len(llm.prompts) == 1
    assert any("shown to answer the question" in n for n in notes)
    assert any(n.startswith('The model cited another sentence for "Serena Williams."') for n in notes)
    # neither window shows it: two answer calls, then dropped with the best score
    llm = ScriptedLLM(yes_default=0.5)
    result = verify(parse_answer("Serena Williams [1].", 2), TENNIS, LLMJudge(llm), 0.65, window_threshold=0.75,
                    question=RETIRE, answer_threshold=0.8, sharpen=True)  # fmt: skip
    assert not result.kept and [(c.support, why) for c, why in result.dropped] == [(0.5, "does not answer the question")]
    assert len(llm.prompts) == 2 and all("Proposed answer: Serena Williams." in p for p in llm.prompts)


def test_a_bare_figure_is_not_judged_in_a_window_that_lacks_it() -> None:
    llm = ScriptedLLM(yes_default=0.95)
    result = verify(parse_answer("1,400 [2].", 2), TENNIS, LLMJudge(llm), 0.65, question="How many titles?",
                    answer_threshold=0.8)  # fmt: skip
    assert not result.kept and llm.prompts == []


DAMAGE = [Hit(Sentence("d", i, 0, 1, t), 0.5, title="Hurricane Ian", date="2022-10-05") for i, t in enumerate([
    "Minneapolis CNN Business —",
    "The devastation wrought by Hurricane Ian likely caused more than $50 billion in damages.",
    "Economists say the storm also dinged US output.",
])]


def test_a_bare_answer_kept_in_its_window_cites_the_sentences_that_say_it() -> None:
    """The model cited the dateline before the figure: the window shows the answer, and the answer
    cites the sentence in it that says "$50 billion", not the dateline."""
    question = "The devastation wrought by Hurricane Ian likely caused how much in damages?"
    llm = ScriptedLLM(yes_rules={"- (cited) Minneapolis": 0.9}, yes_default=0.3)
    kept = verify(parse_answer("$50 billion [1].", 3), DAMAGE, LLMJudge(llm), 0.65, question=question,
                  answer_threshold=0.8).kept  # fmt: skip
    assert [(c.markers, c.support) for c in kept] == [((2,), 0.9)]
    # read first in the window of the sentence that states it best, which cites it and the neighbour saying it too
    llm = ScriptedLLM(yes_rules={"- (cited) The devastation": 0.9}, yes_default=0.3)
    both = [*DAMAGE[:2], Hit(Sentence("d", 2, 0, 1, "Damages: $50 billion."), 0.5, title="Hurricane Ian")]
    kept = verify(parse_answer("$50 billion [1].", 3), both, LLMJudge(llm), 0.65, question=question,
                  answer_threshold=0.8).kept  # fmt: skip
    assert [c.markers for c in kept] == [(2, 3)] and len(llm.prompts) == 1


def test_a_bare_answer_citing_nothing_shown_is_dropped_as_uncited() -> None:
    llm = ScriptedLLM(yes_default=0.3)
    result = verify(parse_answer("Serena Williams [9].", 2), TENNIS, LLMJudge(llm), 0.65, question=RETIRE,
                    answer_threshold=0.8)  # fmt: skip
    assert [why for _, why in result.dropped] == ["no citation"]
    assert all("Proposed answer: Serena Williams." in p for p in llm.prompts)  # still read where it is stated


WATER = [Hit(Sentence(a, i, 0, 1, t), 0.5, title=title, date="2022-11-29") for i, (a, title, t) in enumerate([
    ("cnn", "Houston lifts boil notice", "Houston issued a boil water notice on Sunday after a power outage."),
    ("cnn", "Houston lifts boil notice", "Residents no longer need to boil water, the city said."),
    ("ust", "Boil water notice in Houston", "City officials in Houston told millions of residents to boil water."),
])]
WATER_Q = "Which city issued a boil water notice to millions of its residents?"
WATER_CLAIM = "Houston issued a boil water notice [1]."


def test_a_kept_claim_also_cites_another_article_stating_its_answer_when_the_judge_accepts() -> None:
    """[1] supports the claim; [3], another outlet's, states the answer too: read in its window it
    is accepted, so the claim cites both, its support the lower of the two, with a note."""
    llm = ScriptedLLM(yes_rules={"- Houston issued": 0.95, "- (cited) City officials in Houston": 0.8}, yes_default=0.2)
    plain = verify(parse_answer(WATER_CLAIM, 3), WATER, LLMJudge(llm), 0.65, window_threshold=0.75, question=WATER_Q)
    assert [c.markers for c in plain.kept] == [(1,)] and not plain.corroborated
    calls = len(llm.prompts)
    result = verify(parse_answer(WATER_CLAIM, 3), WATER, LLMJudge(llm), 0.65, window_threshold=0.75,
                    question=WATER_Q, corroborate=True)  # fmt: skip
    assert [(c.markers, c.support) for c in result.kept] == [((1, 3), 0.8)] and result.corroborated == result.kept
    assert len(llm.prompts) == 2 * calls + 1  # one more judge call, reading [3] under its own headline
    assert "- Article: Boil water notice in Houston (2022-11-29)" in llm.prompts[-1]
    claims, notes = Verifier(LLMJudge(llm), 0.65, 0.75, corroborate=True).check(parse_answer(WATER_CLAIM, 3), WATER, WATER_Q)
    assert claims[0].markers == (1, 3)
    assert notes == ['"Houston issued a boil water notice." is stated by another article too, which it also cites.']


def test_a_refused_corroboration_changes_nothing_and_costs_one_call() -> None:
    llm = ScriptedLLM(yes_rules={"- Houston issued": 0.95}, yes_default=0.5)
    result = verify(parse_answer(f"{WATER_CLAIM} Houston is in Texas [1].", 3), WATER, LLMJudge(llm), 0.65,
                    window_threshold=0.75, question=WATER_Q, corroborate=True)  # fmt: skip
    assert [c.markers for c in result.kept] == [(1,), (1,)] and not result.corroborated
    assert sum("(cited) City officials" in p for p in llm.prompts) == 1  # for the first claim only
    # without a window threshold, the sentence alone is judged at the claim threshold
    llm = ScriptedLLM(yes_rules={"- Houston issued": 0.95, "- City officials in Houston": 0.7}, yes_default=0.2)
    result = verify(parse_answer(WATER_CLAIM, 3), WATER, LLMJudge(llm), 0.65, question=WATER_Q, corroborate=True)
    assert [(c.markers, c.support) for c in result.kept] == [((1, 3), 0.7)]


def test_a_corroborated_claim_keeps_how_it_was_kept_and_a_bare_answer_is_asked_as_an_answer() -> None:
    """A claim recited to [1] keeps its recitation note once corroborated; "Houston [1]." is asked
    first kept in [3]'s window, then asked whether [1]'s window shows it answers the question too,
    not whether it supports a claim."""
    llm = ScriptedLLM(yes_rules={"- Houston issued": 0.95, "- (cited) City officials in Houston": 0.8}, yes_default=0.2)
    result = verify(parse_answer("Houston issued a boil water notice [2].", 3), WATER, LLMJudge(llm), 0.65,
                    window_threshold=0.75, question=WATER_Q, corroborate=True)  # fmt: skip
    assert [c.markers for c in result.kept] == [(1, 3)] and [old for _, old in result.recited] == [(2,)]
    llm = ScriptedLLM(yes_rules={"Proposed answer: Houston.": 0.9}, yes_default=0.2)
    result = verify(parse_answer("Houston [1].", 3), WATER, LLMJudge(llm), 0.65, window_threshold=0.75,
                    question=WATER_Q, answer_threshold=0.8, corroborate=True)  # fmt: skip
    assert [c.markers for c in result.kept] == [(3, 1)]  # first read where it is stated in the question's terms
    assert "Proposed answer: Houston." in llm.prompts[-1] and "(cited) Houston issued" in llm.prompts[-1]
    assert not any("Claim:" in p for p in llm.prompts)


def test_the_setting_wires_corroboration_into_the_verifier(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assistant.factory import build_pipeline
    from assistant.generation import LLMAnswerer
    from assistant.settings import Settings
    from index.embed import HashEmbedder
    from index.store import SentenceStore

    settings = Settings(data_dir=tmp_path, generator="extractive")
    store = SentenceStore(settings.index_dir, HashEmbedder())
    route = build_pipeline(store, settings, ScriptedLLM()).llm
    assert isinstance(route, LLMAnswerer) and route.verifier.corroborate  # on by default
    off = build_pipeline(store, settings.updated(verify_corroborate=False), ScriptedLLM()).llm
    assert isinstance(off, LLMAnswerer) and not off.verifier.corroborate
