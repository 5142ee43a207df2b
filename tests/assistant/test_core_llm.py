"""The generative path of Assistant with a scripted LLM: markers, verification, fallback, streaming."""

from __future__ import annotations

from pathlib import Path

from assistant import Answer, Assistant, Settings
from assistant.llm import ScriptedLLM
from index.embed import HashEmbedder
from index.store import SentenceStore

QUESTION = "How many fighters did the BLA say it lost?"


def make(tmp_path: Path, llm: ScriptedLLM, **settings: object) -> Assistant:
    # the sentence-list prompt and the cosine cut-off: these tests script the LLM by that prompt
    config = Settings(data_dir=tmp_path, **{"refusal_threshold": 0.3, "retrieval": "dense",  # type: ignore[arg-type]
                                            "answerability": "cutoff", **settings})
    assistant = Assistant.build(SentenceStore(config.index_dir, HashEmbedder()), config.updated(window=0), llm)
    assistant.add([Path(__file__).resolve().parents[2] / "samples"])
    return assistant


def evidence_number(llm: ScriptedLLM, sentence: str) -> int:
    prompt = next(p for p in llm.prompts if "Evidence sentences:" in p)
    line = next(line for line in prompt.splitlines() if sentence in line)
    return int(line.split("]")[0].strip("["))


def test_supported_sentence_kept_unsupported_dropped(tmp_path: Path) -> None:
    llm = ScriptedLLM(
        rules={"Evidence sentences:": "The BLA said it lost 35 fighters [1]. The moon is cheese [2]. Extra words [9]."},
        yes_rules={"Claim: The BLA said it lost 35": 0.93, "Claim: The moon": 0.04},
        yes_default=0.1,
    )
    answer = make(tmp_path, llm).ask(QUESTION)
    assert answer.generator == "llm:scripted" and not answer.refused
    assert answer.text == "The BLA said it lost 35 fighters [1]."
    assert len(answer.citations) == 1 and answer.citations[0].support == 0.93
    # short, and none of the question's words: judged only as an answer to it, and dropped as none
    assert any("The moon is cheese" in note and "does not answer the question" in note for note in answer.notes)
    assert any("Extra words" in note and "no citation" in note for note in answer.notes)


def test_markers_map_to_the_offered_sentences(tmp_path: Path) -> None:
    llm = ScriptedLLM(rules={"Evidence sentences:": "It lost 35 fighters [1]."}, yes_default=0.9)
    assistant = make(tmp_path, llm)
    answer = assistant.ask(QUESTION)
    assert answer.citations[0].sentence == answer.retrieved[0].sentence.text
    assert evidence_number(llm, answer.citations[0].sentence) == 1


def test_nothing_supported_falls_back_to_the_extractive_answer(tmp_path: Path) -> None:
    llm = ScriptedLLM(rules={"Evidence sentences:": "Invented claim [1]."}, yes_default=0.05)
    answer = make(tmp_path, llm).ask(QUESTION)
    assert answer.generator == "extractive" and not answer.refused
    assert answer.citations[0].sentence == answer.retrieved[0].sentence.text
    assert "Invented claim" not in answer.text
    assert any("Showing the best matching sentence instead" in note for note in answer.notes)


def test_model_refusal_above_the_threshold_shows_the_best_sentence(tmp_path: Path) -> None:
    llm = ScriptedLLM(rules={"Evidence sentences:": "The articles don't say."})
    answer = make(tmp_path, llm).ask(QUESTION)
    assert not answer.refused and answer.generator == "extractive"
    assert answer.citations[0].sentence == answer.retrieved[0].sentence.text
    assert any("did not phrase an answer" in note for note in answer.notes)


def test_below_the_threshold_the_llm_is_not_asked(tmp_path: Path) -> None:
    llm = ScriptedLLM(rules={"Evidence sentences:": "Made up [1]."})
    answer = make(tmp_path, llm, refusal_threshold=0.99).ask(QUESTION)
    assert answer.refused and answer.citations == () and llm.prompts == []


def test_without_verification_uncited_sentences_are_removed(tmp_path: Path) -> None:
    llm = ScriptedLLM(rules={"Evidence sentences:": "Cited [1]. Uncited."}, yes_default=0.0)
    answer = make(tmp_path, llm, verify=False).ask(QUESTION)
    assert answer.text == "Cited [1]." and answer.citations[0].support is None


