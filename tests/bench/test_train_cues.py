"""Training the cue model: labels from annotations, and a fit that learns from them."""

from __future__ import annotations

from bench._polnear import GoldAttribution
from bench.train_cues import examples, fit
from index.types import Article, Sentence


def _article(*sentences: str) -> tuple[Article, list[Sentence]]:
    text = " ".join(sentences)
    out, pos = [], 0
    for i, s in enumerate(sentences):
        start = text.index(s, pos)
        out.append(Sentence("a", i, start, start + len(s), s))
        pos = start + len(s)
    return Article("a", "", text), out


def test_examples_label_annotated_cues_whose_subject_is_the_source(nlp) -> None:  # type: ignore[no-untyped-def]
    art, sents = _article("Asif said the war was lost.", "The army fought on.", "He added “we knew it.”")
    text = art.text
    said, asif = text.index("said"), text.index("Asif")
    gold = [GoldAttribution(source=((asif, asif + 4),), cue=((said, said + 4),), content=())]
    rows = examples(art, sents, [nlp(s.text) for s in sents], gold)
    labels = {next(f for f in feats if f.startswith("l=") and "|" not in f): lab for feats, lab in rows}
    assert labels["l=say"] is True and labels["l=fight"] is False
    # "added" is unannotated here, so negative; verbs inside the quotation are not examples
    assert labels["l=add"] is False and "l=know" not in labels


def test_fit_learns_which_features_mark_a_cue() -> None:
    rows = [(["b", "l=say", "c=ccomp"], True)] * 20 + [(["b", "l=eat", "c=dobj"], False)] * 20
    rows += [(["b", "l=say", "c=dobj"], True)] * 5 + [(["b", "l=eat", "c=ccomp"], False)] * 5
    model = fit(rows, c=1.0, min_count=1)
    assert model.probability(["b", "l=say", "c=dobj"]) > 0.8
    assert model.probability(["b", "l=eat", "c=ccomp"]) < 0.2
    assert fit(rows, c=1.0, min_count=100).weights.keys() <= {"b"}  # rare features are dropped


def test_parse_cache_is_reused_and_redone_when_stale(tmp_path, nlp) -> None:  # type: ignore[no-untyped-def]
    from bench.attribution import parse_articles

    cache = tmp_path / "parses" / "x.spacy"
    art = Article("a", "", "Asif said the war was lost. The army fought on.")
    ((_, sents, docs),) = parse_articles([art], cache)
    assert cache.exists() and [d.text for d in docs] == [s.text for s in sents]
    ((_, _, again),) = parse_articles([art], cache)
    assert [t.dep_ for t in again[0]] == [t.dep_ for t in docs[0]]
    changed = Article("a", "", "Khan denied it. Nobody agreed.")
    ((_, _, fresh),) = parse_articles([changed], cache)
    assert [d.text for d in fresh] == ["Khan denied it.", "Nobody agreed."]
