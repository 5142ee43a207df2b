"""The selective NER: the stock NER's entities wherever a sentence can hold a name or a number,
"no entity" elsewhere, and the same attributions as the stock pipeline on the sample article."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from index.attribution.extract import extract_attributions
from index.attribution.nlp import load_nlp
from index.attribution.selective_ner import FACTORY, STOCK, may_name, stock_entities
from index.readers import iter_articles
from index.segment import segment
from index.types import Article

ROOT = Path(__file__).resolve().parents[2]


def _doc(words: list[str], pos: list[str] | None) -> Doc:
    return Doc(spacy.blank("en").vocab, words=words, pos=pos)  # a language's vocab knows punctuation


@pytest.mark.parametrize(
    ("words", "pos", "expected"),
    [
        (["But", "the", "talks", "went", "on", "."], ["CCONJ", "DET", "NOUN", "VERB", "ADP", "PUNCT"], False),
        (["“", "He", "left", ",", "”", "she", "said"], ["PUNCT", "PRON", "VERB", "PUNCT", "PUNCT", "PRON", "VERB"], False),
        # an opening noun or verb may be a name the tagger missed ("Trump says ...")
        (["Trump", "says", "no"], ["NOUN", "VERB", "INTJ"], True),
        (["the", "talks", "with", "Iran"], ["DET", "NOUN", "ADP", "PROPN"], True),
        (["he", "met", "the", "EU"], ["PRON", "VERB", "DET", "NOUN"], True),  # a capital past the opening
        (["they", "lost", "3", "seats"], ["PRON", "VERB", "NUM", "NOUN"], True),
        (["a", "g7", "summit"], ["DET", "NOUN", "NOUN"], True),  # a digit inside a word
        (["the", "talks", "went", "on"], None, True),  # no tagger ran: cannot tell
    ],
)
def test_may_name(words: list[str], pos: list[str] | None, expected: bool) -> None:
    assert may_name(_doc(words, pos)) is expected


def test_the_pipeline_runs_the_stock_ner_only_where_a_name_can_be() -> None:
    nlp, stock = load_nlp(), load_nlp(selective_ner=False)
    assert FACTORY in nlp.pipe_names and STOCK not in nlp.pipe_names  # kept, disabled
    assert STOCK in stock.pipe_names and FACTORY not in stock.pipe_names
    texts = [
        "But the talks went on for weeks.",  # skipped: "weeks" is no name
        "Defence Minister Khawaja Asif said on Tuesday that 31 people died.",
        "It was raining in Quetta.",
    ]
    component = nlp.get_pipe(FACTORY)
    before = (component.run, component.skipped)  # type: ignore[attr-defined]
    docs, reference = list(nlp.pipe(texts)), list(stock.pipe(texts))
    assert (component.run - before[0], component.skipped - before[1]) == (2, 1)  # type: ignore[attr-defined]
    assert list(docs[0].ents) == [] and {t.ent_iob_ for t in docs[0]} == {"O"}  # as the NER marks "none"
    for doc, ref in zip(docs[1:], reference[1:], strict=True):
        assert [(e.text, e.label_) for e in doc.ents] == [(e.text, e.label_) for e in ref.ents]
        assert [t.ent_iob_ for t in doc] == [t.ent_iob_ for t in ref]
    assert {("Khawaja Asif", "PERSON"), ("Tuesday", "DATE"), ("31", "CARDINAL")} <= {(e.text, e.label_) for e in docs[1].ents}
    # one doc at a time goes the same way
    assert [(e.text, e.label_) for e in nlp(texts[1]).ents] == [(e.text, e.label_) for e in reference[1].ents]


def test_stock_entities_run_the_ner_whatever_the_sentence() -> None:
    doc = stock_entities(load_nlp(), "last week the talks went on for three days.")
    assert [e.label_ for e in doc.ents] == [e.label_ for e in load_nlp(selective_ner=False)(doc.text).ents]
    assert doc.ents  # the lowercase dates the pipeline skips: an answer's lead still gets them


def test_the_sample_article_gives_the_same_attributions_as_the_stock_ner() -> None:
    (article,) = [a for a in iter_articles([ROOT / "samples"]) if isinstance(a, Article)]
    sentences = segment(article)
    selective = extract_attributions(article, sentences, load_nlp())
    stock = extract_attributions(article, sentences, load_nlp(selective_ner=False))
    assert selective == stock and len(stock) > 5
    assert load_nlp().get_pipe(FACTORY).skipped > 0  # type: ignore[attr-defined]  # it did skip some
