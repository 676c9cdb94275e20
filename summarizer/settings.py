"""Options of the minutes step, read from ``ASR_LLM_*`` environment variables.

Kept apart from the service ``Settings`` (``asr_service.config``) so the summariser can run alone
(benchmarks, CLI on a transcript file). Documented in docs/minutes.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_LLM = "qwen2.5-coder-1.5b-instruct-q4km"


class LLMSettings(BaseSettings):
    """Which LLM writes the minutes and how. Environment: ``ASR_LLM_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ASR_LLM_", env_file=".env", extra="ignore")

    backend: Literal["embedded", "gguf", "openai"] = Field(
        default="embedded",
        description="embedded: catalogue GGUF in-process; gguf: any GGUF by path; "
        "openai: an OpenAI-compatible endpoint on the operator's network",
    )
    model: str = Field(default=DEFAULT_LLM, description="catalogue name (embedded backend)")
    gguf_path: Path | None = Field(default=None, description="GGUF file (gguf backend)")
    base_url: str | None = Field(
        default=None, description="e.g. http://llm.intranet:8000/v1 (openai backend)"
    )
    api_key: SecretStr | None = Field(default=None, description="bearer token (openai backend)")
    api_model: str | None = Field(default=None, description="model name sent to the endpoint")
    n_ctx: int = Field(default=8192, ge=2048, description="context window of the local model")
    threads: int = Field(default=0, ge=0, description="0: the cores not busy right now")
    gpu_layers: int = Field(default=0, ge=-1, description="layers offloaded to GPU (-1: all)")
    window_tokens: int = Field(
        default=3000, ge=500, description="transcript tokens per map window (long meetings)"
    )
    temperature: float = 0.0
    seed: int = 42
    timeout_s: float = Field(default=600.0, description="per request (openai backend)")
    verify: bool = Field(default=True, description="check every item against the transcript")
