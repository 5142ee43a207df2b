"""Attribution benchmark: span P/R/F1 on PolNeAR, who-said accuracy and citation precision on
PolNeAR dev and GGT dev, beside dense retrieval.

Run: ``python -m bench.attribution --split dev [--shared PATH] [--limit N] [--out FILE]``
(``--spans-only`` skips the slow who-said part). GGT dev (Canadian news, ``data/ggt``) is scored beside
PolNeAR dev, sliced by its tags (``--no-ggt`` skips it).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from assistant.attribution_qa import EMBED_WEIGHT, NO_MATCH_THRESHOLD
from assistant.offline import use_offline_env
from bench._polnear import (
    load_articles,
    load_ggt_articles,
    load_ggt_questions,
    load_gold,
    load_questions,
    shared_dir,
)
from bench.who_said import is_correct, score_questions, summarise
from index.attribution import Attribution, attributions_from_docs, load_nlp, parse_text
from index.attribution.coref_rank import CandidateRanker, default_ranker
from index.embed import Embedder, MiniLMEmbedder
from index.segment import split_sentences
from index.types import Article, Sentence

use_offline_env()
log = logging.getLogger("bench.attribution")

Pieces = tuple[tuple[int, int], ...]
POLNEAR_SLICES = ("clean", "direct_quote", "indirect_quote")
RESCORE_SWEEP = (0, 1, 2, 3, 5, 8)
MARGIN_SWEEP = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, float("inf"))  # rescore only when the lead is below  # claims re-ranked by their encoded contents after the sentence-vector ranking
GGT_SLICES = (
    "speaker_name", "speaker_pronoun", "speaker_nominal", "speaker_none",
    "direct_quote", "indirect", "named", "anonymous",
)  # fmt: skip


SEGMENTER = "index.segment.split_sentences"


def _sentences(article_id: str, text: str) -> list[Sentence]:
    """The project's sentence spans, as the attribution extractor receives them."""
    return [Sentence(article_id, i, s, e, text[s:e]) for i, (s, e) in enumerate(split_sentences(text))]


Parsed = list[tuple[Article, list[Sentence], list[Doc]]]


def parse_articles(articles: Sequence[Article], cache: Path | None = None) -> Parsed:
    """Each article with the project's sentences and their spaCy parses (one ``nlp.pipe``).

    ``cache``: a DocBin file that keeps the parses between runs; redone when stale.
    """
    from spacy.tokens import DocBin

    nlp = load_nlp()
    sents = [_sentences(a.id, a.text) for a in articles]
    texts = [parse_text(s.text) for lst in sents for s in lst]
    docs: list[Doc] = []
    if cache is not None and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if [d.text for d in docs] != texts:  # the segmenter or the corpus changed since
            log.warning("cached parses %s are stale; parsing again", cache)
            docs = []
    if not docs:
        log.warning("parsing %d sentences…", len(texts))
        docs = list(nlp.pipe(texts, batch_size=128))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            store = DocBin(store_user_data=False)
            for d in docs:
                store.add(d)
            store.to_disk(cache)
    it = iter(docs)
    return [(art, lst, [next(it) for _ in lst]) for art, lst in zip(articles, sents, strict=True)]


def _prf(pred: list[tuple[str, Pieces]], gold: list[tuple[str, Pieces]], exact: bool) -> dict:
    def hit(a: Pieces, b: Pieces) -> bool:
        if exact:
            return (a[0][0], a[-1][1]) == (b[0][0], b[-1][1])
        return any(x0 < y1 and y0 < x1 for x0, x1 in a for y0, y1 in b)

    by_art: dict[str, list[Pieces]] = {}
    for art, g in gold:
        by_art.setdefault(art, []).append(g)
    pred_by: dict[str, list[Pieces]] = {}
    for art, p in pred:
        pred_by.setdefault(art, []).append(p)
    tp_p = sum(any(hit(p, g) for g in by_art.get(art, [])) for art, p in pred)
    tp_r = sum(any(hit(p, g) for p in pred_by.get(art, [])) for art, g in gold)
    prec = tp_p / len(pred) if pred else 0.0
    rec = tp_r / len(gold) if gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {
        "p": round(100 * prec, 1),
        "r": round(100 * rec, 1),
        "f1": round(100 * f1, 1),
        "n_pred": len(pred),
        "n_gold": len(gold),
    }


