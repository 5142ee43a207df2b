"""Corroborating citations: other shown sentences that state a kept claim are cited beside it, only
when the judge accepts them, within a budget of judge calls; a failing judge leaves the answer."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answering import compose
from assistant.citations import Claim
from assistant.corroborate import Corroborator, candidates
from assistant.errors import LLMFailedError
from assistant.generation import LLMAnswerer, LLMGenerator
from assistant.llm import ScriptedLLM
from assistant.types import Hit
from assistant.verify import LLMJudge, Verifier
from index.types import Sentence

QUESTION = "A former prime minister of which nation was killed after being shot at a campaign event?"
TEXTS = [
    "Japan's former prime minister Shinzo Abe was shot at a campaign event in Nara.",  # 1: what the model cites
    "Former Japanese Prime Minister Shinzo Abe died on Friday after being shot while giving a campaign speech.",
    "Abe served as prime minister of Japan until 2020.",  # holds too few of the answer words
    "Japan's former prime minister Shinzo Abe was shot at a campaign event in Nara.",  # a copy of 1
    "Imran Khan, a former prime minister of Pakistan, was shot at a rally in 2022.",
]


def hits(texts: Sequence[str] = TEXTS) -> list[Hit]:
    return [Hit(Sentence(f"a{i}", i, 0, len(t), t), 0.9 - i / 100, title="T") for i, t in enumerate(texts)]


CLAIM = Claim("Japan's former prime minister Shinzo Abe was killed after being shot at a campaign event.", (1,), 0.9)


def test_candidates_hold_the_answer_words_and_figures_and_are_not_already_cited() -> None:
    assert candidates(CLAIM, hits(), QUESTION) == [2]  # not 1 (cited), 4 (its copy), 3 or 5 (other words)
    assert candidates(Claim("He was killed at a campaign event.", (1,)), hits(), QUESTION) == []  # adds nothing
    figures = ["Ford recalled 2.9 million vehicles.", "Ford recalled 2 million vehicles.", "Ford's 2.9 million recall."]
    assert candidates(Claim("Ford recalled 2.9 million vehicles.", (1,)), hits(figures), "Who recalled them?") == [3]


def test_the_judge_decides_within_its_budget() -> None:
    accepts = ScriptedLLM(yes_rules={"died on Friday": 0.9})
    claims, notes = Corroborator(LLMJudge(accepts), 0.65).add([CLAIM], hits(), QUESTION)
    assert claims[0].markers == (1, 2) and claims[0].support == 0.9 and len(notes) == 1
    assert notes[0].startswith('Also cited: "Former Japanese Prime Minister Shinzo Abe died') and "0.90" in notes[0]
    assert len(accepts.prompts) == 1

    rejects = ScriptedLLM(yes_default=0.3)
    claims, notes = Corroborator(LLMJudge(rejects), 0.65).add([CLAIM], hits(), QUESTION)
    assert claims == [CLAIM] and notes == []

    many = [*TEXTS, TEXTS[1].replace("Friday", "Saturday"), TEXTS[1].replace("Friday", "Sunday")]
    counted = ScriptedLLM(yes_default=0.9)
    claims, _ = Corroborator(LLMJudge(counted), 0.65, max_judged=2).add([CLAIM, CLAIM], hits(many), QUESTION)
    assert len(counted.prompts) == 2 and claims[0].markers == (1, 2, 6) and claims[1] == CLAIM

    assert Corroborator(None, 0.65).add([CLAIM], hits(), QUESTION) == ([CLAIM], [])  # no judge: nothing added


class FailingJudgeLLM(ScriptedLLM):
    """Drafts fine; the judge calls after the verification fail (a crashed worker)."""

    def __init__(self) -> None:
        super().__init__(default="Japan's former prime minister Shinzo Abe was killed after being shot at a "
                                 "campaign event [1].", yes_default=0.9)  # fmt: skip
        self.judged = 0

    def p_yes(self, prompt: str) -> float:
        self.judged += 1
        if self.judged > 1:  # the verification's call passes, the corroboration's fails
            raise LLMFailedError("The local model stopped (test).")
        return super().p_yes(prompt)


def test_the_llm_route_cites_the_corroboration_and_survives_a_failing_judge() -> None:
    llm = ScriptedLLM(default="Japan's former prime minister Shinzo Abe was killed after being shot at a "
                              "campaign event [1].", yes_default=0.9)  # fmt: skip
    judge = LLMJudge(llm)
    route = LLMAnswerer(LLMGenerator(llm), Verifier(judge, 0.65), corroborator=Corroborator(judge, 0.65))
    timings: dict[str, float] = {}
    draft = list(route.answer(QUESTION, hits(), timings, 0.0))[-1]
    answer = compose(draft.claims, draft.hits, question=QUESTION, standalone=QUESTION, generator=draft.generator)
    assert answer.text.endswith("campaign event [1][2].") and "corroborate" in timings
    assert [c.sentence for c in answer.citations] == [TEXTS[0], TEXTS[1]]

    failing = FailingJudgeLLM()
    judge = LLMJudge(failing)
    route = LLMAnswerer(LLMGenerator(failing), Verifier(judge, 0.65), corroborator=Corroborator(judge, 0.65))
    draft = list(route.answer(QUESTION, hits(), {}, 0.0))[-1]
    assert draft.generator.startswith("llm:") and [c.markers for c in draft.claims] == [(1,)]
