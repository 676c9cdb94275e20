"""Write minutes files next to a transcript: ``minutes.json`` and ``minutes.md``.

The body of ``asr-service minutes`` and of ``asr-service transcribe --minutes``: the CLI only
parses options and calls :func:`write_minutes` / :func:`minutes_for_file`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from asr_service.transcript import Transcript
from summarizer.backends import LLMBackend
from summarizer.pipeline import Progress, summarize
from summarizer.render import render_markdown
from summarizer.schema import Minutes
from summarizer.settings import LLMSettings
from summarizer.transcript_io import load_transcript

JSON_NAME = "minutes.json"
MARKDOWN_NAME = "minutes.md"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_minutes(minutes: Minutes, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``minutes.json`` and ``minutes.md`` into ``out_dir`` (created); return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / JSON_NAME, out / MARKDOWN_NAME
    _atomic_write(json_path, minutes.model_dump_json(indent=2) + "\n")
    _atomic_write(md_path, render_markdown(minutes))
    return json_path, md_path


def write_minutes(
    transcript: Transcript,
    out_dir: str | Path,
    *,
    backend: LLMBackend | None = None,
    settings: LLMSettings | None = None,
    title: str | None = None,
    progress: Progress | None = None,
) -> tuple[Minutes, Path, Path]:
    """Summarise ``transcript`` and save the minutes into ``out_dir``."""
    minutes = summarize(
        transcript, backend=backend, settings=settings, title=title, progress=progress
    )
    json_path, md_path = save_minutes(minutes, out_dir)
    return minutes, json_path, md_path


def minutes_for_file(
    transcript_path: str | Path,
    out_dir: str | Path,
    *,
    settings: LLMSettings | None = None,
    title: str | None = None,
    progress: Progress | None = None,
) -> tuple[Minutes, Path, Path]:
    """``asr-service minutes TRANSCRIPT --out DIR``: load (JSON or clerk text), summarise, save."""
    return write_minutes(
        load_transcript(transcript_path),
        out_dir,
        settings=settings,
        title=title,
        progress=progress,
    )