def span_scores(attrs: dict[str, list[Attribution]], gold: dict) -> dict:
    """Source (exact, overlap), cue and content (overlap) P/R/F1 against the annotations."""
    out = {}
    for role in ("source", "cue", "content"):
        pred = [
            (art, ((getattr(a, role).start, getattr(a, role).end),))
            for art, lst in attrs.items()
            for a in lst
            if getattr(a, role) is not None and getattr(a, role).end > getattr(a, role).start
        ]
        g = [
            (art, getattr(ga, role))
            for art, lst in gold.items()
            if art in attrs
            for ga in lst
            if getattr(ga, role)
        ]
        out[f"{role}_overlap"] = _prf(pred, g, exact=False)
        if role == "source":
            out["source_exact"] = _prf(pred, g, exact=True)
    return out


class MemoEmbedder:
    """An embedder that embeds each distinct text once (the coreference variants share claims).

    Example:
        >>> from index.embed import HashEmbedder
        >>> m = MemoEmbedder(HashEmbedder())
        >>> m.embed(["a b", "a b"]).shape[0], len(m.memo)
        (2, 1)
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.memo: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if new:
            self.memo.update(zip(new, self.inner.embed(new), strict=True))
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


def run(args: argparse.Namespace) -> dict:
    shared = shared_dir(args.shared)
    articles = load_articles(shared, args.split)
    if args.limit:
        articles = articles[: args.limit]
    ids = {a.id for a in articles}
    gold = load_gold(shared, args.split)
    questions = [q for q in load_questions(shared, args.split) if q["evidence"][0].get("article_id") in ids]
    seg_name = SEGMENTER

    t0 = time.perf_counter()
    parsed = parse_articles(articles, args.cache / f"polnear-{args.split}.spacy" if args.cache else None)
    sents = {art.id: lst for art, lst, _docs in parsed}
    t_parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    attrs = {art.id: attributions_from_docs(art, lst, docs) for art, lst, docs in parsed}
    t_extract = time.perf_counter() - t0
    spans = span_scores(attrs, gold)
    # the peer for the spans, from the same parses: the cue lexicon without the learned model
    rules = {art.id: attributions_from_docs(art, lst, docs, model=None) for art, lst, docs in parsed}
    spans |= {f"{k} (rules only)": v for k, v in span_scores(rules, gold).items() if k.startswith("source")}
    times = {"parse": round(t_parse, 2), "extract": round(t_extract, 2)}
    if args.spans_only:
        flat = [a for lst in attrs.values() for a in lst]
        return _summary(args, len(articles), seg_name, flat, spans) | {"timings_s": times}

    t0 = time.perf_counter()
    embedder = MemoEmbedder(MiniLMEmbedder())
    t_load = time.perf_counter() - t0
    all_attrs = [a for lst in attrs.values() for a in lst]
    lookup = {(s.article_id, s.index): s for lst in sents.values() for s in lst}
    t0 = time.perf_counter()
    weights = sorted({EMBED_WEIGHT, *args.weights})
    results = score_questions(questions, all_attrs, lookup, embedder, weights)
    by_contents = score_questions(questions, all_attrs, lookup, embedder, claim_vectors="contents")[EMBED_WEIGHT]
    by_rescore = {k: score_questions(questions, all_attrs, lookup, embedder, rescore_top=k)[EMBED_WEIGHT]
                  for k in RESCORE_SWEEP}  # fmt: skip
    by_margin = margin_sweep(questions, all_attrs, lookup, embedder)
    sent_list = list(lookup.values())
    sent_mat = embedder.embed([s.text for s in sent_list])
    peer_q = embedder.embed([q["question"] for q in questions])
    peer_ok = [
        is_correct(sent_list[int(np.argmax(sent_mat @ peer_q[qi]))].text, q["answers"])
        for qi, q in enumerate(questions)
    ]
    t_answer = time.perf_counter() - t0
    clean_flags = ["clean" in q.get("tags", []) for q in questions]
    main = results[EMBED_WEIGHT]

    def acc(flags: Sequence[bool], only_clean: bool) -> float:
        sel = [f for f, c in zip(flags, clean_flags, strict=True) if c or not only_clean]
        return round(100 * sum(sel) / len(sel), 1) if sel else 0.0

    report = _summary(args, len(articles), seg_name, all_attrs, spans)
    report["questions"], report["clean_questions"] = len(questions), sum(clean_flags)
    report |= {
        "who_said": {
            "attribution_index": {
                "all": acc([r.ok for r in main], False),
                "clean": acc([r.ok for r in main], True),
            },
            "slices": summarise(main, POLNEAR_SLICES),
            "content_vectors": {  # each claim's content encoded, as the route did before issue 12
                "all": acc([r.ok for r in by_contents], False),
                "clean": acc([r.ok for r in by_contents], True),
                "slices": summarise(by_contents, POLNEAR_SLICES),
            },
            "by_rescore_top": {  # ranked by sentence vectors, the k best re-ranked by encoded contents
                str(k): {"all": acc([r.ok for r in v], False), "clean": acc([r.ok for r in v], True)}
                for k, v in by_rescore.items()
            },
            "by_rescore_margin": by_margin,
            "dense_top_sentence": {"all": acc(peer_ok, False), "clean": acc(peer_ok, True)},
            "by_embed_weight": {
                str(w): {"all": acc([x.ok for x in r], False), "clean": acc([x.ok for x in r], True)}
                for w, r in results.items()
            },
            "right_article": round(100 * np.mean([r.right_article for r in main]), 1) if main else 0,
            "threshold": NO_MATCH_THRESHOLD,
        },
        "timings_s": {
            **times,
            "articles_per_s": round(len(articles) / (t_parse + t_extract), 2),
            "embedder_load": round(t_load, 2),
            "answer_all": round(t_answer, 2),
        },
    }
    errors = [asdict(r) for r in main if not r.ok]
    report["coref_variants"] = {"polnear": coref_variants(parsed, questions, lookup, embedder, POLNEAR_SLICES)}
    if not args.no_ggt:
        report["ggt"], ggt_errors = ggt_report(shared, embedder, args.cache)
        errors += ggt_errors
        report["coref_variants"]["ggt"] = report["ggt"].pop("coref_variants")
    if args.errors:
        Path(args.errors).write_text("\n".join(json.dumps(d) for d in errors))
    return report


def margin_sweep(questions: Sequence[dict], attrs: Sequence[Attribution], lookup: dict, embedder: Embedder) -> dict:
    """Accuracy and the share of rankings that encode contents, per ``rescore_margin``."""
    out = {}
    for margin in MARGIN_SWEEP:
        counts: dict[str, int] = {}
        res = score_questions(questions, attrs, lookup, embedder, rescore_margin=margin, counts=counts)[EMBED_WEIGHT]
        out[str(margin)] = {
            "accuracy": round(100 * sum(r.ok for r in res) / len(res), 1) if res else 0.0,
            "rescored_pct": round(100 * counts["rescored"] / max(1, counts["rankings"]), 1),
        }
    return out


def ggt_report(shared: Path, embedder: Embedder, cache: Path | None) -> tuple[dict, list[dict]]:
    """GGT dev who-said accuracy and citation precision, sliced by the items' tags."""
    articles = load_ggt_articles(shared)
    questions = load_ggt_questions(shared)
    parsed = parse_articles(articles, cache / "ggt-dev.spacy" if cache else None)
    attrs = [a for art, lst, docs in parsed for a in attributions_from_docs(art, lst, docs)]
    lookup = {(s.article_id, s.index): s for _art, lst, _docs in parsed for s in lst}
    main = score_questions(questions, attrs, lookup, embedder)[EMBED_WEIGHT]
    kinds = ("named", "anonymous", "unresolved")
    report = {
        "articles": len(articles),
        "questions": len(questions),
        "attributions": len(attrs),
        "kinds": {k: sum(a.speaker_kind == k for a in attrs) for k in kinds},
        "slices": summarise(main, GGT_SLICES),
        "slices_content_vectors": summarise(
            score_questions(questions, attrs, lookup, embedder, claim_vectors="contents")[EMBED_WEIGHT], GGT_SLICES
        ),
        "by_rescore_top": {
            str(k): summarise(
                score_questions(questions, attrs, lookup, embedder, rescore_top=k)[EMBED_WEIGHT], GGT_SLICES
            )
            for k in RESCORE_SWEEP
        },
        "by_rescore_margin": margin_sweep(questions, attrs, lookup, embedder),
        "coref_variants": coref_variants(parsed, questions, lookup, embedder, GGT_SLICES),
    }
    return report, [asdict(r) for r in main if not r.ok]


