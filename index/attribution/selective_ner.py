"""The spaCy model's NER, run only on sentences that can hold a name or a number.

The small English model's NER has its own tok2vec (it does not listen to the shared one), and its
greedy transition loop costs more than the tagger and parser together: about 60% of spaCy's time
on a news sentence. Yet a sentence with no capital letter past an opening function word ("The", "But", "He")
and no digit holds no name, place or organisation, and the extractor reads entities only for those
(its people and organisations book, a source's type, a ``Label:`` heading) and as one feature of a
cue's subject. Such sentences get "no entity" (every token outside an entity, as the NER marks a
sentence without one); the others get the stock NER's entities unchanged (it reads only its own
tok2vec, so the subset it sees does not change them).

What is skipped: lowercase dates, counts and ordinals ("last week", "three", "first") in sentences
without a capital or a digit. On PolNeAR dev, GGT dev and news-QA dev (16,686 sentences) 16% of the
sentences were skipped and 2 of 342 articles' attributions changed (README, "What made the large
sizes possible"); ``load_nlp(selective_ner=False)`` is the stock pipeline to compare with.

Example:
    >>> nlp = load_nlp()                                   # doctest: +SKIP
    >>> [e.text for e in nlp("But the talks went on for weeks.").ents]  # doctest: +SKIP
    []
    >>> [e.text for e in nlp("But Asif spoke for two hours.").ents]     # doctest: +SKIP
    ['Asif', 'two hours']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

FACTORY = "sourced_selective_ner"
STOCK = "ner"
#: POS of an opening word whose capital is only the sentence's ("The", "But", "He", "In").
_FUNCTION_POS = frozenset({"DET", "PRON", "ADP", "CCONJ", "SCONJ", "ADV", "AUX", "PART", "INTJ"})


def may_name(doc: Doc) -> bool:
    """Whether ``doc`` can hold an entity the extractor reads: a digit, a proper noun, or a
    capital letter other than that of an opening function word. Without POS (no tagger ran),
    always.

    Example:
        >>> from spacy.vocab import Vocab
        >>> may_name(Doc(Vocab(), words=["But", "it", "rained"], pos=["CCONJ", "PRON", "VERB"]))
        False
        >>> may_name(Doc(Vocab(), words=["It", "rained", "in", "Rome"], pos=["PRON", "VERB", "ADP", "PROPN"]))
        True
    """
    if not doc.has_annotation("POS"):
        return True
    opening = True
    for token in doc:
        if token.is_punct or token.is_space:
            continue
        text = token.text
        if token.pos_ == "PROPN" or any(c.isdigit() for c in text):
            return True
        if any(c.isupper() for c in text) and not (opening and token.pos_ in _FUNCTION_POS):
            return True
        opening = False
    return False


class SelectiveNER:
    """Runs ``ner`` (the stock component) on the docs :func:`may_name` accepts; the others are
    marked as holding no entity.

    Example:
        >>> SelectiveNER(stock_ner).pipe(docs)   # doctest: +SKIP
    """

    def __init__(self, ner: Any) -> None:
        self.ner = ner
        self.skipped = self.run = 0

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            named: list[Doc] = []
            skipped: list[Doc] = []
            for doc in batch:
                (named if may_name(doc) else skipped).append(doc)
            if named:
                list(self.ner.pipe(named, batch_size=len(named)))
            for doc in skipped:  # "outside" everywhere, as the NER marks a sentence without an entity
                doc.set_ents([], default="outside")
            self.run += len(named)
            self.skipped += len(skipped)
            yield from batch


@Language.factory(FACTORY)
def make_selective_ner(nlp: Language, name: str) -> SelectiveNER:
    """The selective NER over the pipeline's own (disabled) ``ner``."""
    return SelectiveNER(nlp.get_pipe(STOCK))


def install(nlp: Language) -> Language:
    """Put the selective NER in place of ``ner`` (kept, disabled: ``stock_entities`` runs it).

    Example:
        >>> install(spacy.load("en_core_web_sm")).pipe_names[-1]  # doctest: +SKIP
        'sourced_selective_ner'
    """
    if STOCK not in nlp.pipe_names:
        return nlp
    nlp.add_pipe(FACTORY, before=STOCK)
    nlp.disable_pipe(STOCK)
    return nlp


def stock_entities(nlp: Language, text: str) -> Doc:
    """``text`` through the stock NER alone, whatever the pipeline runs (an answer's lead reads it).

    Example:
        >>> [e.label_ for e in stock_entities(load_nlp(), "Ford recalled 2.9 million cars.").ents]  # doctest: +SKIP
        ['ORG', 'CARDINAL']
    """
    ner = nlp.get_pipe(STOCK)
    return ner(nlp.make_doc(text))
