"""LLM backends behind one small interface: messages + JSON schema in, parsed JSON out.

* :class:`LlamaCppBackend` runs a GGUF in-process with llama.cpp (``xllamacpp`` prebuilt wheel):
  the embedded catalogue model by default, or any GGUF by path. Decoding is constrained by the JSON
  schema (llama.cpp grammar), so the output always parses. ``OMP_WAIT_POLICY=PASSIVE`` is set before
  llama.cpp loads and the thread count defaults to the free cores: an oversubscribed llama.cpp
  spins and drops to a fraction of a token per second.
* :class:`OpenAIBackend` talks to any OpenAI-compatible endpoint on the operator's network (vLLM,
  llama.cpp server, a State LLM platform) with ``response_format: json_schema``.

Both receive the same prompts and schemas (see :mod:`summarizer.prompts`).
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import psutil

from asr_service.cpus import usable_cpus
from summarizer.settings import LLMSettings


class LLMError(RuntimeError):
    """The LLM could not be loaded or did not answer usable JSON; the message says why."""


@runtime_checkable
class LLMBackend(Protocol):
    """What the minutes step needs from an LLM."""

    name: str
    context_tokens: int

    def complete_json(
        self, messages: list[dict[str, str]], schema: dict[str, Any], *, max_tokens: int
    ) -> dict[str, Any]:
        """Answer ``messages`` with one JSON object that satisfies ``schema``."""
        ...


def free_cores(sample_s: float = 0.3) -> int:
    """Cores usable by this process that are idle right now (at least 1).

    Measured over ``sample_s`` by psutil (idle + I/O wait share of all CPUs; the load average
    lags by a minute and counts this process's own past work).
    """
    cores = usable_cpus()
    times = psutil.cpu_times_percent(interval=sample_s)
    idle_share = (times.idle + getattr(times, "iowait", 0.0)) / 100.0
    free = round(idle_share * (psutil.cpu_count() or cores))
    return max(1, min(cores, free))


def parse_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a model answer (tolerates code fences or prose around it)."""
    text = text.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fence:
        text = fence.group(1).strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise LLMError(f"the model answered no JSON object: {text[:200]!r}") from None
        try:
            value = json.loads(text[start : end + 1])
        except json.JSONDecodeError as exc:
            raise LLMError(f"the model answered invalid JSON ({exc}): {text[:200]!r}") from exc
    if not isinstance(value, dict):
        raise LLMError(f"expected a JSON object, got {type(value).__name__}")
    return value


def _with_retry(
    complete: Any, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int
) -> dict[str, Any]:
    """Parse the answer; when it was cut by the token limit, ask once more with twice the room."""
    content, finish = complete(messages, schema, max_tokens)
    try:
        return parse_json_object(content)
    except LLMError:
        if finish != "length":
            raise
    content, _ = complete(messages, schema, max_tokens * 2)
    return parse_json_object(content)


class LlamaCppBackend:
    """A GGUF model run in-process by llama.cpp (``xllamacpp``), loaded once, thread-safe."""

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 8192,
        threads: int = 0,
        gpu_layers: int = 0,
        seed: int = 42,
        temperature: float = 0.0,
        name: str | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise LLMError(f"GGUF model not found: {self.model_path}")
        self.name = name or f"llama.cpp:{self.model_path.name}"
        self.context_tokens = n_ctx
        self.threads = threads or free_cores()
        self.gpu_layers = gpu_layers
        self.seed = seed
        self.temperature = temperature
        self._server: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._server is None:
            # Must be set before llama.cpp's OpenMP runtime starts: idle threads sleep, not spin.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                import xllamacpp as xlc
            except ImportError as exc:  # pragma: no cover - core dependency
                raise LLMError("xllamacpp is not installed: pip install xllamacpp") from exc
            params = xlc.CommonParams()
            params.model.path = str(self.model_path)
            params.n_ctx = self.context_tokens
            params.n_parallel = 1
            params.n_predict = -1
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.n_gpu_layers = self.gpu_layers
            params.warmup = False
            params.verbosity = -1
            params.endpoint_metrics = False
            params.cache_prompt = True  # steps share the transcript prefix: reuse its KV cache
            try:
                self._server = xlc.Server(params)
            except Exception as exc:
                raise LLMError(f"llama.cpp could not load {self.model_path}: {exc}") from exc
        return self._server

    def complete_json(
        self, messages: list[dict[str, str]], schema: dict[str, Any], *, max_tokens: int
    ) -> dict[str, Any]:
        return _with_retry(self._complete, messages, schema, max_tokens)

    def _complete(
        self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int
    ) -> tuple[str, str]:
        request = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
            "cache_prompt": True,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema},
            },
        }
        with self._lock:
            server = self._load()
            answer = server.handle_chat_completions(request)
        if isinstance(answer, str):
            answer = json.loads(answer)
        if "error" in answer:
            raise LLMError(f"llama.cpp error: {answer['error']}")
        choice = answer["choices"][0]
        return choice["message"]["content"] or "", choice.get("finish_reason") or ""

    def close(self) -> None:
        """Free the model (the process keeps running)."""
        with self._lock:
            self._server = None


