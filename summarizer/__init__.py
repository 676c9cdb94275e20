"""Meeting minutes ("compte rendu") from a transcript, written by a local LLM and verified in code.

Public API::

    from summarizer import load_transcript, summarize, render_markdown
    minutes = summarize(load_transcript("seance.txt"))   # embedded model by default
    print(render_markdown(minutes))

See docs/minutes.md for backends (embedded GGUF, GGUF by path, OpenAI-compatible endpoint) and
the ``ASR_LLM_*`` settings.
"""

from summarizer.backends import (
    LlamaCppBackend,
    LLMBackend,
    LLMError,
    OpenAIBackend,
    backend_from_settings,
)
from summarizer.pipeline import EMPTY_NOTICE, summarize, summarize_single_prompt
from summarizer.render import render_markdown
from summarizer.schema import (
    Action,
    Decision,
    Minutes,
    OpenQuestion,
    Participant,
    SourceRef,
    Topic,
    Unverified,
)
from summarizer.settings import LLMSettings
from summarizer.transcript_io import TranscriptFormatError, load_transcript, parse_clerk_text
from summarizer.writer import write_minutes

__all__ = [
    "EMPTY_NOTICE",
    "Action",
    "Decision",
    "LLMBackend",
    "LLMError",
    "LLMSettings",
    "LlamaCppBackend",
    "Minutes",
    "OpenAIBackend",
    "OpenQuestion",
    "Participant",
    "SourceRef",
    "Topic",
    "TranscriptFormatError",
    "Unverified",
    "backend_from_settings",
    "load_transcript",
    "parse_clerk_text",
    "render_markdown",
    "summarize",
    "summarize_single_prompt",
    "write_minutes",
]
