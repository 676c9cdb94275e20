"""``python -m summarizer TRANSCRIPT --out DIR``: the minutes step alone (same as
``asr-service minutes``), for hosts without the full service."""

from __future__ import annotations

import argparse
import sys

from models.store import ModelError
from summarizer.backends import LLMError
from summarizer.transcript_io import TranscriptFormatError
from summarizer.writer import minutes_for_file


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m summarizer",
        description="Write minutes.json and minutes.md from a transcript (JSON or "
        "'[HH:MM:SS] Speaker: text' lines). LLM options: ASR_LLM_* environment variables.",
    )
    ap.add_argument("transcript")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    say = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        minutes, json_path, md_path = minutes_for_file(args.transcript, args.out, progress=say)
    except (FileNotFoundError, TranscriptFormatError, LLMError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if minutes.status == "empty":
        print(minutes.notice, file=sys.stderr)
    print(json_path)
    print(md_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
