"""Cue lexicon and quotation finder for the attribution extractor.

A *cue* is the word (or phrase) that introduces reported content: ``said``,
``according to``, a colon after a speaker's name.  This module knows which
lemmas are cues and where the quotations of an article are; the parse-driven
logic that uses them lives in :mod:`index.attribution.parse`.
"""

from __future__ import annotations

import re


def _lexicon(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _labels(text: str) -> frozenset[str]:
    return frozenset(w.strip() for w in text.split("|"))


# Verbs of saying, thinking and reporting (lemmas).  Strong cues introduce
# content in their own right; weak cues (think, show, find, ...) only when the
# parse gives them a clausal complement.
STRONG_CUES: frozenset[str] = _lexicon(
    """say tell claim admit add insist deny warn argue note state report write announce
    acknowledge confirm assert declare contend maintain stress emphasize emphasise
    recall complain vow allege reveal explain tweet testify remark observe speculate
    concede caution charge counter quip joke boast brag disclose reiterate repeat
    proclaim retort reply respond answer ask suggest predict promise pledge mention
    continue agree conclude estimate point urge threaten explain acknowledge lament
    inform advise assure describe accuse blame dismiss question criticize criticise"""
)
WEAK_CUES: frozenset[str] = _lexicon(
    """believe think know feel show find fear hope expect worry indicate suspect doubt
    reckon insist imply signal"""
)
# Stance verbs PolNeAR also annotates as attributions ("Trump called for a wall").
STANCE_CUES: frozenset[str] = _lexicon(
    """call cite want plan support condemn praise propose demand endorse reject
    oppose decline defend refuse back seek discuss slam decry denounce applaud welcome"""
)
# Further verbs PolNeAR annotates as cues, mined from its TRAIN split (lemmas whose
# occurrences are gold cues >= 30% of the time, with the subject as the source).
# They take any complement as content.  ``hop`` is the tagger's lemma of "hopes".
EXTRA_CUES: frozenset[str] = _lexicon(
    """talk offer refer hop hope express name blast post issue highlight remember mock identify
    recognize view tout remind list echo favor portray prefer order comment promote press
    wonder thank advocate deem rail rule quote reference voice underscore shout chant
    apologize request recommend plead email outline approve credit hint assail invoke
    attribute detail congratulate paint retweete retweet yell boo dispute recount envision
    chide rebut document unveil clarify contrast resist vouch bemoan articulate interject
    rebuke hail liken lash allude characterize reaffirm dislike dub contradict lambast balk
    interpret contemplate deride acquiesce forecast rebuff relish see consider decide focus cast
    share release challenge learn address deliver compare publish embrace file nominate
    introduce"""
)
# Verbs whose physical sense ("attacked a camp", "hit the convoy") wins outside political
# news: the learned cue model never turns them into cues, whatever its weights say.
PHYSICAL_VERBS: frozenset[str] = _lexicon(
    """attack strike hit kill shoot fire bomb raid target storm seize capture ambush
    abduct kidnap wound injure destroy blow burn loot occupy invade"""
)
CUE_LEMMAS: frozenset[str] = STRONG_CUES | WEAK_CUES | STANCE_CUES | EXTRA_CUES

# Verbs that take content as a direct object ("denied the report").
OBJECT_CONTENT: frozenset[str] = _lexicon(
    """note deny admit claim confirm announce acknowledge reveal report predict promise pledge
    vow disclose concede allege"""
)

# Nouns that report content when they have a that-clause ("Trump's claim that ...").
NOUN_CUES: frozenset[str] = _lexicon(
    """claim statement assertion remark comment argument view belief promise warning
    suggestion allegation insistence charge contention admission announcement prediction
    accusation pledge vow insistence criticism hope doubt complaint praise message estimate
    support opposition endorsement concern call attack view position"""
)

# Documents whose findings PolNeAR attributes to them ("in a CNN poll, ...").
REPORT_NOUNS: frozenset[str] = _lexicon("poll polls survey surveys study report analysis")

# Labels before a colon that head a section rather than name a speaker.
NON_SPEAKER_LABELS: frozenset[str] = _labels(
    """the latest|twitter|breaking|wow|byline|video|update|updates|question|answer|poll|plus|
    previously|name|look|hey|exclusive|email|delegate update|correction|editor's note|note|so|
    stat of the week|busted|boom|bombshell|photo|photos|watch|related|source|sources|read more|
    listen|transcript|background|bottom line|why it matters|what's next|q|a|and|but|also|
    breaking news|live|analysis|opinion|editorial|advertisement|read|see also"""
)

# Heads of noun phrases that denote an unnamed human source.
ANON_HEADS: frozenset[str] = _lexicon(
    """official officials source sources expert experts analyst analysts aide aides
    spokesman spokeswoman spokesperson diplomat diplomats insider insiders observer
    observers critic critics person people someone resident residents witness witnesses
    officer officers member members staffer staffers adviser advisers advisor advisors
    strategist strategists lawmaker lawmakers worker workers leader leaders supporter
    supporters voter voters activist activists"""
)

# Role nouns a definite description may use for a person named earlier.
ROLE_NOUNS: frozenset[str] = _lexicon(
    """minister president senator governor candidate nominee chairman chairwoman secretary
    spokesman spokeswoman spokesperson chief director leader mayor congressman
    congresswoman representative ambassador general commander judge attorney premier
    chancellor king queen prince pope businessman billionaire author professor host
    anchor founder ceo manager pollster"""
)

PERSON_PRONOUNS: frozenset[str] = frozenset({"he", "she", "i", "him", "her"})
GROUP_PRONOUNS: frozenset[str] = frozenset({"they", "it", "we", "them", "us"})
RELATIVE_PRONOUNS: frozenset[str] = frozenset({"who", "which", "that", "whom"})

_OPEN_CLOSE = {"“": "”", "‘": "’", "«": "»"}
_COLON_SOURCE = re.compile(r"^\W{0,2}(?P<src>[A-Z][\w.’'\- ]{0,58}?[\w.])\s*:\s+(?=\S)")


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of every double-quoted stretch, quote marks included.

    Curly quotes pair by direction; straight quotes (and ``''``) pair in order. Mixed typing
    (``“…,"`` or ``"…”``) pairs too when the paragraph holds no other mark of the closing kind
    (and the ``”`` closes no ``“`` opened inside the straight quote).
    A quote left open at a paragraph end runs on when the next paragraph opens
    with the same kind of quote mark (news style), else it closes at the paragraph end.

    Example:
        >>> quote_spans('He said “no way” and "yes".')
        [(8, 16), (21, 26)]
    """
    spans: list[tuple[int, int]] = []
    paras = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    open_at: int | None = None
    kind, inner = "", 0  # inner: curly pairs open inside a straight quote
    for n, (p0, p1) in enumerate(paras):
        i = p0
        while i < p1:
            two = text[i : i + 2]
            mark = "''" if two == "''" else text[i]
            step = len(mark) if mark == "''" else 1
            if mark == "“" and open_at is None:
                open_at, kind = i, "curly"
            elif mark in {"“", "”"} and kind == "straight" and (mark == "“" or inner):
                inner += 1 if mark == "“" else -1  # '"… “Equal Justice” …': a pair inside
            elif _closes(text, i, p1, mark, kind):
                spans.append((open_at, i + 1))  # type: ignore[arg-type]
                open_at, kind = None, ""
            elif mark in {'"', "''"} and kind in {"", "straight"}:
                if open_at is None:
                    open_at, kind, inner = i, "straight", 0
                else:
                    spans.append((open_at, i + step))
                    open_at, kind = None, ""
            i += step
        if open_at is not None:
            nxt = text[paras[n + 1][0] : paras[n + 1][0] + 2] if n + 1 < len(paras) else ""
            if (nxt[:1] == "“" and kind == "curly") or ((nxt[:1] == '"' or nxt == "''") and kind == "straight"):
                # news style: an unclosed quote reopens on the next paragraph (with the same mark)
                skip = 2 if nxt == "''" else 1
                text_next = paras[n + 1][0]
                paras[n + 1] = (text_next + skip, paras[n + 1][1])
            else:
                spans.append((open_at, p1))
                open_at, kind = None, ""
    if open_at is not None:
        spans.append((open_at, len(text)))
    return sorted(spans)


def _closes(text: str, i: int, para_end: int, mark: str, kind: str) -> bool:
    """``mark`` at ``i`` ends the open quote of ``kind``: ``”`` ends a curly one, or a straight one
    when no ``"`` comes later in the paragraph (``"work-related” emails``); ``"`` ends a curly one
    (``“No deal," she said``) when it follows a word or punctuation and no ``”`` comes later."""
    rest = text[i + 1 : para_end]
    if mark == "”":
        return kind == "curly" or (kind == "straight" and '"' not in rest)
    return mark == '"' and kind == "curly" and i > 0 and not text[i - 1].isspace() and "”" not in rest


def colon_source(sentence_text: str) -> tuple[int, int] | None:
    """Offsets of a short capitalised speaker label before a colon, if any.

    Example:
        >>> colon_source("WALLACE: Will she be there?")
        (0, 7)
        >>> colon_source("Here is the list: a, b.") is None
        True
    """
    match = _COLON_SOURCE.match(sentence_text)
    if not match:
        return None
    src = match.group("src")
    words = src.split()
    if len(words) > 5 or not all(w[:1].isupper() or w.lower() in {"of", "the"} for w in words):
        return None
    return match.start("src"), match.end("src")


def is_cue_lemma(lemma: str) -> bool:
    """True when ``lemma`` is a verb of saying/reporting/believing.

    Example:
        >>> is_cue_lemma("admit"), is_cue_lemma("eat")
        (True, False)
    """
    return lemma.lower() in CUE_LEMMAS
