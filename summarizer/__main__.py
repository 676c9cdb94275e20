"""``python -m summarizer TRANSCRIPT --out DIR``: the minutes step alone (same as
``asr-service minutes``), for hosts without the full service."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from models.store import ModelError
from summarizer.backends import LLMError
from summarizer.transcript_io import TranscriptFormatError
from summarizer.writer import minutes_for_file


def minutes(
    transcript: Path = typer.Argument(..., help="transcript JSON or '[HH:MM:SS] Speaker: text'"),
    out: Path = typer.Option(..., "--out", help="output folder"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress messages"),
) -> None:
    """Write minutes.json and minutes.md from a transcript (JSON or '[HH:MM:SS] Speaker: text'
    lines). LLM options: ASR_LLM_* environment variables."""
    say = None if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        result, json_path, md_path = minutes_for_file(transcript, out, progress=say)
    except (FileNotFoundError, TranscriptFormatError, LLMError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from exc
    if result.status == "empty":
        print(result.notice, file=sys.stderr)
    print(json_path)
    print(md_path)


app = typer.Typer(add_completion=False)
app.command()(minutes)


if __name__ == "__main__":
    app(prog_name="python -m summarizer")
