"""The answering phrase a short extractive answer leads with (assistant/answer_lead.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assistant.answer_lead import (
    AMOUNT,
    DATE,
    GPE,
    NONE,
    ORG,
    PERSON,
    PLACE,
    WORK,
    AnswerLead,
    Entity,
    expected_labels,
)
from assistant.answering import ExtractiveGenerator, compose
from assistant.types import Hit
from index.errors import ModelUnavailableError
from index.types import Sentence


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("Who won the village chess cup?", PERSON),
        ("For whom was the parade held?", PERSON),
        ("Which person opened the bakery?", PERSON),
        ("Which veteran golfer won the lakeside open?", PERSON),
        ("Which country banned paper straws?", GPE),
        ("The mayor resigned. In which city did the flood start?", GPE),
        ("Which state’s governor signed the bill?", GPE),
        ("A geyser erupted on which island?", PLACE),
        ("Which team won the regional final?", ORG),
        ("Which automaker recalled its vans?", ORG),
        ("Which English rugby union club went bust?", ORG),
        ("How many lanterns were lit?", AMOUNT),
        ("Approximately how many bees live in the hive?", AMOUNT),
        ("The storm caused how much in damages?", AMOUNT),
        ("She left after how many days?", AMOUNT | DATE),
        ("When did the bridge reopen?", DATE),
        ("In what year was the mill built?", DATE),
        ("Which film won the festival prize?", WORK),
        ("What was the name of the show that ended?", WORK),
        ("Which countries signed the pact?", NONE),  # several answers: one lead would be partial
        ("Which type of fence did they build?", NONE),
        ("What did the council decide?", NONE),
        ("Why did the ferry stop?", NONE),
        ("Where is the lighthouse?", NONE),
        ("Many residents who stayed were rescued. What was the rescue boat called?", NONE),
    ],
)
def test_question_types_come_from_the_wh_word_and_its_head_noun(question: str, labels: frozenset[str]) -> None:
    assert expected_labels(question) == labels


def fixed(*entities: tuple[str, str]) -> tuple[str, list[Entity]]:
    """A sentence made of ``(text, label)`` pieces joined by " and ", with their entities."""
    text, found = "", []
    for piece, label in entities:
        text += " and " if text else ""
        found.append(Entity(len(text), len(text) + len(piece), label))
        text += piece
    return text + ".", found


def recognizer(entities: Sequence[Entity]):  # type: ignore[no-untyped-def]
    return lambda sentence: entities


def test_the_one_candidate_of_the_type_leads_as_a_verbatim_span() -> None:
    sentence, ents = fixed(("The Millbrook Otters", "ORG"), ("Tuesday", "DATE"), ("Lena Vos", "PERSON"))
    lead = AnswerLead(recognizer(ents)).lead("Which team won the river cup?", sentence)
    assert lead == "Millbrook Otters" and lead in sentence


def test_two_candidates_give_no_lead() -> None:
    sentence, ents = fixed(("the Millbrook Otters", "ORG"), ("the Dunmore Herons", "ORG"))
    assert AnswerLead(recognizer(ents)).lead("Which team won the river cup?", sentence) is None


def test_candidates_the_question_already_names_are_dropped() -> None:
    sentence, ents = fixed(("the Millbrook Otters", "ORG"), ("the Dunmore Herons", "ORG"))
    assert AnswerLead(recognizer(ents)).lead("Which team beat the Herons?", sentence) == "Millbrook Otters"
    sentence, ents = fixed(("Lena Vos", "PERSON"))
    assert AnswerLead(recognizer(ents)).lead("Who did Lena Vos beat?", sentence) is None


def test_a_shorter_mention_of_the_same_candidate_is_one_candidate() -> None:
    sentence, ents = fixed(("the Millbrook Otters", "ORG"), ("the Otters", "ORG"))
    assert AnswerLead(recognizer(ents)).lead("Which team won the river cup?", sentence) == "Millbrook Otters"


def test_numbers_lead_how_many_questions() -> None:
    sentence, ents = fixed(("about 4,000", "CARDINAL"), ("Monday", "DATE"))
    assert AnswerLead(recognizer(ents)).lead("How many lanterns were lit on Monday?", sentence) == "about 4,000"
    sentence, ents = fixed(("a 300-pound", "QUANTITY"), ("some 9 million miles", "QUANTITY"))
    assert AnswerLead(recognizer(ents)).lead("How many miles away was the comet?", sentence) == "some 9 million miles"


def test_only_names_and_numbers_of_the_question_exclude_a_candidate() -> None:
    sentence, ents = fixed(("Harwick University", "ORG"))
    assert AnswerLead(recognizer(ents)).lead("Which university closed its library?", sentence) == "Harwick University"


def test_a_dateline_source_is_not_a_candidate() -> None:
    sentence = "(Wirepost) The Millbrook Otters won the river cup."
    ents = [Entity(1, 9, "ORG"), Entity(11, 31, "ORG")]
    assert AnswerLead(recognizer(ents)).lead("Which team won the cup?", sentence) == "Millbrook Otters"


def test_who_said_and_untyped_questions_get_no_lead_without_running_the_recognizer() -> None:
    def boom(sentence: str) -> list[Entity]:
        raise AssertionError("the recognizer must not run")

    lead = AnswerLead(boom)
    assert lead.lead("Who said that the dam would hold?", "Lena Vos said that the dam would hold.") is None
    assert lead.lead("What did the council decide?", "The council decided to wait.") is None


def test_a_missing_model_means_no_leads_not_an_error() -> None:
    calls = []

    def missing(sentence: str) -> list[Entity]:
        calls.append(sentence)
        raise ModelUnavailableError("The spaCy model is not installed.")

    lead = AnswerLead(missing)
    assert lead.lead("Who won?", "Lena Vos won.") is None and lead.unavailable
    assert lead.lead("Who won?", "Lena Vos won.") is None and len(calls) == 1


def hit(text: str, score: float, index: int = 0, speaker: str | None = None) -> Hit:
    return Hit(Sentence("art", index, 0, len(text), text), score, title="T", speaker=speaker)


def test_the_extractive_answer_leads_with_the_phrase_and_keeps_the_citation() -> None:
    sentence, ents = fixed(("The Millbrook Otters", "ORG"), ("the river cup", "EVENT"))
    gen = ExtractiveGenerator(lead=AnswerLead(recognizer(ents)))
    hits = [hit(sentence, 0.9), hit("The crowd was large.", 0.5, 1)]
    answer = compose(gen.claims("Which team won the cup?", hits), hits, question="q", standalone="q", generator="x")
    assert answer.text == f"Millbrook Otters: {sentence[:-1]} [1]."
    assert [c.sentence for c in answer.citations] == [sentence]


def test_only_the_best_sentence_is_led() -> None:
    first, ents = fixed(("The Millbrook Otters", "ORG"))
    gen = ExtractiveGenerator(lead=AnswerLead(lambda s: ents if s == first else [Entity(0, 5, "ORG")]))
    claims = gen.claims("Which team won?", [hit("Herons lost.", 0.88, 0), hit(first, 0.9, 1)])
    assert [c.text for c in claims] == ["Herons lost.", f"Millbrook Otters: {first}"]


def test_who_said_and_speaker_answers_are_unchanged() -> None:
    _, ents = fixed(("Lena Vos", "PERSON"), ("Piet Aarts", "PERSON"))
    led, plain = ExtractiveGenerator(lead=AnswerLead(recognizer([ents[0]]))), ExtractiveGenerator()
    said = [hit("Lena Vos said that the dam would hold.", 0.9)]
    question = "Who said that the dam would hold?"
    assert led.claims(question, said) == plain.claims(question, said)
    he = [hit("He also ruled out any talks.", 0.9, speaker="Piet Aarts")]
    assert led.claims("Who ruled out talks?", he) == plain.claims("Who ruled out talks?", he)


def test_the_real_recognizer_leads_with_one_airline_and_not_with_two(nlp: object) -> None:
    lead = AnswerLead()
    one = "The airline Delta Air Lines cancelled 500 flights on Monday."
    two = "Delta Air Lines and United Airlines cancelled flights on Monday."
    assert lead.lead("Which airline cancelled flights?", one) == "Delta Air Lines"
    assert lead.lead("Which airline cancelled flights?", two) is None
    assert lead.lead("How many flights were cancelled?", one) == "500"


def test_the_real_recognizer_finds_no_figure_or_date_where_there_is_none(nlp: object) -> None:
    typed = AnswerLead()
    battle = "During this latest battle, the BLA said that it had managed to kill members of the Army."
    assert typed.missing_kind("How many weapons did the BLA capture from the Frontier Corps?", [battle]) == "a figure"
    assert typed.missing_kind("How many weapons did the BLA capture?", [battle, "It took 12 rifles."]) is None
    admitted = "Even Pakistan’s Defence Minister, Khawaja Asif, admitted that the forces were handicapped."
    assert typed.missing_kind("When was he appointed Defence Minister?", [admitted]) == "a date"
    assert typed.missing_kind("When was he appointed?", ["He was appointed in March 2024."]) is None
    assert typed.missing_kind("Who was appointed Defence Minister?", [admitted]) is None  # not a figure or date


def test_a_missing_model_means_no_type_check_not_a_refusal() -> None:
    def missing(sentence: str) -> list[Entity]:
        raise ModelUnavailableError("The spaCy model is not installed.")

    assert AnswerLead(missing).missing_kind("How many weapons were seized?", ["The army won."]) is None


def test_the_setting_wires_the_lead_into_the_extractive_and_fallback_generators(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assistant.factory import build_pipeline
    from assistant.settings import Settings
    from index.embed import HashEmbedder
    from index.store import SentenceStore

    settings = Settings(data_dir=tmp_path, generator="extractive")
    store = SentenceStore(settings.index_dir, HashEmbedder())
    assert build_pipeline(store, settings).extractive.lead is None  # off by default
    assert isinstance(build_pipeline(store, settings.updated(answer_lead=True)).extractive.lead, AnswerLead)


def test_the_setting_wires_the_type_check_into_the_llm_route(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assistant.factory import build_pipeline
    from assistant.generation import LLMAnswerer
    from assistant.llm import ScriptedLLM
    from assistant.settings import Settings
    from index.embed import HashEmbedder
    from index.store import SentenceStore

    settings = Settings(data_dir=tmp_path, generator="extractive")
    store = SentenceStore(settings.index_dir, HashEmbedder())
    route = build_pipeline(store, settings, ScriptedLLM()).llm
    assert isinstance(route, LLMAnswerer) and isinstance(route.typed, AnswerLead)  # on by default
    off = build_pipeline(store, settings.updated(fallback_answer_type=False), ScriptedLLM()).llm
    assert isinstance(off, LLMAnswerer) and off.typed is None
