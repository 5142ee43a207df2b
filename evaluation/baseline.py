"""The LlamaIndex baseline: ``CitationQueryEngine`` over the same articles and embedder.

Nothing here touches llama-index's global ``Settings``: the embedder and the LLM are passed
explicitly. Without an LLM the engine is built with a ``MockLLM`` that is never called: the
answer is the top retrieved chunk with a ``[1]`` marker (retrieval only). Citations are mapped
back to article ids and exact sentence offsets so the same metrics apply.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant import Answer, Article, Citation, Hit, Sentence
from evaluation.metrics import STOPWORDS, normalise, split_claims
from index.segment import segment

log = logging.getLogger(__name__)

_SOURCE = re.compile(r"\ASource \d+:\n")
_REFUSAL = re.compile(
    r"\b(?:not (?:mentioned|provided|specified|stated|available)|no (?:information|mention)|"
    r"(?:does|do|did)(?: not|n't|n’t) (?:say|mention|provide|specify|contain|know)|"
    r"cannot (?:be )?(?:answer|determine)|can't (?:answer|determine)|unknown)\b"
    r"|\AEmpty Response\Z", re.I)


def _words(text: str) -> set[str]:
    return {w for w in normalise(text).split() if w not in STOPWORDS}


def read_corpus(paths: Sequence[str | Path]) -> list[Article]:
    """Articles via ``index.readers.read_articles`` (failures are logged and skipped)."""
    from index.readers import read_articles

    articles, failures = read_articles(list(paths))
    for path, reason in failures:
        log.warning("baseline skips %s: %s", path, reason)
    return articles


class LlamaIndexBaseline:
    """CitationQueryEngine over ``articles``; ``chat()``/``ask()`` return ``Answer`` objects.

    Example:
        >>> from llama_index.core.embeddings import MockEmbedding
        >>> art = Article(id="a", title="T", text="Asif admitted it. The BLA said so.")
        >>> base = LlamaIndexBaseline([art], embed_model=MockEmbedding(embed_dim=8))
        >>> base.ask("Who admitted it?").citations[0].article_id
        'a'
    """

    name = "llamaindex"

    def __init__(self, articles: Sequence[Article], *, embed_model: Any | None = None,
                 llm: Any | None = None, top_k: int = 4, chunk_size: int = 128,
                 stock_nodes: bool = False, context_window: int = 2048,
                 max_tokens: int = 256) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.llms import MockLLM
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.query_engine import CitationQueryEngine

        if embed_model is None:
            from llama_index.embeddings.huggingface import HuggingFaceEmbedding

            from index.embed import default_minilm_path

            embed_model = HuggingFaceEmbedding(model_name=default_minilm_path(), device="cpu")
        self.articles = {a.id: a for a in articles}
        self._sentences = {a.id: segment(a) for a in articles}
        self.uses_llm = llm is not None
        li_llm = wrap_llm(llm, context_window, max_tokens) if llm is not None else MockLLM()
        keys = ["article_id", "title"]
        docs = [Document(text=a.text, id_=a.id, metadata={"article_id": a.id, "title": a.title},
                         excluded_embed_metadata_keys=keys, excluded_llm_metadata_keys=keys)
                for a in articles]
        # stock_nodes: llama-index's default node parser (SentenceSplitter, 1024-token nodes) and the
        # engine cuts retrieved nodes into chunk_size-token citation chunks (its stock is 512);
        # otherwise nodes are chunk_size tokens already.
        splitter = (SentenceSplitter() if stock_nodes
                    else SentenceSplitter(chunk_size=chunk_size, chunk_overlap=min(16, chunk_size // 8)))
        index = VectorStoreIndex.from_documents(docs, embed_model=embed_model,
                                                transformations=[splitter])
        self.engine = CitationQueryEngine.from_args(
            index, llm=li_llm, similarity_top_k=top_k, citation_chunk_size=chunk_size,
            citation_chunk_overlap=20 if stock_nodes else 0)
        mode = "with the same LLM" if self.uses_llm else (
            "retrieval only (MockLLM never called): answer = top chunk text + [1]")
        self.notes = (f"LlamaIndex CitationQueryEngine, {'stock 1024-token nodes, ' if stock_nodes else ''}"
                      f"citation chunk_size={chunk_size} tokens, "
                      f"top_k={top_k}, {mode}; follow-up history is not used; citations point to "
                      "the chunk sentence sharing most words with the citing claim (or question); "
                      "its retrieved list is the chunks' sentences in document order, so its "
                      "recall@k counts sentences of chunks, not ranked sentences.",)

    def chat(self) -> BaselineSession:
        """A session object for the runner; the baseline keeps no conversation state."""
        return BaselineSession(self)

    def ask(self, question: str) -> Answer:
        """Answer one question with citations mapped to article offsets."""
        from llama_index.core import QueryBundle

        started = time.perf_counter()
        if not self.uses_llm:
            nodes = self.engine.retrieve(QueryBundle(question))
            timings = {"retrieve": time.perf_counter() - started}
            if not nodes:
                return Answer(text="No relevant text found.", refused=True, question=question,
                              standalone_question=question, generator=self.name, timings=timings)
            chunk = _chunk_text(nodes[0].node.get_content())
            cite = self._cite(1, nodes[0], question)
            text, refused, citations = f"{chunk} [1]", False, [cite] if cite else []
        else:
            response = self.engine.query(question)
            timings = {"generate": time.perf_counter() - started}
            nodes = list(response.source_nodes)
            text = str(getattr(response, "response", "") or "").strip()
            refused = not text or bool(_REFUSAL.search(text))
            claims: dict[int, list[str]] = {}
            for claim, numbers in split_claims(text):
                for n in numbers:
                    claims.setdefault(n, []).append(claim)
            citations = [c for n in sorted(claims) if 1 <= n <= len(nodes)
                         if (c := self._cite(n, nodes[n - 1], " ".join(claims[n])))]
        timings["total"] = time.perf_counter() - started
        return Answer(text=text, refused=refused, citations=tuple(citations), question=question,
                      standalone_question=question, generator=self.name,
                      retrieved=tuple(self._hits(nodes)), timings=timings, notes=self.notes)

    def _chunk_sentences(self, node: Any) -> list[Sentence]:
        """The article sentences a retrieved chunk covers (located by its text)."""
        article_id = str(node.node.metadata.get("article_id", ""))
        article = self.articles.get(article_id)
        if article is None:
            return []
        chunk = _chunk_text(node.node.get_content())
        sentences = self._sentences[article_id]
        pos = article.text.find(chunk) if chunk else -1
        if pos >= 0:
            return [s for s in sentences if s.start < pos + len(chunk) and pos < s.end]
        flat = " ".join(chunk.split())
        return [s for s in sentences if " ".join(s.text.split()) in flat]

    def _cite(self, n: int, node: Any, claim: str) -> Citation | None:
        sentences = self._chunk_sentences(node)
        if not sentences:
            return None
        words = _words(claim)
        best = max(sentences, key=lambda s: (len(words & _words(s.text)), -s.index))
        article = self.articles[best.article_id]
        return Citation(n=n, article_id=best.article_id, title=article.title,
                        sentence=best.text, start=best.start, end=best.end,
                        score=float(node.score or 0.0), sentence_index=best.index)

    def _hits(self, nodes: Sequence[Any]) -> list[Hit]:
        hits: list[Hit] = []
        seen: set[tuple[str, int]] = set()
        for node in nodes:
            for s in self._chunk_sentences(node):
                if (s.article_id, s.index) not in seen:
                    seen.add((s.article_id, s.index))
                    hits.append(Hit(sentence=s, score=float(node.score or 0.0),
                                    title=self.articles[s.article_id].title))
        return hits


def wrap_llm(inner: Any, context_window: int = 2048, max_tokens: int = 256,
             stop: Sequence[str] = ()) -> Any:
    """A llama-index ``CustomLLM`` that forwards every completion to ``inner.complete``.

    Example:
        >>> class Echo:
        ...     def complete(self, prompt, max_tokens=16, stop=None): return "ok [1]"
        >>> wrap_llm(Echo()).complete("hi").text
        'ok [1]'
    """
    from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback
    from pydantic import PrivateAttr

    class ProjectLLM(CustomLLM):
        """The project's LLM seen through llama-index's interface."""

        context_window: int = 2048
        num_output: int = 256
        model_name: str = "sourced-local"
        _inner: Any = PrivateAttr()
        _stop: list[str] = PrivateAttr(default_factory=list)

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=self.context_window, num_output=self.num_output,
                               model_name=self.model_name)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            text = self._inner.complete(prompt, max_tokens=self.num_output, stop=tuple(self._stop))
            return CompletionResponse(text=str(text))

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            response = self.complete(prompt, formatted=formatted)

            def gen() -> Any:
                yield CompletionResponse(text=response.text, delta=response.text)

            return gen()

    wrapped = ProjectLLM(context_window=context_window, num_output=max_tokens,
                         model_name=str(getattr(inner, "name", "sourced-local")))
    wrapped._inner = inner
    wrapped._stop = list(stop)
    return wrapped


def _chunk_text(content: str) -> str:
    return _SOURCE.sub("", content).strip()


class BaselineSession:
    """Runner-facing session: asks each question on its own (no history).

    Example:
        >>> session = LlamaIndexBaseline(articles).chat()  # doctest: +SKIP
        >>> session.ask("Who said it?").generator          # doctest: +SKIP
        'llamaindex'
    """

    def __init__(self, baseline: LlamaIndexBaseline) -> None:
        self.baseline = baseline
        self.history: list[tuple[str, Answer]] = []

    def ask(self, question: str) -> Answer:
        answer = self.baseline.ask(question)
        self.history.append((question, answer))
        return answer
