"""The word lists that retrieval and the answer side share: stop words, verbs of saying as
questions use them, and the words that frame a name.

The attribution extractor's own lexicon (cue lemmas, noun cues, role nouns, pronouns) is
:mod:`index.attribution.cues`; it stays there because its source is part of the extractor's
fingerprint (editing it re-extracts every stored attribution). The verb lists here are word
forms of lemmas in that lexicon, and ``tests/index/test_lexicon.py`` checks that they stay so.

Example:
    >>> "the" in STOP_WORDS, "said" in STOP_WORDS, "said" in SEARCH_STOP_WORDS
    (True, False, True)
    >>> lexicon("a b a") == frozenset({"a", "b"})
    True
"""

from __future__ import annotations


def lexicon(words: str) -> frozenset[str]:
    """A word list written as whitespace-separated words."""
    return frozenset(words.split())


# Function words: left out when a question's content words are compared with a claim's.
STOP_WORDS: frozenset[str] = lexicon(
    """a an the and or of to in on at for by with from that this these those is are was
    were be been it its as but not no he she they we i you his her their our has have
    had will would can could should may might do does did there here than then so if
    about into over after before"""
)
# BM25 also drops question words, more function words, and the words every news sentence has
# ("said", "according", "year"), which would otherwise rank reporting lines above the content.
SEARCH_STOP_WORDS: frozenset[str] = STOP_WORDS | lexicon(
    """which who whom whose what when where why how being done having me my your him them
    shall must too very up down out off during again further once all any both each few more most
    other some such only own same just also said says say according week year new"""
)

# Verbs of saying after "who" in a who-said question ("Who warned that ...?"), as inflected forms.
WHO_SAID_VERBS: tuple[str, ...] = tuple(
    ["said", "says", "say", "claimed", "claims", "claim", "admitted", "admits", "warned", "warns", "told", "tells", "stated", "states", "argued", "argues", "insisted", "insists", "denied", "denies", "noted", "notes", "reported", "reports", "believes", "believed", "suggested", "suggests", "announced", "added", "wrote", "writes", "tweeted", "acknowledged", "confirmed", "predicted", "promised", "explained", "maintained", "alleged", "asserted", "declared", "revealed", "thinks", "thought"]
)
# Verbs of saying after the speaker in a what-did-X-say question ("What did the BLA claim?").
WHAT_SAID_VERBS: tuple[str, ...] = tuple(
    ["say", "said", "claim", "claimed", "admit", "admitted", "warn", "warned", "tell", "told", "state", "argue", "insist", "deny", "note", "report", "believe", "think", "suggest", "announce", "add", "write", "tweet"]
)
# Verb stems a question may use to ask for a stance ("Who admitted ...?"), echoed in the answer.
STANCE_VERB_STEMS: tuple[str, ...] = tuple(
    ["admit", "claim", "warn", "deny", "insist", "argue", "allege", "predict", "promise", "confirm", "acknowledge"]
)
# Cues whose object is the hearer, not the content ("told the Assembly that ..."): phrased as "said".
HEARER_CUES: frozenset[str] = lexicon("told tells tell informed assured briefed reminded")
# Cues that are not verbs: phrased as "According to X, ...".
NON_VERB_CUES: frozenset[str] = frozenset({":", "according to", "according", "—", "-"})

# Honorifics before a name ("Sen. Warren"), dropped when two names are compared.
HONORIFICS: frozenset[str] = lexicon("mr mrs ms dr sen gov rep prof rev gen")
# Words a speaker query drops before matching a speaker's name ("the President", "Mr Asif").
NAME_FILLERS: frozenset[str] = lexicon("mr mrs ms dr gov sen rep president minister the a an")
# Capitalised words that open a sentence or question rather than a name ("The", "Who", "Mr").
NAME_OPENERS: frozenset[str] = lexicon(
    """the a an what who whom when where why how which did does do is are was were according
    even and but in on mr mrs ms dr another this that these those many reports"""
)
# Title words: a capitalised run holding one is a role ("Defence Minister"), not a name.
NAME_TITLES: frozenset[str] = lexicon(
    """minister president secretary senator governor chief spokesman spokesperson official
    general director chairman leader sen rep gov candidate speaker prime defence defense foreign
    interior"""
)
# Words that make a capitalised name an organisation ("Balochistan Liberation Army").
ORG_HINTS: frozenset[str] = lexicon(
    """army agency agencies party department ministry bureau corps committee council government
    intelligence police forces brigade campaign house court congress senate times post news group"""
)
