"""Choosing the shown sentence that states an answer (by rule; the judge is tested in test_verify)."""

from __future__ import annotations

from dataclasses import replace

from assistant.citation_choice import (
    answer_names,
    answer_words,
    corroborating_citation,
    covering_pair,
    sharper_citation,
)
from assistant.citations import Claim
from assistant.types import Hit
from index.types import Sentence


def hits(*texts: str) -> list[Hit]:
    return [Hit(Sentence("a", i, 0, 1, t), 1.0) for i, t in enumerate(texts)]


Q = "A former prime minister of which nation was killed after being shot at a campaign event?"


def test_answer_words_are_what_the_claim_adds_to_the_question() -> None:
    assert answer_words("Japan [1].", Q) == {"japan"}
    assert answer_words("The former prime minister was shot at a campaign event [2].", Q) == set()
    assert answer_words("Iranian lawmakers urged no leniency.", "Which country's lawmakers urged no leniency?") \
        == {"iranian"}  # fmt: skip


def test_the_sentence_with_the_answer_and_more_of_the_question_wins() -> None:
    shown = hits("Photos: Japan's Prime Minister Kishida speaks about Abe.",
                 "Japan's former prime minister Shinzo Abe was shot at a campaign event.",
                 "A former prime minister was shot at a campaign event in Pakistan.")  # fmt: skip
    assert sharper_citation(Claim("Japan [1].", (1,)), shown, Q) == 2  # prefix: "Japan's" / "Japanese"
    assert sharper_citation(Claim("Japan [2].", (2,)), shown, Q) is None  # already the best
    assert sharper_citation(Claim("Japan [1].", (1,)), shown, None) is None
    assert sharper_citation(Claim("The former prime minister was shot [1].", (1,)), shown, Q) is None  # adds nothing


def test_a_candidate_must_hold_every_answer_word_and_figure() -> None:
    q = "How many customers in Florida were without power on Thursday?"
    shown = hits("Power was out for many in Florida on Thursday, officials said.",
                 "More than 2.1 million customers in Florida were without power on Thursday.",
                 "More than 2.5 million customers lost power.")  # fmt: skip
    assert sharper_citation(Claim("2.5 million customers were without power [1].", (1,)), shown, q) == 3
    assert sharper_citation(Claim("2.5 million customers were without power [3].", (3,)), shown, q) is None
    assert sharper_citation(Claim("Seven million customers [1].", (1,)), shown, q) is None


def test_a_cited_sentence_stating_the_answer_is_left_unless_another_holds_more_of_the_question() -> None:
    q = "Which word did Merriam-Webster select as its word of the year?"
    shown = hits('Merriam-Webster has announced its word of the year: "gaslighting."',
                 "Merriam-Webster defines gaslighting as psychological manipulation.",
                 "Merriam-Webster selected gaslighting as its word of the year.")  # fmt: skip
    claim = Claim("Gaslighting [1].", (1,))
    assert sharper_citation(claim, shown, q) == 3  # holds "select" too
    assert sharper_citation(claim, shown[:2], q) is None  # [2] holds less of the question
    assert sharper_citation(Claim('Merriam-Webster chose "gaslighting" [1].', (1,)), shown, q) is None  # no "chose"
    tie = hits("Gaslighting was chosen.", "Gaslighting was chosen, Merriam-Webster said.",
               "Merriam-Webster: gaslighting was chosen.")  # fmt: skip
    assert sharper_citation(Claim("Gaslighting [1].", (1,)), tie, q) == 2  # ties: the earlier shown sentence


def test_a_stating_sentence_must_hold_the_answer_names_not_the_drafts_own_verbs() -> None:
    q = "Which airline suffered an operational meltdown this week that resulted in thousands of flights canceled?"
    shown = hits("A nightmare flight experience: 1,000 Southwest flyers slept at Denver airport.",
                 "Southwest Airlines canceled thousands of flights this week, stranding passengers.",
                 "Airlines canceled thousands of flights this week.")  # fmt: skip
    claim = Claim("Southwest Airlines experienced an operational meltdown this week [1].", (1,))
    assert answer_names(claim.text, q) == ({"southwest"}, {"experienc"})
    assert sharper_citation(claim, shown, q) == 2  # "experienced" is the model's word, not the answer
    assert sharper_citation(replace(claim, text="Delta Air Lines experienced it [1]."), shown, q) is None


def test_a_stating_sentence_must_hold_half_the_other_words_a_reason_is_made_of() -> None:
    q = "According to Khawaja Asif, why are the Pakistani security forces handicapped?"
    shown = hits("The forces are handicapped by the sheer size of the Balochistan province, Asif said.",
                 "Khawaja Asif admitted that the Pakistani security forces were handicapped against Baloch rebels.")  # fmt: skip
    claim = Claim("The sheer size of the Balochistan province handicaps the forces [1].", (1,))
    assert answer_names(claim.text, q) == ({"balochistan"}, {"sheer", "size", "provinc"})
    assert sharper_citation(claim, shown, q) is None  # [2] names "Baloch" but says nothing of the reason
    assert sharper_citation(replace(claim, markers=(2,)), shown, q) == 1


