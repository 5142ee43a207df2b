"""The real local model (skipped when its file is absent; `make model` assembles it).

Few calls on purpose: each costs seconds on a 2-core CPU.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.citations import parse_answer
from assistant.settings import Settings
from assistant.types import Hit
from index.types import Sentence

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "balochistan-ians-2026-02-04.txt"


MODEL = Settings().model_path
pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(
        not MODEL.is_file() and not os.environ.get("SOURCED_REQUIRE_MODEL"),
        reason=f"local model {MODEL} absent; run `make model`",
    ),
]


@pytest.fixture(scope="module")
def llm():
    from assistant.llm import LocalLLM

    return LocalLLM(MODEL, n_threads=2, n_ctx=2048)


def _sentence(fragment: str) -> str:
    """The full sentence of the sample article containing ``fragment``."""
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index(fragment)
    begin = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1)
    return text[begin: text.index(".", start + len(fragment) - 1) + 1].strip()


HANDICAPPED = _sentence("Khawaja Asif, admitted") if SAMPLE.is_file() else ""
LOST_35 = _sentence("The BLA has said that it lost 35") if SAMPLE.is_file() else ""


def test_p_yes_separates_supported_from_unsupported(llm) -> None:
    from assistant.judge import LLMJudge

    judge = LLMJudge(llm)
    supported = judge.support(
        "Khawaja Asif admitted that the security forces were handicapped against the Baloch rebels.",
        [HANDICAPPED],
    )
    unsupported = judge.support("The BLA claimed it killed 35 soldiers.", [LOST_35])
    assert supported > 0.7
    assert unsupported < 0.4


def test_generator_answers_and_cites_the_right_sentence(llm) -> None:
    from assistant.generation import LLMGenerator

    texts = [
        HANDICAPPED,
        LOST_35,
        _sentence("has claimed that it killed at least 280"),
        _sentence("Reports from Balochistan state"),
        _sentence("An assessment by the Indian Intelligence"),
    ]
    hits = [
        Hit(Sentence("sample", i, 0, len(t), t), 0.5, title="Balochistan", date="2026-02-04")
        for i, t in enumerate(texts)
    ]
    assert "280" in texts[2]
    draft = "".join(LLMGenerator(llm, max_tokens=60).stream(
        "Who claimed that at least 280 Pakistani personnel were killed?", hits
    )).strip()
    sentences = parse_answer(draft, len(hits))
    assert "BLA" in draft or "Balochistan Liberation Army" in draft
    assert 3 in {n for s in sentences for n in s.markers}, draft


def test_condenser_names_asif(llm) -> None:
    from assistant.condense import LLMCondenser

    history = [("What did Khawaja Asif admit?",
                "Khawaja Asif admitted that the Pakistani security forces were handicapped [1].")]
    question = LLMCondenser(llm).condense(history, "What else did he say?")
    assert "Asif" in question
    assert " he " not in f" {question.lower()} "


def _answer_prompt() -> str:
    from assistant.prompts import load_prompt

    template = load_prompt("answer_context", frozenset({"evidence", "question"}))
    return template.format(
        evidence=f"Article: Balochistan (2026-02-04)\n[1] {HANDICAPPED} [2] {LOST_35}",
        question="Who admitted that the security forces were handicapped? Is it Khawaja Asif? Answer yes or no.",
    )


def test_a_kept_prompt_opening_is_read_as_from_scratch(llm, monkeypatch) -> None:
    """The answer prompt starts from the saved state of its template's opening (the instruction),
    and the model reads it as it did when it evaluated every token; a state llama.cpp refuses to
    take back costs time, not the answer."""
    import llama_cpp

    judge = f"Evidence:\n{LOST_35}\n\nClaim: The BLA lost 35 fighters.\n\nAnswer yes or no."
    first = llm.p_yes(_answer_prompt())  # saves the opening on the way
    llm.p_yes(judge)  # the live cache now holds another prompt
    restored = llm._heads.restored
    again = llm.p_yes(_answer_prompt())
    assert llm._heads.restored == restored + 1
    assert abs(again - first) < 0.02, (first, again)

    llm.p_yes(judge)
    monkeypatch.setattr(llama_cpp, "llama_state_seq_set_data", lambda *args: 0)
    refused = llm.p_yes(_answer_prompt())
    assert llm._heads.restored == restored + 1 and abs(refused - first) < 0.02, (first, refused)


def test_every_template_opening_is_a_token_prefix_of_its_prompts(llm) -> None:
    """A kept opening only helps if the prompt's tokens start with the opening's tokens."""
    import string

    from assistant.llm import chatml
    from assistant.prompts import PROMPT_DIR

    tokenize = llm._llama.tokenize
    kept = {tuple(h.tokens) for h in llm._heads.heads}
    for path in sorted(PROMPT_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        prompt = chatml(text.format(**{f: "Article: T (2022-01-02)\n[1] Someone said something." for f in fields}))
        ids = tokenize(prompt.encode(), add_bos=False, special=True)
        assert any(ids[: len(k)] == list(k) for k in kept), path.name
