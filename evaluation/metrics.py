"""Pure scoring functions: normalisation, answer and citation correctness, claim support.

Rules (also in ``eval/README.md``):

* **Answer**: correct when the response is not a refusal and one gold answer, normalised
  (NFKC, curly quotes straightened, lower case, punctuation to spaces, whitespace collapsed),
  occurs in the normalised response as a whole-word sequence. Extra accepted forms: the answer
  without a leading "The" ("New York Post"), and for a person the surname alone: the last word
  of a multi-word answer when it is capitalised, not a stopword or suffix (Jr., III), not an
  acronym, and the answer does not start with "The" nor contain an organisation word
  ("The New York Post", "Balochistan Liberation Army" get no surname form).
* **Citation**: correct when the cited sentence overlaps a gold evidence span. If the
  evidence has article_id+start+end and the citation has valid offsets, the rule is by offsets:
  same article and the half-open ranges intersect. Otherwise by text: normalised containment
  either way (the contained side needs >= 3 words), or token-set overlap
  ``|A & B| / max(|A|, |B|) >= 0.5``.
* **Supported claims** (ALCE-style): the answer is split into sentences, ``[n]`` markers
  stripped; each claim is judged against the sentences its markers cite (all citations when the
  answer has no markers at all); a claim without markers is unsupported.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence

from assistant import Citation, Hit, Judge
from evaluation.gold import Evidence

log = logging.getLogger(__name__)

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"',
                         "„": '"', "‟": '"', "–": "-", "—": "-"})
_PUNCT = re.compile(r"[^\w\s]|_")
_SPACE = re.compile(r"\s+")
_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_SENT_END = re.compile(r"[.!?][\"'”’)]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s|$)")
_WORD = re.compile(r"[\w'’-]+")

STOPWORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have",
        "he", "her", "his", "i", "in", "is", "it", "its", "of", "on", "or", "our", "she",
        "that", "the", "their", "them", "they", "this", "to", "was", "we", "were", "who",
        "will", "with", "you",
    )
)
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
ORG_WORDS = frozenset(
    (
        "agency", "army", "association", "bank", "board", "brigade", "bureau", "campaign",
        "center", "centre", "college", "commission", "committee", "company", "congress", "corp",
        "corporation", "corps", "council", "court", "department", "force", "forces",
        "foundation", "front", "government", "group", "inc", "institute", "journal", "league",
        "ltd", "ministry", "network", "news", "office", "organisation", "organization", "party",
        "police", "post", "press", "radio", "senate", "service", "society", "state", "times",
        "tribune", "union", "university",
    )
)

MIN_CONTAINED_WORDS = 3
TOKEN_OVERLAP = 0.5


def normalise(text: str) -> str:
    """Case, curly quotes, punctuation and whitespace normalised.

    Example:
        >>> normalise("  “Asif’s”  REMARKS, ok?")
        'asif s remarks ok'
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def contains_words(haystack: str, needle: str) -> bool:
    """Whole-word containment of two already normalised strings.

    Example:
        >>> contains_words("the bla said", "bla"), contains_words("blast", "bla")
        (True, False)
    """
    return bool(needle) and f" {needle} " in f" {haystack} "


def strip_markers(text: str) -> str:
    """Remove ``[n]`` citation markers.

    Example:
        >>> strip_markers("Asif said so [1][2].")
        'Asif said so.'
    """
    return _MARKER.sub("", text).strip()


def surname(answer: str) -> str | None:
    """The surname form accepted for a person's name, or None (see module rules).

    Example:
        >>> surname("Khawaja Asif"), surname("The New York Post"), surname("BLA")
        ('Asif', None, None)
    """
    words = [w.strip("'’-") for w in _WORD.findall(unicodedata.normalize("NFKC", answer))]
    words = [w for w in words if w]
    while len(words) > 1 and words[-1].lower().rstrip(".") in NAME_SUFFIXES:
        words.pop()
    if len(words) < 2 or words[0].lower() == "the":
        return None
    last = re.sub(r"['’]s$", "", words[-1])
    if not last[:1].isupper() or (last.isupper() and len(last) > 1) or len(last) < 2:
        return None
    if last.lower() in STOPWORDS or any(w.lower() in ORG_WORDS for w in words):
        return None
    return last


def answer_forms(answer: str) -> set[str]:
    """Every normalised form of one gold answer that counts as a match.

    Example:
        >>> sorted(answer_forms("The New York Post"))
        ['new york post', 'the new york post']
    """
    forms = {normalise(answer)}
    words = answer.split()
    if len(words) > 1 and words[0].lower() == "the":
        forms.add(normalise(" ".join(words[1:])))
    last = surname(answer)
    if last:
        forms.add(normalise(last))
    return {f for f in forms if f}


