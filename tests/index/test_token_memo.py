"""The token memo gives every token what the stock attribute_ruler + lemmatizer give it.

Docs are built with fixed tags and dependencies (no tagger or parser involved), then each run
through a fresh memo and through the stock components; a memo keyed on too little (the text
alone, no DEP, no neighbours) fails these once it has seen the other reading of the same word.
"""

from __future__ import annotations

from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from index.attribution.nlp import load_nlp
from index.attribution.token_memo import FACTORY, STOCK, TokenMemo, context_rules, install, supported

# (words, tags, deps, heads): heads are absolute token indices
SAW_NOUN = (
    ["I", "like", "the", "saw"],
    ["PRP", "VBP", "DT", "NN"],
    ["nsubj", "ROOT", "det", "dobj"],
    [1, 1, 3, 1],
)
SAW_VERB = (["I", "saw", "it"], ["PRP", "VBD", "PRP"], ["nsubj", "ROOT", "dobj"], [1, 1, 1])
ME_OBJ = (["they", "saw", "I"], ["PRP", "VBD", "PRP"], ["nsubj", "ROOT", "dobj"], [1, 1, 1])
IT_IS = (["it", "is", "here"], ["PRP", "VBZ", "RB"], ["nsubj", "ROOT", "advmod"], [1, 1, 1])
THERE_IS = (["there", "is", "hope"], ["EX", "VBZ", "NN"], ["expl", "ROOT", "attr"], [1, 1, 1])
POSSESSIVE = (["John", "'s", "dog"], ["NNP", "POS", "NN"], ["poss", "case", "ROOT"], [2, 0, 2])
HE_IS = (["he", "'s", "here"], ["PRP", "VBZ", "RB"], ["nsubj", "ROOT", "advmod"], [1, 1, 1])
LET_US = (["let", "'s", "go"], ["VB", "PRP", "VB"], ["ROOT", "nsubj", "ccomp"], [0, 2, 0])
US_OBJ = (["see", "'s"], ["VB", "PRP"], ["ROOT", "dobj"], [0, 0])
SPACE = (["said", "  ", "Traeger"], ["VBD", "_SP", "NNP"], ["ROOT", "dep", "nsubj"], [0, 0, 0])


def _doc(nlp: Language, spec: tuple[list[str], list[str], list[str], list[int]]) -> Doc:
    words, tags, deps, heads = spec
    return Doc(nlp.vocab, words=words, tags=tags, deps=deps, heads=heads)


def _rows(doc: Doc) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.dep_, t.pos_, str(t.morph), t.lemma_) for t in doc]


def _stock(nlp: Language) -> tuple[Any, Any]:
    return nlp.get_pipe(STOCK[0]), nlp.get_pipe(STOCK[1])


def _same(
    nlp: Language, memo: TokenMemo, spec: tuple[list[str], list[str], list[str], list[int]]
) -> list[tuple]:
    ruler, lemmatizer = _stock(nlp)
    expected = _rows(lemmatizer(ruler(_doc(nlp, spec))))
    assert _rows(memo(_doc(nlp, spec))) == expected
    return expected


def test_the_pipeline_runs_the_memo_in_place_of_the_stock_components(nlp: Language) -> None:
    assert FACTORY in nlp.pipe_names and not set(STOCK) & set(nlp.pipe_names)
    assert nlp.pipe_names.index(FACTORY) == nlp.pipe_names.index("parser") + 1


@pytest.mark.parametrize(
    ("first", "second", "word", "differs"),
    [
        (SAW_NOUN, SAW_VERB, 1, "lemma"),  # the tag decides: saw/NN -> saw, saw/VBD -> see
        (SAW_VERB, SAW_NOUN, 3, "lemma"),
        (SAW_VERB, ME_OBJ, 2, "morph"),  # the DEP decides: I/nsubj Case=Nom, I/dobj Case=Acc
        (IT_IS, THERE_IS, 1, "pos"),  # the neighbour decides: expl + is -> VERB, else AUX
        (THERE_IS, IT_IS, 1, "pos"),
        (POSSESSIVE, HE_IS, 1, "lemma"),  # 's: POS -> 's, VBZ -> be
        (US_OBJ, LET_US, 1, "lemma"),  # let 's -> us (a two-token exception of the ruler)
    ],
)
def test_a_warm_memo_still_follows_what_the_rules_read(
    nlp: Language, first: tuple, second: tuple, word: int, differs: str
) -> None:
    memo = TokenMemo(*_stock(nlp))
    one, two = _same(nlp, memo, first), _same(nlp, memo, second)
    column = {"pos": 3, "morph": 4, "lemma": 5}[differs]
    same_word = [r for r in one if r[0] == two[word][0]]  # the fixtures do read the word two ways
    assert same_word and all(r[column] != two[word][column] for r in same_word)
    assert _same(nlp, memo, first) == one and memo.hits >= len(one)  # the first again, from the memo


