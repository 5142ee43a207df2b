"""A memo standing in for the spaCy model's ``attribute_ruler`` + ``lemmatizer`` (same output, less work).

Both stock components are pure rules over what the tagger and parser left on each token, so a
token's POS, morph and lemma (and, for whitespace, its tag and dep) are a function of its *key*:

* the token's own ``(ORTH, TAG, DEP, POS, MORPH, LEMMA)`` before the rules run (LOWER and IS_SPACE,
  which the patterns also read, follow from ORTH; the rule lemmatizer reads ORTH, POS, MORPH and
  keeps a lemma already set);
* plus its neighbours' keys within ``longest pattern - 1`` tokens, when the token can be the
  target of a multi-token pattern (``there is``: POS of ``is`` depends on ``there``'s DEP) — known
  from the ruler's own patterns, and every token when a pattern is too general to tell.

A token seen before with the same key gets the recorded output; the new keys of a batch are
computed by the stock components themselves on one small Doc holding just their windows, then
recorded. Nothing else
is assumed: which tokens need neighbours is read from the loaded patterns, not hard-coded.

Example:
    >>> nlp = load_nlp()                       # doctest: +SKIP
    >>> [t.lemma_ for t in nlp("I saw two saws.")]  # doctest: +SKIP
    ['I', 'see', 'two', 'saw', '.']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from spacy.attrs import DEP, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

FACTORY = "sourced_token_memo"
STOCK = ("attribute_ruler", "lemmatizer")
# what the ruler's patterns may read for the key to hold: attributes of the token's own key (LOWER,
# TEXT, IS_SPACE follow from ORTH); anything else (OP, NORM, SPACY, ...) and the stock pipeline stays
_READABLE = frozenset({"ORTH", "TEXT", "LOWER", "IS_SPACE", "TAG", "DEP", "POS", "MORPH", "LEMMA"})
_IN_ATTRS = [ORTH, TAG, DEP, POS, MORPH, LEMMA]
Row = tuple[int, ...]  # one token's values of _IN_ATTRS
Out = tuple[int, int, int, int, int]  # TAG, DEP, POS, MORPH, LEMMA after the stock components
Key = Row | tuple[Row | None, ...]  # a token's row, or the rows of its window (None: past the doc's ends)


def _lower_test(spec: Any) -> Callable[[str], bool] | None:
    """A test on a token's lowercase text equivalent to a pattern's LOWER constraint (None: unknown)."""
    if isinstance(spec, str):
        return spec.__eq__
    if isinstance(spec, dict) and len(spec) == 1:
        ((op, arg),) = spec.items()
        if op == "IN":
            return frozenset(arg).__contains__
        if op == "REGEX":
            return lambda text: re.search(arg, text) is not None
    return None


def context_rules(patterns: list[dict[str, Any]]) -> tuple[int, list[Callable[[str], bool]] | None]:
    """From the ruler's patterns: how far a match can reach (tokens either side) and tests telling
    which lowercase texts can be the target of a multi-token pattern (None: any token can).

    Example:
        >>> radius, tests = context_rules([{"patterns": [[{"DEP": "expl"}, {"LOWER": "is"}]], "index": 1}])
        >>> radius, tests[0]("is"), tests[0]("was")
        (1, True, False)
    """
    longest = max((len(p) for rule in patterns for p in rule["patterns"]), default=1)
    tests: list[Callable[[str], bool]] = []
    for rule in patterns:
        for pattern in rule["patterns"]:
            if len(pattern) < 2:
                continue
            target = pattern[rule.get("index", 0)]
            test = _lower_test(target["LOWER"]) if "LOWER" in target else None
            if test is None:
                return longest - 1, None
            tests.append(test)
    return longest - 1, tests


class TokenMemo:
    """Sets each token's tag, dep, POS, morph and lemma as ``attribute_ruler`` then ``lemmatizer``
    would, looking the result up by the token's key (see the module) and asking them on a miss.
    At most ``max_size`` keys are kept (~0.6 kB each, estimated); past that, new keys are computed every time.

    Example:
        >>> memo = TokenMemo(nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer"))  # doctest: +SKIP
        >>> doc = memo(doc_after_parser)                                                  # doctest: +SKIP
    """

    def __init__(self, ruler: Any, lemmatizer: Any, max_size: int = 100_000) -> None:
        self.ruler, self.lemmatizer, self.max_size = ruler, lemmatizer, max_size
        self.radius, self._tests = context_rules(ruler.patterns)
        self._needs_context: dict[int, bool] = {}
        self._memo: dict[Key, Out] = {}
        self.hits = self.misses = 0

    def clear(self) -> None:
        """Forget every recorded output (and the hit counts)."""
        self._memo.clear()
        self.hits = self.misses = 0

    def _in_context(self, lower: int, doc: Doc) -> bool:
        known = self._needs_context.get(lower)
        if known is None:
            text = doc.vocab.strings[lower]
            known = self._tests is None or any(test(text) for test in self._tests)
            self._needs_context[lower] = known
        return known

    def _compute(self, vocab: Any, todo: dict[Key, tuple[list[Row], int]]) -> dict[Key, Out]:
        """The stock components' output for the centre of each window, all windows in one Doc.

        Windows side by side do not change a centre's output: every match covering the centre lies
        within its window (a context token's window reaches as far as the longest pattern; any
        other token is matched by single-token patterns only, as no multi-token pattern targets it).
        """
        rows = [row for window, _at in todo.values() for row in window]
        centres, offset = [], 0
        for window, at in todo.values():
            centres.append(offset + at)
            offset += len(window)
        mini = Doc(vocab, words=[vocab.strings[r[0]] for r in rows], spaces=[False] * len(rows))
        for token, (_orth, tag, dep, pos, morph, lemma) in zip(mini, rows, strict=True):
            token.tag, token.dep, token.pos, token.lemma = tag, dep, pos, lemma
            if morph:
                token.set_morph(morph)  # type: ignore[attr-defined]  # not in spaCy's stubs
        mini = self.lemmatizer(self.ruler(mini))
        found = {}
        for key, at in zip(todo, centres, strict=True):
            t = mini[at]
            found[key] = (t.tag, t.dep, t.pos, t.morph.key, t.lemma)
        room = self.max_size - len(self._memo)
        self._memo.update(found if room >= len(found) else dict(list(found.items())[: max(room, 0)]))
        return found

    def _keys(self, doc: Doc, todo: dict[Key, tuple[list[Row], int]]) -> tuple[list[Row], list[Key]]:
        """Each token's row and key; the windows of keys not yet known are added to ``todo``."""
        arr = doc.to_array([*_IN_ATTRS, LOWER]).tolist()
        rows: list[Row] = [tuple(r[:-1]) for r in arr]
        n, radius, memo = len(rows), self.radius, self._memo
        keys: list[Key] = []
        for i, row in enumerate(rows):
            key: Key = row
            lo, hi = i, i + 1
            if radius and self._in_context(arr[i][-1], doc):
                lo, hi = max(0, i - radius), min(n, i + radius + 1)
                key = (*([None] * (lo - (i - radius))), *rows[lo:hi], *([None] * (i + radius + 1 - hi)))
            keys.append(key)
            if key not in memo and key not in todo:
                todo[key] = (rows[lo:hi], i - lo)
        return rows, keys

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Process docs by batches: the unknown keys of a batch are computed together."""
        for batch in minibatch(docs, size=batch_size):
            yield from self._batch(batch)

    def __call__(self, doc: Doc) -> Doc:
        return self._batch([doc])[0]

    def _batch(self, docs: list[Doc]) -> list[Doc]:
        todo: dict[Key, tuple[list[Row], int]] = {}
        plans = [(doc, *self._keys(doc, todo)) for doc in docs]
        found = self._compute(docs[0].vocab, todo) if todo else {}
        self.misses += len(todo)
        memo = self._memo
        for doc, rows, keys in plans:
            self.hits += len(keys)  # less the misses, below
            for token, row, key in zip(doc, rows, keys, strict=True):
                tag, dep, pos, morph, lemma = memo.get(key) or found[key]
                if tag != row[1]:
                    token.tag = tag
                if dep != row[2]:
                    token.dep = dep
                token.pos, token.lemma = pos, lemma
                if morph != row[4]:
                    token.set_morph(morph or None)  # type: ignore[attr-defined]
        self.hits -= len(todo)
        return docs


@Language.factory(FACTORY)
def make_token_memo(nlp: Language, name: str) -> TokenMemo:
    """The memo over the pipeline's own (disabled) ``attribute_ruler`` and ``lemmatizer``."""
    return TokenMemo(nlp.get_pipe(STOCK[0]), nlp.get_pipe(STOCK[1]))


def supported(nlp: Language) -> bool:
    """Whether the memo provably reproduces this pipeline's stock components (see the module).

    Example:
        >>> supported(load_nlp(memo=False))  # doctest: +SKIP
        True
    """
    names = nlp.pipe_names
    if STOCK[0] not in names or names[names.index(STOCK[0]) : names.index(STOCK[0]) + 2] != list(STOCK):
        return False
    ruler, lemmatizer = (cast(Any, nlp.get_pipe(name)) for name in STOCK)
    read = {attr for rule in ruler.patterns for p in rule["patterns"] for token in p for attr in token}
    return read <= _READABLE and getattr(lemmatizer, "mode", None) in ("rule", "lookup")


def install(nlp: Language) -> Language:
    """Put the memo in place of the stock components (kept, disabled, for its misses); a pipeline
    the memo is not known to reproduce is returned unchanged.

    Example:
        >>> install(spacy.load("en_core_web_sm")).pipe_names[-2:]  # doctest: +SKIP
        ['sourced_token_memo', 'ner']
    """
    if not supported(nlp):
        return nlp
    nlp.add_pipe(FACTORY, before=STOCK[0])
    for name in STOCK:
        nlp.disable_pipe(name)
    return nlp