def answer_correct(response: str, answers: Sequence[str]) -> bool:
    """True when one gold answer (or an accepted form of it) occurs in the response.

    Example:
        >>> answer_correct("Defence Minister Asif admitted it [1].", ["Khawaja Asif"])
        True
    """
    text = normalise(strip_markers(response))
    return any(contains_words(text, form) for a in answers for form in answer_forms(a))


def text_overlaps(cited: str, gold: str) -> bool:
    """Text rule for citation correctness (containment either way, or token overlap >= 0.5).

    Example:
        >>> text_overlaps("Asif told the National Assembly.", "Asif told the National Assembly")
        True
    """
    a, b = normalise(cited), normalise(gold)
    if not a or not b:
        return False
    for outer, inner in ((a, b), (b, a)):
        if len(inner.split()) >= MIN_CONTAINED_WORDS and contains_words(outer, inner):
            return True
    ta, tb = set(a.split()), set(b.split())
    return len(ta & tb) / max(len(ta), len(tb)) >= TOKEN_OVERLAP


def span_matches(article_id: str, start: int, end: int, text: str, evidence: Evidence) -> bool:
    """Does one cited/retrieved sentence overlap one gold evidence span? (offsets, else text)

    Example:
        >>> gold = Evidence(text="Hello", article_id="a", start=0, end=5)
        >>> span_matches("a", 0, 6, "Hello.", gold)
        True
    """
    if evidence.has_offsets and article_id and 0 <= start < end:
        assert evidence.start is not None and evidence.end is not None
        return (article_id == evidence.article_id
                and start < max(evidence.end, evidence.start + 1) and evidence.start < end)
    return text_overlaps(text, evidence.text)


def citation_correct(citation: Citation, evidence: Sequence[Evidence]) -> bool:
    """True when the cited sentence overlaps any gold evidence span.

    Example:
        >>> c = Citation(1, "a", "T", "Hello.", 0, 6, 0.9)
        >>> citation_correct(c, [Evidence(text="Hello.", article_id="a", start=0, end=6)])
        True
    """
    return any(
        span_matches(citation.article_id, citation.start, citation.end, citation.sentence, ev)
        for ev in evidence
    )


def retrieval_recall(
    retrieved: Sequence[Hit], evidence: Sequence[Evidence], k: int
) -> float | None:
    """Share of gold evidence spans overlapped by one of the top-k hits (None without evidence).

    Example:
        >>> from index.types import Sentence
        >>> hit = Hit(Sentence("a", 0, 0, 6, "Hello."), 0.9)
        >>> retrieval_recall([hit], [Evidence(text="Hello.", article_id="a", start=0, end=6)], 1)
        1.0
    """
    if not evidence:
        return None
    top = [h.sentence for h in retrieved[:k]]
    found = sum(any(span_matches(s.article_id, s.start, s.end, s.text, ev) for s in top)
                for ev in evidence)
    return found / len(evidence)


def split_claims(text: str) -> list[tuple[str, set[int]]]:
    """Answer sentences with their marker numbers, markers stripped.

    Example:
        >>> split_claims("Asif admitted it [1]. He spoke to the Assembly [2].")
        [('Asif admitted it.', {1}), ('He spoke to the Assembly.', {2})]
    """
    claims: list[tuple[str, set[int]]] = []
    start = 0
    pieces = [m.end() for m in _SENT_END.finditer(text)] + [len(text)]
    for end in pieces:
        chunk = text[start:end]
        start = end
        numbers = {int(n) for group in _MARKER.findall(chunk) for n in group.split(",")}
        claim = strip_markers(chunk)
        claim = re.sub(r"\s+([.!?])", r"\1", claim)
        if normalise(claim):
            claims.append((claim, numbers))
    return claims


def supported_claim_rate(
    text: str, citations: Sequence[Citation], judge: Judge | None, threshold: float = 0.5
) -> float | None:
    """Share of answer claims the judge finds supported by their cited sentences.

    None when there is no judge, no claim, or the judge fails.

    Example:
        >>> class Yes:
        ...     def support(self, claim, evidence): return 0.9 if evidence else 0.0
        >>> c = Citation(1, "a", "T", "Asif admitted it.", 0, 17, 0.9)
        >>> supported_claim_rate("Asif admitted it [1]. Nobody knows.", [c], Yes())
        0.5
    """
    if judge is None:
        return None
    claims = split_claims(text)
    if not claims:
        return None
    by_number = {c.n: c.sentence for c in citations}
    any_markers = any(numbers for _, numbers in claims)
    supported = 0
    try:
        for claim, numbers in claims:
            if any_markers:
                evidence = [by_number[n] for n in sorted(numbers) if n in by_number]
            else:
                evidence = [c.sentence for c in citations]
            if evidence and judge.support(claim, evidence) >= threshold:
                supported += 1
    except Exception:  # a judge failure must not sink the evaluation
        log.exception("judge failed; supported-claim rate left empty for this item")
        return None
    return supported / len(claims)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values.

    Example:
        >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
        2.5
    """
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