def test_known_readings(nlp: Language) -> None:
    memo = TokenMemo(*_stock(nlp))
    for spec in (SAW_NOUN, SAW_VERB, THERE_IS, IT_IS, HE_IS, LET_US):
        _same(nlp, memo, spec)
    got = {
        (t.text, t.tag_): (t.pos_, t.lemma_)
        for s in (SAW_VERB, THERE_IS, IT_IS, LET_US)
        for t in memo(_doc(nlp, s))
    }
    assert got[("saw", "VBD")] == ("VERB", "see")
    assert got[("'s", "PRP")] == ("PRON", "us")
    assert memo(_doc(nlp, THERE_IS))[1].pos_ == "VERB" and memo(_doc(nlp, IT_IS))[1].pos_ == "AUX"


def test_whitespace_tokens_get_the_rulers_tag_and_dep(nlp: Language) -> None:
    memo = TokenMemo(*_stock(nlp))
    rows = _same(nlp, memo, SPACE)
    assert rows[1][1:4] == ("_SP", "dep", "SPACE")
    assert _rows(memo(_doc(nlp, SPACE))) == rows  # from the memo this time


def test_a_batch_sees_the_same_as_one_doc_at_a_time(nlp: Language) -> None:
    specs = [SAW_NOUN, SAW_VERB, ME_OBJ, IT_IS, THERE_IS, POSSESSIVE, HE_IS, LET_US, US_OBJ, SPACE] * 2
    one_by_one = [_rows(TokenMemo(*_stock(nlp))(_doc(nlp, s))) for s in specs]
    batched = [_rows(d) for d in TokenMemo(*_stock(nlp)).pipe([_doc(nlp, s) for s in specs], batch_size=7)]
    assert batched == one_by_one


def test_parsing_text_matches_the_stock_pipeline(nlp: Language) -> None:
    texts = [
        "I saw the saw.",
        "There is hope, it is said.",
        "Let's go, John's dog said.",
        "He's  here, y'all.",
    ]
    stock = [(_rows(d), [t.ent_type_ for t in d]) for d in load_nlp(memo=False).pipe(texts)]
    assert [(_rows(d), [t.ent_type_ for t in d]) for d in nlp.pipe(texts * 2)][: len(texts)] == stock


def test_context_rules_read_the_targets_of_multi_token_patterns() -> None:
    patterns = [
        {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "to"}, "index": 1},
        {
            "patterns": [[{"LOWER": {"REGEX": "^y'?$"}}, {"LOWER": "all"}]],
            "attrs": {"LEMMA": "you"},
            "index": 0,
        },
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}, "index": 0},
    ]
    radius, tests = context_rules(patterns)
    assert radius == 1 and tests is not None
    assert [any(t(w) for t in tests) for w in ("na", "gon", "y'", "y", "all")] == [
        True,
        False,
        True,
        True,
        False,
    ]
    untargeted = [{"patterns": [[{"TAG": "EX"}, {"TAG": "VBZ"}]], "attrs": {"POS": "VERB"}, "index": 1}]
    assert context_rules(untargeted) == (
        1,
        None,
    )  # no LOWER on the target: every token is keyed with neighbours


def _ruled(pattern: list[dict[str, Any]]) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add([pattern], {"POS": "DET"})
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    return nlp


def test_a_pipeline_the_memo_cannot_vouch_for_is_left_alone() -> None:
    assert not supported(spacy.blank("en")) and install(spacy.blank("en")).pipe_names == []
    for unknown in ([{"LOWER": "a", "OP": "+"}], [{"NORM": "a"}], [{"SPACY": True}]):
        assert install(_ruled(unknown)).pipe_names == list(STOCK), unknown
    assert install(_ruled([{"LOWER": "a", "TAG": "DT"}])).pipe_names == [FACTORY]
