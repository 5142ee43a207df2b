"""The LLM layer: one small protocol and three implementations.

* :class:`ScriptedLLM` – deterministic fake for tests (replies by substring rule or queue).
* :class:`LocalLLM` – llama.cpp over the local GGUF model (Qwen2.5 ChatML template).
* :class:`OpenAICompatLLM` – any OpenAI-compatible server through llama-index's ``OpenAILike``.

``load_llm(settings)`` picks one from ``settings.generator``.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from assistant.errors import LLMFailedError, ModelUnavailableError
from assistant.head_cache import HeadCache
from assistant.model_file import check_model_file
from assistant.prompts import strip_control_tokens, template_openings
from assistant.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import ChatMessage

log = logging.getLogger(__name__)
T = TypeVar("T")

SYSTEM_PROMPT = "You are a careful assistant. Follow the instructions exactly."
CHATML_STOPS = ("<|im_end|>", "<|endoftext|>", "<|im_start|>")
YES_WORDS = ("yes", " yes", "Yes", " Yes", "YES")
NO_WORDS = ("no", " no", "No", " No", "NO")


@runtime_checkable
class LLM(Protocol):
    """What the generator, judge and condenser need from a language model."""

    name: str

    def complete(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> str: ...

    def stream(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> Iterator[str]: ...

    def p_yes(self, prompt: str) -> float: ...


def yes_from_text(text: str) -> float:
    """Map a free-text yes/no reply to a probability (1.0, 0.0, or 0.5 when unclear).

    Example:
        >>> yes_from_text("Yes, it does."), yes_from_text("no"), yes_from_text("maybe")
        (1.0, 0.0, 0.5)
    """
    match = re.match(r"\W*(yes|no)\b", text.strip().lower())
    return 0.5 if not match else 1.0 if match.group(1) == "yes" else 0.0


def _cut_at_stop(text: str, stop: Sequence[str]) -> str:
    cuts = [text.find(s) for s in stop if s and s in text]
    return text[: min(cuts)] if cuts else text


class ScriptedLLM:
    """A fake LLM: replies come from substring rules, then a queue, then ``default``.

    ``p_yes`` returns the value of the first ``yes_rules`` key found in the prompt,
    else ``yes_default``. Every prompt is recorded in ``prompts``.

    Example:
        >>> llm = ScriptedLLM(rules={"capital": "Paris [1]."}, yes_rules={"Paris": 0.9})
        >>> llm.complete("What is the capital?"), llm.p_yes("Is Paris ...?"), len(llm.prompts)
        ('Paris [1].', 0.9, 2)
    """

    name = "scripted"

    def __init__(self, rules: Mapping[str, str] | None = None, queue: Sequence[str] = (),
                 default: str = "", yes_rules: Mapping[str, float] | None = None,
                 yes_default: float = 0.5, delay: float = 0.0, busy: float = 0.0) -> None:
        self.delay = delay  # seconds asleep before each streamed piece (to test hangs and kills)
        self.busy = busy  # seconds of CPU work before each reply (to test a slow, working model)
        self.rules = dict(rules or {})
        self.queue = list(queue)
        self.default = default
        self.yes_rules = dict(yes_rules or {})
        self.yes_default = yes_default
        self.prompts: list[str] = []

    def complete(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> str:
        self.prompts.append(prompt)
        until = time.perf_counter() + self.busy
        while time.perf_counter() < until:
            pass
        for key, reply in self.rules.items():
            if key in prompt:
                return _cut_at_stop(reply, stop)
        if self.queue:
            return _cut_at_stop(self.queue.pop(0), stop)
        return _cut_at_stop(self.default, stop)

    def stream(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> Iterator[str]:
        text = self.complete(prompt, max_tokens=max_tokens, stop=stop)
        for piece in re.findall(r"\s*\S+", text) or ([text] if text else []):
            if self.delay:
                time.sleep(self.delay)
            yield piece

    def p_yes(self, prompt: str) -> float:
        self.prompts.append(prompt)
        for key, value in self.yes_rules.items():
            if key in prompt:
                return value
        return self.yes_default


def chatml(prompt: str, system: str = SYSTEM_PROMPT) -> str:
    """Wrap a user prompt in Qwen2.5's ChatML template, ready for the assistant turn; control
    tokens inside the prompt (from article text) are removed first.

    Example:
        >>> chatml("Hi").endswith("<|im_start|>assistant\\n")
        True
    """
    return chatml_opening(prompt, system) + "<|im_end|>\n<|im_start|>assistant\n"


def chatml_opening(prompt_start: str, system: str = SYSTEM_PROMPT) -> str:
    """The start of :func:`chatml` for every prompt that starts with ``prompt_start``.

    Example:
        >>> chatml("Evidence: x").startswith(chatml_opening("Evidence:"))
        True
    """
    prompt_start = strip_control_tokens(prompt_start)  # quoted text can never open a turn of its own
    return f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{prompt_start}"


class LocalLLM:
    """llama.cpp over a local GGUF chat model; loaded once, calls serialised by a lock.

    Greedy decoding (temperature 0), so answers are repeatable. ``p_yes`` reads the
    logits of the first answer token, without ``logits_all``.

    Example:
        >>> llm = LocalLLM("data/models/model.gguf")  # doctest: +SKIP
        >>> llm.p_yes("Is the sky blue on a clear day? Answer yes or no.")  # doctest: +SKIP
        0.99...
    """

    def __init__(self, model_path: str | Path, n_threads: int = 2, n_ctx: int = 2048) -> None:
        path = Path(model_path)
        if not path.is_file():
            raise ModelUnavailableError(
                f"Local model {path} not found; `make model` assembles it "
                "(python -m assistant.model_setup assemble)."
            )
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelUnavailableError("llama-cpp-python is not installed; `make install` adds it.") from exc
        self.name = f"local:{path.name}"
        self.model_path = path
        self._lock = threading.Lock()
        self._llama = Llama(
            model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
            n_batch=256, logits_all=False, verbose=False,
        )
        # the fixed openings of the prompt templates: their state is kept, not evaluated per call
        self._heads = HeadCache(
            [self._llama.tokenize(chatml_opening(o).encode(), add_bos=False, special=True)
             for o in template_openings()]
        )
        self._yes_ids = self._single_token_ids(YES_WORDS)
        self._no_ids = self._single_token_ids(NO_WORDS)

    def _single_token_ids(self, words: Sequence[str]) -> list[int]:
        tokens = [self._llama.tokenize(w.encode(), add_bos=False, special=False) for w in words]
        return sorted({t[0] for t in tokens if len(t) == 1})

    def _run(self, prompt: str, max_tokens: int, stop: Sequence[str], stream: bool) -> Any:
        text = chatml(prompt)
        self._heads.prepare(self._llama, self._llama.tokenize(text.encode(), add_bos=False, special=True))
        return self._llama.create_completion(
            text, max_tokens=max_tokens, stop=[*CHATML_STOPS, *stop], temperature=0.0,
            repeat_penalty=1.05, stream=stream,
        )

    def complete(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> str:
        with self._lock:
            out = self._run(prompt, max_tokens, stop, stream=False)
        return str(out["choices"][0]["text"]).strip()

    def stream(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> Iterator[str]:
        """Yield text pieces; the model stays locked until the iterator is exhausted or closed."""
        with self._lock:
            started = False
            for chunk in self._run(prompt, max_tokens, stop, stream=True):
                text = str(chunk["choices"][0]["text"])
                text = text if started else text.lstrip()
                if text:
                    started = True
                    yield text

    def p_yes(self, prompt: str) -> float:
        import numpy as np

        llama = self._llama
        with self._lock:
            ids = llama.tokenize(chatml(prompt).encode(), add_bos=False, special=True)
            prefix = min(self._heads.prepare(llama, ids), len(ids) - 1)  # always decode at least one token
            llama.n_tokens = prefix
            llama.eval(ids[prefix:])
            logits = np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(llama.n_vocab(),))
            logits = logits.astype(np.float64)
        top = float(logits.max())
        yes = sum(math.exp(logits[i] - top) for i in self._yes_ids)
        no = sum(math.exp(logits[i] - top) for i in self._no_ids)
        return yes / (yes + no) if yes + no > 0.0 else 0.5


class OpenAICompatLLM:
    """An OpenAI-compatible chat server (Ollama, llama.cpp server, vLLM …) via ``OpenAILike``.

    ``p_yes`` uses the first token's top logprobs when the server returns them,
    else parses the yes/no reply.

    Example:
        >>> llm = OpenAICompatLLM("http://127.0.0.1:11434/v1", "qwen2.5:1.5b")
        >>> llm.name
        'openai:qwen2.5:1.5b'
    """

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout: float = 120.0) -> None:
        from llama_index.llms.openai_like import OpenAILike

        self.name = f"openai:{model}"
        self.base_url = base_url
        self._llm = OpenAILike(
            model=model, api_base=base_url, api_key=api_key, is_chat_model=True,
            context_window=4096, temperature=0.0, timeout=timeout, max_retries=1,
        )

    def _messages(self, prompt: str) -> list[ChatMessage]:
        from llama_index.core.llms import ChatMessage

        return [ChatMessage(role="system", content=SYSTEM_PROMPT),
                ChatMessage(role="user", content=prompt)]

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Server failures as the typed errors the assistant falls back on."""
        import openai

        try:
            yield
        except openai.APITimeoutError as exc:
            raise LLMFailedError(f"The model server at {self.base_url} did not answer in time: {exc}") from exc
        except openai.APIConnectionError as exc:
            raise ModelUnavailableError(f"Cannot reach the OpenAI-compatible server at {self.base_url}: {exc}") from exc
        except openai.InternalServerError as exc:
            raise LLMFailedError(f"The model server at {self.base_url} failed: {exc}") from exc

    def _call(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        with self._errors():
            return fn(*args, **kwargs)

    def complete(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> str:
        kwargs = {"max_tokens": max_tokens, **({"stop": list(stop)} if stop else {})}
        response = self._call(self._llm.chat, self._messages(prompt), **kwargs)
        return (response.message.content or "").strip()

    def stream(self, prompt: str, *, max_tokens: int = 256, stop: Sequence[str] = ()) -> Iterator[str]:
        kwargs = {"max_tokens": max_tokens, **({"stop": list(stop)} if stop else {})}
        with self._errors():
            for chunk in self._llm.stream_chat(self._messages(prompt), **kwargs):
                if chunk.delta:
                    yield chunk.delta

    def p_yes(self, prompt: str) -> float:
        import openai

        try:
            response = self._call(
                self._llm.chat, self._messages(prompt), max_tokens=1, logprobs=True, top_logprobs=10
            )
        except openai.BadRequestError:  # server without logprobs support
            return yes_from_text(self.complete(prompt, max_tokens=3))
        first = response.logprobs[0] if response.logprobs else []
        yes = sum(math.exp(lp.logprob) for lp in first if lp.token.strip().lower() == "yes")
        no = sum(math.exp(lp.logprob) for lp in first if lp.token.strip().lower() == "no")
        return yes / (yes + no) if yes + no > 0.0 else yes_from_text(response.message.content or "")


def make_local_llm(settings: Settings, path: Path) -> LLM:
    """The local model as ``settings.llm_isolation`` says: a supervised worker, or in this process."""
    if settings.llm_isolation == "in_process":
        return LocalLLM(path, n_threads=settings.llm_threads, n_ctx=settings.llm_context)
    from assistant.llm_worker import WorkerLLM

    return WorkerLLM(
        backend_kwargs={"model_path": str(path), "n_threads": settings.llm_threads, "n_ctx": settings.llm_context},
        timeout=settings.llm_timeout, max_wait=settings.llm_max_wait, memory_limit_mb=settings.llm_memory_limit_mb,
    )


_LOCAL: dict[tuple[object, ...], LLM] = {}
_LOCAL_LOCK = threading.Lock()


def _cached_local(settings: Settings, path: Path) -> LLM:
    """One local model (one worker) per file and configuration in this process."""
    key = (str(path), settings.llm_isolation, settings.llm_threads, settings.llm_context,
           settings.llm_timeout, settings.llm_max_wait, settings.llm_memory_limit_mb)
    with _LOCAL_LOCK:
        if key not in _LOCAL:
            _LOCAL[key] = make_local_llm(settings, path)
        return _LOCAL[key]


def load_local_llm(settings: Settings) -> LLM | None:
    """The local model when its file exists (one per path), else ``None``.

    Raises :class:`ModelUnavailableError` when the file is there but truncated or not GGUF.
    """
    path = settings.model_path
    if not path.exists():
        log.info("local model %s not found; run `make model` to assemble it", path)
        return None
    check_model_file(path)
    return _cached_local(settings, path.resolve())


def load_llm(settings: Settings) -> LLM | None:
    """Pick the LLM named by ``settings.generator``; ``None`` means extractive answers.

    Example:
        >>> load_llm(Settings(generator="extractive")) is None
        True
    """
    choice = settings.generator
    if choice == "extractive":
        return None
    if choice == "openai":
        return OpenAICompatLLM(settings.openai_base_url, settings.openai_model, settings.openai_api_key,
                               timeout=settings.llm_max_wait)
    llm = load_local_llm(settings)
    if llm is None and choice == "local":
        check_model_file(settings.model_path)
    return llm