def test_stream_yields_draft_tokens_then_verified_answer(tmp_path: Path) -> None:
    llm = ScriptedLLM(rules={"Evidence sentences:": "It lost 35 fighters [1]. Nonsense [1]."},
                      yes_rules={"Claim: It lost": 0.9}, yes_default=0.1)  # fmt: skip
    pieces = list(make(tmp_path, llm).ask(QUESTION, stream=True))
    *tokens, final = pieces
    assert all(isinstance(t, str) for t in tokens) and len(tokens) > 3
    assert "".join(tokens).strip() == "It lost 35 fighters [1]. Nonsense [1]."
    assert isinstance(final, Answer) and final.text == "It lost 35 fighters [1]."
    assert "first_token" in final.timings and "verify" in final.timings


def test_follow_up_is_condensed_by_the_llm(tmp_path: Path) -> None:
    llm = ScriptedLLM(
        rules={"Standalone question": "What else did Khawaja Asif say?", "Evidence sentences:": "He spoke [1]."},
        yes_default=0.9,
    )
    chat = make(tmp_path, llm).chat()
    chat.ask("What did Khawaja Asif admit?")
    follow = chat.ask("What else did he say?")
    assert follow.standalone_question == "What else did Khawaja Asif say?"
    unrelated = chat.ask("Which brigade did the suicide attackers come from?")
    assert unrelated.standalone_question == unrelated.question  # nothing to resolve: no LLM call


def test_condenser_echoing_the_pronoun_falls_back_to_rules(tmp_path: Path) -> None:
    llm = ScriptedLLM(rules={"Standalone question": "What else did he say?", "Evidence sentences:": "He spoke [1]."},
                      yes_default=0.9)  # fmt: skip
    chat = make(tmp_path, llm).chat()
    chat.ask("What did Khawaja Asif admit?")
    assert chat.ask("What else did he say?").standalone_question == "What else did Khawaja Asif say?"


def test_hybrid_route_shows_numbered_passages_and_verifies(tmp_path: Path) -> None:
    llm = ScriptedLLM(rules={"every sentence is numbered": "The BLA lost 35 fighters [2]."},
                      yes_rules={"Claim: The BLA lost 35": 0.9}, yes_default=0.1)  # fmt: skip
    config = Settings(data_dir=tmp_path, generator="extractive", retrieval="hybrid", verify_sharpen=False)
    assistant = Assistant.build(SentenceStore(config.index_dir, HashEmbedder()), config, llm)
    assistant.add([Path(__file__).resolve().parents[2] / "samples"])
    answer = assistant.ask(QUESTION)
    prompt = next(p for p in llm.prompts if "every sentence is numbered" in p)
    assert "Article: " in prompt and "[1] " in prompt and "[2] " in prompt  # titled, numbered passage
    shown = next(line for line in prompt.splitlines() if line.startswith("["))
    cited = shown.split("[2] ", 1)[1].split(" [3]")[0]
    assert cited != "The BLA has said that it lost 35 of its fighters."  # the model numbered another sentence
    assert answer.generator.startswith("llm:")  # verified on the shown sentence that holds the claim's words
    assert [c.sentence for c in answer.citations] == ["The BLA has said that it lost 35 of its fighters."]


def test_citation_moves_to_the_shown_sentence_that_states_the_answer(tmp_path: Path) -> None:
    """The model cites shown sentence [2] for "The BLA lost 35 fighters"; another shown sentence
    says it in so many words, and the judge accepts it, so the answer cites that one instead."""
    llm = ScriptedLLM(rules={"every sentence is numbered": "The BLA lost 35 fighters [2]."},
                      yes_rules={"Claim: The BLA lost 35": 0.9}, yes_default=0.1)  # fmt: skip
    config = Settings(data_dir=tmp_path, generator="extractive", retrieval="hybrid")
    assistant = Assistant.build(SentenceStore(config.index_dir, HashEmbedder()), config, llm)
    assistant.add([Path(__file__).resolve().parents[2] / "samples"])
    answer = assistant.ask(QUESTION)
    assert [c.sentence for c in answer.citations] == ["The BLA has said that it lost 35 of its fighters."]
    assert answer.text == "The BLA lost 35 fighters [1]."
    assert any("now cites the retrieved sentence that says it" in n for n in answer.notes)
