"""Options of the minutes step: ``ASR_LLM_*`` environment variables.

They are one section of the service's settings (``asr_service.config.Settings.llm``, listed in
docs/configuration.md); :class:`LLMSettings` is that section, which reads the same variables when
built alone, so the summariser can run without the service (benchmarks, CLI on a transcript file).
Documented in docs/minutes.md.
"""

from __future__ import annotations

from asr_service.config import DEFAULT_LLM, LLMSettings

__all__ = ["DEFAULT_LLM", "LLMSettings"]
