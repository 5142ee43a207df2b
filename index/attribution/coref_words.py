"""Word lists for speaker coreference: gendered words, nouns that denote a person or an
organisation, and adjectives that carry a role ("mayoral candidate" → mayor).

Example:
    >>> noun_gender("spokeswoman"), noun_gender("senator")
    ('f', None)
    >>> role_base("mayoral")
    'mayor'
"""

from __future__ import annotations


def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


MALE_PRONOUNS = _lexicon("he him his himself")
FEMALE_PRONOUNS = _lexicon("she her hers herself")
MALE_HONORIFICS = _lexicon("mr mr. sir lord king prince")
FEMALE_HONORIFICS = _lexicon("mrs mrs. ms ms. miss madam dame lady queen princess")

MALE_NOUNS = _lexicon(
    """man boy father dad son brother husband grandfather uncle nephew spokesman chairman
    congressman businessman king prince gentleman boyfriend fiance widower"""
)
FEMALE_NOUNS = _lexicon(
    """woman girl mother mom mum daughter sister wife grandmother aunt niece spokeswoman
    chairwoman congresswoman businesswoman queen princess lady girlfriend fiancee widow actress"""
)

# Heads of definite descriptions that stand for a person mentioned before ("the mayor said").
PERSON_NOUNS = _lexicon(
    """minister president senator governor candidate nominee chairman chairwoman chair secretary
    spokesman spokeswoman spokesperson chief director leader mayor councillor councilor congressman
    congresswoman representative ambassador general commander judge attorney lawyer premier
    chancellor king queen prince pope businessman businesswoman billionaire author professor
    host anchor founder ceo manager pollster coach player forward defenceman defenseman goalie
    goaltender winger centre center captain rookie veteran quarterback pitcher striker fighter
    champion star resident student teacher principal doctor physician nurse scientist researcher
    economist historian expert analyst officer detective sheriff constable sergeant lieutenant
    inspector superintendent commissioner prosecutor mp mla mpp owner organizer organiser driver
    farmer worker officer activist advocate artist singer actor actress writer journalist
    reporter columnist editor owner landlord tenant mother father man woman wife husband son
    daughter brother sister boy girl grandmother grandfather parent victim survivor witness
    politician lawmaker legislator economist strategist consultant negotiator diplomat envoy
    executive president-elect vice-president economist official spokesman chairperson
    trustee dean chancellor provost psychologist psychiatrist therapist pastor priest bishop
    rabbi imam cardinal monk teenager mom dad widow veteran professional"""
)

# Heads of definite descriptions that stand for an organisation named before ("the company said").
ORG_NOUNS = _lexicon(
    """company firm agency department ministry bank union group organization organisation
    association party club team league board council commission authority service university
    college school hospital network corporation business retailer airline carrier utility
    regulator city province government administration office institute foundation charity
    society federation coalition campaign committee district force army military police
    airport railway insurer lender broadcaster newspaper studio manufacturer maker automaker
    developer operator provider brand chain giant"""
)

# Heads of sources that are documents someone issued ("her statement read", "his letter said").
DOCUMENT_NOUNS = _lexicon("statement release letter email e-mail tweet post memo note message affidavit")

# "mayoral candidate" names the role "mayor" for the person it describes.
_ROLE_ADJECTIVES = {
    "mayoral": "mayor",
    "presidential": "president",
    "ministerial": "minister",
    "gubernatorial": "governor",
    "senatorial": "senator",
    "congressional": "congressman",
    "prime-ministerial": "minister",
    "premiership": "premier",
    "coaching": "coach",
}


def role_base(word: str) -> str:
    """The role noun an adjective stands for, else the word itself (lower case)."""
    low = word.lower()
    return _ROLE_ADJECTIVES.get(low, low)


def noun_gender(word: str) -> str | None:
    """``'m'`` / ``'f'`` for a gendered noun or honorific, else ``None``."""
    low = word.lower()
    if low in MALE_NOUNS or low in MALE_HONORIFICS:
        return "m"
    if low in FEMALE_NOUNS or low in FEMALE_HONORIFICS:
        return "f"
    return None


def pronoun_gender(word: str) -> str | None:
    """``'m'`` / ``'f'`` for a third-person singular pronoun, else ``None``."""
    low = word.lower()
    if low in MALE_PRONOUNS:
        return "m"
    if low in FEMALE_PRONOUNS:
        return "f"
    return None