class OpenAIBackend:
    """Any OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp server, ...)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 600.0,
        temperature: float = 0.0,
        seed: int = 42,
        context_tokens: int = 32768,
        transport: Any = None,
    ) -> None:
        import httpx

        self.name = f"openai:{model}"
        self.model = model
        self.context_tokens = context_tokens
        self.temperature = temperature
        self.seed = seed
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s, transport=transport
        )

    def complete_json(
        self, messages: list[dict[str, str]], schema: dict[str, Any], *, max_tokens: int
    ) -> dict[str, Any]:
        return _with_retry(self._complete, messages, schema, max_tokens)

    def _complete(
        self, messages: list[dict[str, str]], schema: dict[str, Any], max_tokens: int
    ) -> tuple[str, str]:
        import httpx

        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema, "strict": True},
            },
        }
        try:
            resp = self._client.post("/chat/completions", json=body)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise LLMError(f"LLM endpoint {self._client.base_url} failed: {exc}") from exc
        data = resp.json()
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"unexpected answer from the LLM endpoint: {str(data)[:200]}") from exc
        return content or "", choice.get("finish_reason") or ""

    def close(self) -> None:
        self._client.close()


def catalogue_gguf(model: str) -> Path:
    """The GGUF file of catalogue LLM ``model``, fetched into the model store if needed."""
    from models.catalogue import get_spec
    from models.store import ModelStore

    spec = get_spec(model)
    if spec.kind != "llm":
        raise LLMError(f"catalogue model {model!r} is a {spec.kind} model, not an LLM")
    return ModelStore().ensure(model) / spec.files[0].name


def backend_from_settings(settings: LLMSettings | None = None) -> LLMBackend:
    """The backend the settings describe (embedded catalogue model by default).

    Raises :class:`LLMError` (or ``models.store.ModelError``) naming the missing piece.
    """
    s = settings or LLMSettings()
    if s.backend == "openai":
        if not s.base_url or not s.api_model:
            raise LLMError("openai backend needs ASR_LLM_BASE_URL and ASR_LLM_API_MODEL")
        return OpenAIBackend(
            s.base_url,
            s.api_model,
            api_key=s.api_key.get_secret_value() if s.api_key else None,
            timeout_s=s.timeout_s,
            temperature=s.temperature,
            seed=s.seed,
            context_tokens=max(s.n_ctx, 8192),
        )
    if s.backend == "gguf":
        if not s.gguf_path:
            raise LLMError("gguf backend needs ASR_LLM_GGUF_PATH=/path/to/model.gguf")
        path = Path(s.gguf_path)
        name = f"gguf:{path.name}"
    else:
        path = catalogue_gguf(s.model)
        name = f"embedded:{s.model}"
    return LlamaCppBackend(
        path,
        n_ctx=s.n_ctx,
        threads=s.threads,
        gpu_layers=s.gpu_layers,
        seed=s.seed,
        temperature=s.temperature,
        name=name,
    )
