"""The shared word lists: the question verbs are forms of cue lemmas; the stop lists nest."""

from __future__ import annotations

import re

from index.attribution.cues import CUE_LEMMAS
from index.lexicon import (
    SEARCH_STOP_WORDS,
    STANCE_VERB_STEMS,
    STOP_WORDS,
    WHAT_SAID_VERBS,
    WHO_SAID_VERBS,
)

_IRREGULAR = {"said": "say", "told": "tell", "wrote": "write", "thought": "think"}


def lemma_candidates(form: str) -> set[str]:
    """The lemmas an English verb form may come from (said → say, denies → deny, noted → note)."""
    if form in _IRREGULAR:
        return {_IRREGULAR[form]}
    out = {form, re.sub(r"ies$|ied$", "y", form)}
    out |= {form[:-n] for n in (1, 2, 3) if len(form) > n + 2}  # notes, noted, admitted
    return out


def test_question_verbs_are_forms_of_cue_lemmas() -> None:
    for form in (*WHO_SAID_VERBS, *WHAT_SAID_VERBS, *STANCE_VERB_STEMS):
        assert lemma_candidates(form) & CUE_LEMMAS, f"{form!r} is no form of a cue lemma in index.attribution.cues"


def test_a_word_that_is_not_a_verb_of_saying_is_caught() -> None:
    assert not lemma_candidates("walked") & CUE_LEMMAS


def test_search_stop_words_extend_the_function_words() -> None:
    assert STOP_WORDS < SEARCH_STOP_WORDS
    assert {"said", "according", "who"} <= SEARCH_STOP_WORDS - STOP_WORDS
