"""The token memo (``index.attribution.token_memo``) against the stock attribute_ruler + lemmatizer.

1. **Exactness**: PolNeAR dev and GGT dev sentences (the project's segmentation, as the extractor
   receives them) parsed by the stock and the memo pipeline; per token tag, dep, POS, morph, lemma
   and entity type, and each article's extracted attributions, must be identical (counts printed).
2. **Timing**, one run, alternating stock / memo over the same sentences, ``--reps`` times:
   the whole ``nlp.pipe``, and the replaced part alone (stock components vs memo on copies of the
   parser's output). "cold": the memo emptied before each repetition (one ingest process);
   "warm": kept (a long-running process that has seen these words).
3. ``--ingest N``: ``bench.scale``'s ingest ratio (ingest throughput / bare encode) on N PolNeAR dev
   articles with the stock pipeline then the memo; noisy, indicative only.

Run niced: ``nice -n 15 python -m bench.nlp_cache --shared ../shared --reps 3``.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from spacy.language import Language
from spacy.tokens import Doc

from bench._polnear import load_articles, load_ggt_articles
from bench.attribution import _sentences
from index.attribution import attributions_from_docs, parse_text
from index.attribution import nlp as nlp_module
from index.attribution.selective_ner import FACTORY as SELECTIVE_NER
from index.attribution.token_memo import FACTORY, STOCK, TokenMemo
from index.types import Article, Sentence


def _token_rows(doc: Doc) -> list[tuple[str, ...]]:
    return [(t.text, t.tag_, t.dep_, t.pos_, str(t.morph), t.lemma_, t.ent_type_, t.ent_iob_) for t in doc]


def exactness(articles: Sequence[Article], stock: Language, memo: Language) -> dict[str, int]:
    """Counts of tokens and attributions, and how many differ between the two pipelines."""
    sents = [_sentences(a.id, a.text) for a in articles]
    texts = [parse_text(s.text) for lst in sents for s in lst]
    docs_a, docs_b = list(stock.pipe(texts, batch_size=128)), list(memo.pipe(texts, batch_size=128))
    tokens = diff_tokens = diff_heads = 0
    for da, db in zip(docs_a, docs_b, strict=True):
        ra, rb = _token_rows(da), _token_rows(db)
        tokens += len(ra)
        diff_tokens += sum(x != y for x, y in zip(ra, rb, strict=True))
        diff_heads += sum(x.head.i != y.head.i for x, y in zip(da, db, strict=True))
    attrs = diff_articles = 0
    it_a, it_b = iter(docs_a), iter(docs_b)
    for art, lst in zip(articles, sents, strict=True):
        found_a = attributions_from_docs(art, lst, [next(it_a) for _ in lst])
        found_b = attributions_from_docs(art, lst, [next(it_b) for _ in lst])
        attrs += len(found_a)
        diff_articles += found_a != found_b
    return {"articles": len(articles), "sentences": len(texts), "tokens": tokens,
            "tokens_differing": diff_tokens, "heads_differing": diff_heads,
            "attributions": attrs, "articles_with_differing_attributions": diff_articles}  # fmt: skip


def _timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def timing(texts: list[str], stock: Language, memo: Language, reps: int) -> dict[str, Any]:
    """Seconds per repetition (median), alternating the two pipelines within each repetition."""
    component = cast(TokenMemo, memo.get_pipe(FACTORY))
    ruler, lemmatizer = (stock.get_pipe(n) for n in STOCK)
    parsed = list(stock.pipe(texts, batch_size=128, disable=[*STOCK, "ner", SELECTIVE_NER]))
    rows: dict[str, list[float]] = {k: [] for k in ("pipe_stock", "pipe_memo_cold", "pipe_memo_warm",
                                                    "part_stock", "part_memo_cold", "part_memo_warm")}  # fmt: skip

    def pipe(nlp: Language) -> None:
        for _ in nlp.pipe(texts, batch_size=128):
            pass

    def part(fn: Callable[[list[Doc]], Any]) -> float:
        copies = [d.copy() for d in parsed]
        return _timed(lambda: fn(copies))

    for _ in range(reps):
        rows["pipe_stock"].append(_timed(lambda: pipe(stock)))
        component.clear()
        rows["pipe_memo_cold"].append(_timed(lambda: pipe(memo)))
        rows["pipe_memo_warm"].append(_timed(lambda: pipe(memo)))
        rows["part_stock"].append(part(lambda docs: [lemmatizer(ruler(d)) for d in docs]))
        component.clear()
        rows["part_memo_cold"].append(part(lambda docs: list(component.pipe(docs))))
        rows["part_memo_warm"].append(part(lambda docs: list(component.pipe(docs))))
    med = {k: round(statistics.median(v), 3) for k, v in rows.items()}
    out: dict[str, Any] = {"sentences": len(texts), "reps": reps, "median_s": med, "all_s": rows}
    for kind in ("pipe", "part"):
        for state in ("cold", "warm"):
            out[f"{kind}_ratio_memo_{state}_over_stock"] = round(
                med[f"{kind}_memo_{state}"] / med[f"{kind}_stock"], 3
            )
    out["memo_entries_after_one_pass"] = len(component._memo)
    return out


def ingest_before_after(shared: Path, n_articles: int) -> dict[str, Any]:
    """``bench.scale.ingest_ratio`` with the stock pipeline, then with the memo (emptied first)."""
    from bench.scale import ingest_ratio

    original = nlp_module.load_nlp
    out: dict[str, Any] = {}
    try:
        nlp_module.load_nlp = functools.partial(original, memo=False)  # type: ignore[assignment]
        with tempfile.TemporaryDirectory() as tmp:
            out["stock"] = ingest_ratio(shared, n_articles, Path(tmp))
    finally:
        nlp_module.load_nlp = original
    cast(TokenMemo, original().get_pipe(FACTORY)).clear()
    with tempfile.TemporaryDirectory() as tmp:
        out["memo"] = ingest_ratio(shared, n_articles, Path(tmp))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument(
        "--ingest", type=int, default=0, help="also the ingest ratio on N PolNeAR dev articles"
    )
    parser.add_argument("--out", type=Path, default=None, help="write the report as JSON here")
    args = parser.parse_args(argv)
    stock, memo = nlp_module.load_nlp(memo=False), nlp_module.load_nlp()
    assert FACTORY in memo.pipe_names, "the memo is not installed on this pipeline"
    polnear, ggt = load_articles(args.shared, "dev"), load_ggt_articles(args.shared)
    report: dict[str, Any] = {"exact_polnear_dev": exactness(polnear, stock, memo),
                              "exact_ggt_dev": exactness(ggt, stock, memo)}  # fmt: skip
    sents: list[Sentence] = [s for a in polnear for s in _sentences(a.id, a.text)]
    report["timing_polnear_dev"] = timing([parse_text(s.text) for s in sents], stock, memo, args.reps)
    if args.ingest:
        report["ingest_ratio"] = ingest_before_after(args.shared, args.ingest)
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