GORBACHEV = [
    "Mikhail Gorbachev, the last leader of the Soviet Union, has died at the age of 91.",
    "It was the beginning of the end of the Cold War.",
    "He was awarded the Nobel Peace Prize in 1990 for his role in the peace process.",
]
JOINED = Claim("Mikhail Gorbachev died at 91, awarded the Nobel Peace Prize in 1990 [2].", (2,))
LEADER_Q = "Which Nobel Peace Prize-winning former world leader died this week, aged 91?"


def test_two_sentences_of_one_article_that_together_hold_a_joined_claim() -> None:
    assert covering_pair(JOINED, hits(*GORBACHEV), LEADER_Q) == (1, 3)
    assert covering_pair(JOINED, hits(*GORBACHEV)) == (1, 3)  # without a question: every word counts


def test_no_pair_when_one_sentence_holds_it_all_or_the_two_come_from_different_articles() -> None:
    whole = hits(GORBACHEV[0] + " He was awarded the Nobel Peace Prize in 1990.", *GORBACHEV[1:])
    assert covering_pair(JOINED, whole, LEADER_Q) is None
    apart = [Hit(Sentence(article, 0, 0, 1, text), 1.0) for article, text in zip("abc", GORBACHEV, strict=True)]
    assert covering_pair(JOINED, apart, LEADER_Q) is None


def test_no_pair_without_every_figure_and_answer_word() -> None:
    wrong_year = replace(JOINED, text="Mikhail Gorbachev died at 91, awarded the Nobel Peace Prize in 1991.")
    assert covering_pair(wrong_year, hits(*GORBACHEV), LEADER_Q) is None
    other_man = replace(JOINED, text="Boris Yeltsin died at 91, awarded the Nobel Peace Prize in 1990.")
    assert covering_pair(other_man, hits(*GORBACHEV), LEADER_Q) is None
    decade = hits(*GORBACHEV[:2], GORBACHEV[2].replace("in 1990", "in the 1990s"))  # a figure is held whole
    assert covering_pair(JOINED, decade, LEADER_Q) is None


def test_among_equal_pairs_the_one_with_a_cited_sentence_wins() -> None:
    shown = hits(GORBACHEV[2], GORBACHEV[0], "Mikhail Gorbachev died on Tuesday, aged 91.")
    assert covering_pair(replace(JOINED, markers=(3,)), shown, LEADER_Q) == (1, 3)
    assert covering_pair(replace(JOINED, markers=(1,)), shown, LEADER_Q) == (1, 2)  # both hold [1]: the earlier


def _from(*pairs: tuple[str, str]) -> list[Hit]:
    return [Hit(Sentence(a, i, 0, 1, t), 1.0) for i, (a, t) in enumerate(pairs)]


WATER_Q = "Which city issued a boil water notice to millions of its residents?"


def test_a_corroborating_sentence_comes_from_another_article_and_states_the_answer() -> None:
    shown = _from(("cnn", "Houston issued a boil water notice on Sunday."),
                  ("cnn", "Houston Public Works said residents no longer need to boil water."),
                  ("ust", "The notice covered 2.2 million people."),
                  ("ust", "Officials in Houston said water should be boiled before use."),
                  ("wk", "City officials in Houston told millions of residents to boil water."))
    claim = Claim("Houston issued a boil water notice [1].", (1,))
    assert corroborating_citation(claim, shown, WATER_Q) == 5  # holds most of the question's words; [2] is cnn's
    assert corroborating_citation(replace(claim, markers=(1, 5)), shown, WATER_Q) == 4  # wk is cited already
    assert corroborating_citation(replace(claim, markers=(1, 4, 5)), shown, WATER_Q) is None
    assert corroborating_citation(claim, shown, None) is None
    assert corroborating_citation(Claim("A boil water notice [1].", (1,)), shown, WATER_Q) is None  # adds nothing


def test_a_corroborating_sentence_holds_every_figure_and_skips_copies_already_cited() -> None:
    shown = _from(("cnn", "Nicole hit Florida with 75 mph winds."), ("ust", "Nicole hit Florida."),
                  ("wk", "Nicole came ashore with winds of 75 mph."))
    q = "Which storm hit Florida this week?"
    assert corroborating_citation(Claim("Nicole hit Florida with 75 mph winds [1].", (1,)), shown, q) == 3
    copy = Hit(Sentence("wk", 2, 0, 1, "Nicole came ashore with winds of 75 mph."), 1.0)
    first = replace(shown[0], duplicates=(copy,))  # the syndicated copy stands for wk already
    assert corroborating_citation(Claim("Nicole hit Florida with 75 mph winds [1].", (1,)), [first, *shown[1:]], q) is None


def test_a_corroborating_sentence_need_not_repeat_the_figures_the_question_names() -> None:
    shown = _from(("cnn", 'Merriam-Webster has announced its 2022 word of the year: "gaslighting."'),
                  ("ust", "The online dictionary chose the word gaslighting."),
                  ("ust", "Last year's word was vaccine."))
    q = "Which word did Merriam-Webster select as its 2022 word of the year?"
    claim = Claim('Merriam-Webster selected "gaslighting" as its 2022 word of the year [1].', (1,))
    assert corroborating_citation(claim, shown, q) == 2
    assert sharper_citation(replace(claim, markers=(3,)), shown, q) == 1  # a sharper citation still holds "2022"
