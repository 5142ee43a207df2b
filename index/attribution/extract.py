"""The attribution index: who said what, with exact character offsets.

``extract_attributions`` parses an article's sentences with spaCy (:mod:`index.attribution.nlp`),
finds cue / source / content triples (:mod:`index.attribution.parse`), widens contents to
whole quotations that run over several sentences, and resolves each source to
a speaker (:mod:`index.attribution.resolve`). The records it returns are in
:mod:`index.attribution.records`.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc

from index.attribution.continuation import continuations
from index.attribution.coref import in_subordinate_clause, observe_sentence
from index.attribution.coref_rank import CandidateRanker
from index.attribution.cue_model import CueModel, default_model
from index.attribution.cues import colon_source, quote_spans
from index.attribution.nlp import load_nlp, parse_text  # noqa: F401  (load_nlp: the doctests use it)
from index.attribution.parse import Candidate, find_candidates
from index.attribution.records import Attribution, Span
from index.attribution.resolve import mention_descriptor, person_mentions, resolve_source
from index.attribution.spans import precedes_marker
from index.attribution.speakers import SpeakerBook, find_acronyms
from index.types import Article, Sentence

log = logging.getLogger(__name__)
_LINK_LINE = re.compile(r"(?:WATCH|READ MORE|RELATED|MORE|LISTEN|VIDEO|CLICK HERE)\s*:", re.I)


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def _sentences_overlapping(sentences: Sequence[Sentence], start: int, end: int) -> tuple[int, ...]:
    return tuple(s.index for s in sentences if s.start < end and start < s.end)


def _present_tense(doc: Doc) -> bool:
    """The main verbs (root and its conjuncts, with their auxiliaries) carry present tense or a modal."""
    mains = [t for t in doc if t.dep_ == "ROOT" or (t.dep_ == "conj" and t.head.dep_ == "ROOT")]
    tags = {t.tag_ for v in mains for t in (v, *v.children) if t is v or t.dep_ in {"aux", "auxpass"}}
    return bool(tags & {"VBZ", "VBP", "MD"})


class _ArticleExtractor:
    """Stateful pass over one article's sentences in reading order."""

    def __init__(
        self, article: Article, sentences: Sequence[Sentence], model: CueModel | None, ranker: CandidateRanker | None
    ) -> None:
        self.article = article
        self.model = model
        self.sentences = sentences
        self.text = article.text
        self.quotes = quote_spans(article.text)
        self.book = SpeakerBook(acronyms=find_acronyms(article.text))
        self.book.coref.ranker = ranker
        self.out: list[Attribution] = []
        self.entities: list[int | None] = []  # the person each attribution's speaker is, if known
        self.docs: dict[int, Doc] = {}  # every sentence's parse, for looking ahead in a paragraph
        self.cueless: set[int] = set()
        self.present: set[int] = set()
        self.paragraphs = [m.start() for m in re.finditer(r"[^\n]+", self.text)]

    def _quote_content(self, sent: Sentence, cand: Candidate) -> tuple[int, int] | None:
        """Quoted stretch(es) touching the sentence, if the cue stands outside them."""
        cue_at = sent.start + cand.cue[0]
        touching = [(a, b) for a, b in self.quotes if a < sent.end and sent.start < b]
        if not touching or any(a <= cue_at < b for a, b in touching):
            return None
        start, end = touching[0][0], touching[-1][1]
        if cand.content is not None:
            c0, c1 = sent.start + cand.content[0], sent.start + cand.content[1]
            inside = sum(min(b, c1) - max(a, c0) for a, b in touching if a < c1 and c0 < b)
            if inside <= 0:
                return None
            if inside < 0.5 * (c1 - c0):  # a quoted phrase inside an indirect claim
                return (c0, end) if end > c1 else None
            if c0 < start and len(self.text[c0:start].split()) >= 2:  # 'Her time has been "tough"'
                return c0, max(end, c1)
        return start, end

    def _observe(self, sent: Sentence, doc: Doc) -> None:
        """Note the people and organisations the sentence names, for later pronouns and descriptions."""
        para = bisect.bisect_right(self.paragraphs, sent.start) - 1
        opens = self.text[self.paragraphs[para] : self.paragraphs[para] + 2].lstrip().startswith(("“", '"', "‘"))
        self.book.coref.at(sent.index, para, opens)
        people = []
        for ent in person_mentions(doc):
            self.book.person_mentions.append((sent.start + ent.start_char, ent.text))
            people.append((ent, self.book.add_person_id(ent.text, mention_descriptor(ent))))
        observe_sentence(self.book.coref, doc, sent.start, self._quoted, people)
        self.book.intros.observe(doc, sent.start, para, self._quoted)
        for ent in doc.ents:
            pos = sent.start + ent.start_char
            if ent.label_ == "ORG":
                self.book.org_names.add(ent.text)
            if ent.label_ == "ORG" and ent.root.dep_ in {"nsubj", "nsubjpass"} and not self._quoted(pos):
                self.book.note_org(pos, ent.text)

    def add_sentence(self, sent: Sentence, doc: Doc) -> None:
        para = self.paragraphs[bisect.bisect_right(self.paragraphs, sent.start) - 1]
        if _LINK_LINE.match(self.text, para):  # "WATCH: …", "READ MORE: …": a link, not the story
            return
        self._observe(sent, doc)
        label = self._speaker_label(sent)
        cands = find_candidates(doc, self.model, speaker_label=label, quoted=lambda at: self._quoted(sent.start + at))
        later = self._later_cue(sent) if any(c.cue_text == ":" for c in cands) and not label else None
        if later is not None and later[1]:  # "FED TALK: … Powell said": a heading, not a speaker
            cands = [c for c in cands if not (c.cue_text == ":" and c.source_text.isupper())]
        for cand in cands:
            quoted = self._quote_content(sent, cand)
            if cand.cue_text == ":":  # transcript label: the speaker holds the paragraph
                start = sent.start + cand.content[0]  # type: ignore[index]
                para_end = self.text.find("\n", sent.start)
                end = len(self.text.rstrip()) if para_end < 0 else para_end
                if later is not None and later[1]:  # … up to the paragraph's next named source
                    end = max(start, self.sentences[later[0] - 1].end)
            elif quoted is not None:
                start, end = quoted
            elif cand.content == precedes_marker() or self._after_question(sent, cand):
                # "“…?” / he said." or "“…?” / Trump said, …": the quotation before
                before = self._previous_quote(sent)
                if before is None:
                    continue
                start, end = before
            elif cand.content is not None and cand.content[0] == cand.content[1]:  # "X said:"
                nxt = self._next_sentence(sent)
                if nxt is None:
                    continue
                start, end = nxt.start, nxt.end
            elif cand.content is not None:
                start, end = sent.start + cand.content[0], sent.start + cand.content[1]
            else:
                continue
            src = None
            if cand.source is not None:
                src = _span(self.text, sent.start + cand.source[0], sent.start + cand.source[1])
            at = src.start if src is not None else sent.start + cand.cue[0]
            found = resolve_source(cand.source_tokens, self.book, at)
            speaker, kind = found.speaker, found.kind
            self.book.remember(speaker, kind, found.is_person)
            if found.entity is not None:
                if any(t.pos_ == "PROPN" for t in cand.source_tokens):
                    self.book.coref.note_named(found.entity, at)
                cue = next((t for t in doc if t.idx >= cand.cue[0]), None)
                if cue is None or not in_subordinate_clause(cue):  # "Although Trump tweeted …"
                    self.book.coref.note_speaker(found.entity)
            self.entities.append(found.entity)
            self.out.append(
                Attribution(
                    article_id=self.article.id,
                    cue_sentence=sent.index,
                    source=src,
                    cue=_span(self.text, sent.start + cand.cue[0], sent.start + cand.cue[1]),
                    content=_span(self.text, start, end),
                    speaker=speaker,
                    speaker_kind=kind,
                    content_sentences=_sentences_overlapping(self.sentences, start, end) or (sent.index,),
                )
            )
        if not cands:
            self.cueless.add(sent.index)
            if _present_tense(doc):
                self.present.add(sent.index)

    def finish(self) -> list[Attribution]:
        """One name per person: each attribution gets the fullest description of its speaker."""
        for i, (a, entity) in enumerate(zip(self.out, self.entities, strict=True)):
            if entity is not None and a.speaker_kind == "named":
                self.out[i] = replace(a, speaker=self.book.people[entity][1])
        self._continue_passages()
        return sorted(self.out, key=lambda a: (a.cue_sentence, a.cue.start))

    def _is_quoted(self, a: Attribution) -> bool:
        inside = sum(max(0, min(b, a.content.end) - max(q, a.content.start)) for q, b in self.quotes)
        return inside > 0.5 * max(1, a.content.end - a.content.start)

    def _continue_passages(self) -> None:
        """Cue-less sentences that carry on a quotation or reported passage inherit its speaker."""
        spans = [(s.index, s.start, s.end) for s in self.sentences]
        keys = [(a.cue_sentence, a.content_sentences, self._is_quoted(a)) for a in self.out]
        by_index = {s.index: s for s in self.sentences}
        for index, n in continuations(self.text, spans, keys, self.cueless, self.present, self.quotes):
            a, sent = self.out[n], by_index[index]
            if a.speaker_kind == "unresolved":
                continue
            self.out.append(
                Attribution(
                    article_id=a.article_id, cue_sentence=index, source=None,
                    cue=Span(sent.start, sent.start, ""), content=_span(self.text, sent.start, sent.end),
                    speaker=a.speaker, speaker_kind=a.speaker_kind, content_sentences=(index,),
                )
            )  # fmt: skip

    def _speaker_label(self, sent: Sentence) -> bool:
        """``sent`` opens with a label the article uses for a speaker, not a section heading: one
        that opens two or more paragraphs (a transcript) or names a person met before (``PENCE:``)."""
        rng = colon_source(sent.text)
        if rng is None:
            return False
        label = sent.text[rng[0] : rng[1]]
        opener = re.compile(r"^\W{0,2}" + re.escape(label) + r"\s*:", re.M)
        return len(opener.findall(self.text)) >= 2 or self.book.lookup_person(label) is not None

    def _later_cue(self, sent: Sentence) -> tuple[int, bool] | None:
        """The next sentence of ``sent``'s paragraph (by position in the sentence list) that holds
        a cue of its own, and whether that cue's source is a name."""
        pos = next(i for i, s in enumerate(self.sentences) if s is sent)
        for i in range(pos + 1, len(self.sentences)):
            nxt = self.sentences[i]
            if "\n" in self.text[sent.start : nxt.start] or nxt.index not in self.docs:
                return None
            cands = [c for c in find_candidates(self.docs[nxt.index], self.model) if c.cue_text != ":"]
            if cands:
                return i, any(t.pos_ == "PROPN" for c in cands for t in c.source_tokens)
        return None

    def _after_question(self, sent: Sentence, cand: Candidate) -> bool:
        """``“…?” Trump said, looking out at the crowd.`` cut after the question mark: the sentence
        opens with its source and cue, holds no quotation, and a ``?”`` or ``!”`` quotation ends
        right before it."""
        if cand.source is None or cand.source[0] != 0 or cand.cue[0] - cand.source[1] > 1:
            return False
        if sent.text[cand.cue[1] : cand.cue[1] + 1] not in {",", "."}:
            return False
        if any(a < sent.end and sent.start < b for a, b in self.quotes):
            return False
        before = self.text[: sent.start].rstrip()
        return before.endswith(("?”", "!”", '?"', '!"')) and self._previous_quote(sent) is not None

    def _previous_quote(self, sent: Sentence) -> tuple[int, int] | None:
        """The quotation that ends right before ``sent`` in its paragraph, if any."""
        gap = self.text[: sent.start].rstrip()
        if "\n" in self.text[len(gap) : sent.start]:
            return None
        ending = [(a, b) for a, b in self.quotes if len(gap) - 2 <= b <= len(gap) and a < b]
        return ending[-1] if ending else None

    def _next_sentence(self, sent: Sentence) -> Sentence | None:
        return next((s for s in self.sentences if s.index == sent.index + 1), None)

    def _quoted(self, pos: int) -> bool:
        return any(a < pos < b - 1 for a, b in self.quotes)