def coref_variants(
    parsed: Parsed, questions: Sequence[dict], lookup: dict, embedder: Embedder, slices: Sequence[str]
) -> dict[str, dict]:
    """Who-said slices with the coreference rules alone beside the learned ranker, same parses."""
    variants: dict[str, CandidateRanker | None] = {"rules": None, "ranker": default_ranker()}
    out = {}
    for name, ranker in variants.items():
        attrs = [a for art, lst, docs in parsed for a in attributions_from_docs(art, lst, docs, ranker=ranker)]
        out[name] = summarise(score_questions(questions, attrs, lookup, embedder)[EMBED_WEIGHT], slices)
    return out


def _summary(args: argparse.Namespace, n_articles: int, seg_name: str, all_attrs: list, spans: dict) -> dict:
    """The report fields shared by the full run and ``--spans-only``."""
    kinds = ("named", "anonymous", "unresolved")
    return {
        "split": args.split,
        "articles": n_articles,
        "questions": 0,
        "clean_questions": 0,
        "segmenter": seg_name,
        "attributions": len(all_attrs),
        "kinds": {k: sum(a.speaker_kind == k for a in all_attrs) for k in kinds},
        "spans": spans,
    }


def print_table(rep: dict) -> None:
    """Human-readable summary of a report."""
    s, t = rep["spans"], rep["timings_s"]
    print(
        f"PolNeAR {rep['split']}: {rep['articles']} articles, {rep['questions']} questions "
        f"({rep['clean_questions']} clean), {rep['attributions']} attributions {rep['kinds']}"
    )
    print(f"segmenter: {rep['segmenter']}")
    print(f"{'span':<30}{'P':>7}{'R':>7}{'F1':>7}{'pred':>7}{'gold':>7}")
    for name, m in s.items():
        print(f"{name:<30}{m['p']:>7}{m['r']:>7}{m['f1']:>7}{m['n_pred']:>7}{m['n_gold']:>7}")
    if "who_said" not in rep:
        print("timings (s):", t)
        return
    w = rep["who_said"]
    print(f"\n{'who-said accuracy %':<28}{'all':>8}{'clean':>8}")
    print(f"{'attribution index':<28}{w['attribution_index']['all']:>8}{w['attribution_index']['clean']:>8}")
    print(
        f"{'dense top sentence (peer)':<28}{w['dense_top_sentence']['all']:>8}"
        f"{w['dense_top_sentence']['clean']:>8}"
    )
    if "content_vectors" in w:
        c = w["content_vectors"]
        print(f"{'  claims encoded (old way)':<28}{c['all']:>8}{c['clean']:>8}")
    for k, v in w.get("by_rescore_top", {}).items():
        print(f"{'  sentence vectors, rescore ' + k:<28}{v['all']:>8}{v['clean']:>8}")
    for k, v in w["by_embed_weight"].items():
        print(f"{'  index, embed weight ' + k:<28}{v['all']:>8}{v['clean']:>8}")
    print(f"right article for top claim: {w['right_article']}%")
    print("timings (s):", t)
    for name, table in (("PolNeAR " + rep["split"], w.get("slices", {})), ("GGT dev", rep.get("ggt", {}).get("slices", {}))):
        if not table:
            continue
        print(f"\n{name + ' who-said':<24}{'n':>6}{'acc %':>8}{'cite P %':>10}")
        for tag, m in table.items():
            print(f"{tag:<24}{m['n']:>6}{m['accuracy']:>8}{m['citation_precision']:>10}")
    ggt = rep.get("ggt", {})
    if ggt.get("by_rescore_top"):
        tags = list(next(iter(ggt["by_rescore_top"].values())))
        print(f"\n{'GGT dev, rescore top k':<24}" + "".join(f"{t[:12]:>13}" for t in tags))
        if "slices_content_vectors" in ggt:
            row = ggt["slices_content_vectors"]
            print(f"{'claims encoded (old)':<24}" + "".join(f"{row[t]['accuracy']:>13}" for t in tags))
        for k, row in ggt["by_rescore_top"].items():
            print(f"{'k = ' + k:<24}" + "".join(f"{row[t]['accuracy']:>13}" for t in tags))
    for corpus, sweep in (("PolNeAR", w.get("by_rescore_margin", {})), ("GGT dev", ggt.get("by_rescore_margin", {}))):
        for margin, row in sweep.items():
            print(f"{corpus} rescore below lead {margin}: acc {row['accuracy']}%, rescored {row['rescored_pct']}%")
    for corpus, variants in rep.get("coref_variants", {}).items():
        names = list(variants)
        print(f"\n{corpus + ' coref: acc / cite P':<24}{'n':>6}" + "".join(f"{n:>16}" for n in names))
        for tag in variants[names[0]]:
            cells = "".join(f"{v[tag]['accuracy']:>9} / {v[tag]['citation_precision']:<5}" for v in variants.values())
            print(f"{tag:<24}{variants[names[0]][tag]['n']:>6}{cells}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument(
        "--shared", default=None, help="shared dir (default $SOURCED_SHARED_DIR or ../shared)"
    )
    parser.add_argument("--limit", type=int, default=0, help="first N articles only")
    parser.add_argument("--out", default=None, help="write the JSON report here")
    parser.add_argument("--errors", default=None, help="write wrong answers (JSONL) here")
    parser.add_argument("--spans-only", action="store_true", help="skip the slow who-said part")
    parser.add_argument("--cache", type=Path, default=None, help="keep spaCy parses here")
    parser.add_argument("--no-ggt", action="store_true", help="skip the GGT dev who-said items")
    parser.add_argument("--weights", type=float, nargs="*", default=[0.0, 0.3, 0.7, 1.0])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rep = run(args)
    print_table(rep)
    if args.out:
        Path(args.out).write_text(json.dumps(rep, indent=2))


if __name__ == "__main__":
    main()