def attributions_from_docs(
    article: Article,
    sentences: Sequence[Sentence],
    docs: Iterable[Doc],
    model: CueModel | Literal["default"] | None = "default",
    ranker: CandidateRanker | None = None,
    record: list | None = None,
) -> list[Attribution]:
    """Extract attributions from already-parsed sentences (one ``Doc`` per sentence).

    ``model`` decides verb cues beyond the lexicon (``"default"``: the shipped one;
    ``None``: the lexicon rules alone). ``ranker`` scores the people a pronoun or description may
    stand for where the coreference rules are unsure (``None``: the rules alone); ``record``
    collects the ranker's training groups (named sources standing in for pronouns).
    """
    ex = _ArticleExtractor(article, sentences, default_model() if isinstance(model, str) else model, ranker)
    ex.book.coref.record = record
    docs = list(docs)
    ex.docs = {s.index: d for s, d in zip(sentences, docs, strict=True)}
    for sent, doc in zip(sentences, docs, strict=True):
        ex.add_sentence(sent, doc)
    return ex.finish()


def extract_attributions(
    article: Article,
    sentences: Sequence[Sentence],
    nlp: Language,
    model: CueModel | Literal["default"] | None = "default",
    ranker: CandidateRanker | None = None,
) -> list[Attribution]:
    """Who said what in ``article``; ``sentences`` must cover its text in order.

    Example:
        >>> art = Article("a1", "", "Asif said the war was lost.")
        >>> extract_attributions(art, [Sentence("a1", 0, 0, 27, art.text)], load_nlp())[0].speaker
        'Asif'
    """
    docs = nlp.pipe([parse_text(s.text) for s in sentences], batch_size=64)
    return attributions_from_docs(article, sentences, docs, model, ranker)


def extract_many(
    items: Iterable[tuple[Article, Sequence[Sentence]]],
    nlp: Language,
    batch_size: int = 128,
    model: CueModel | Literal["default"] | None = "default",
) -> Iterator[tuple[Article, list[Attribution]]]:
    """Stream attributions for many articles, parsing all sentences in one ``nlp.pipe``.

    Example:
        >>> next(extract_many([(art, sents)], load_nlp()))[1]   # doctest: +SKIP
        [...]
    """
    pairs = list(items)
    texts = (parse_text(s.text) for _art, sents in pairs for s in sents)
    docs = nlp.pipe(texts, batch_size=batch_size)
    for art, sents in pairs:
        mine = [next(docs) for _ in sents]
        yield art, attributions_from_docs(art, sents, mine, model)
