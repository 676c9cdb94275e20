"""WER and real-time factor of our transcription vs plain faster-whisper, same weights, same run.

Baseline: ``WhisperModel(path).transcribe(file, language="fr")`` with faster-whisper's defaults.
Ours: :class:`asr_service.asr.Transcriber` with the service's default settings (or overrides).
Both run interleaved clip by clip so machine noise hits them alike; speed is reported as ratios.

    python -m benchmarks.bench_asr [--limit N] [--set beam_size=5 --set compute_type=int8] [--json F]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from faster_whisper import WhisperModel
from rich.console import Console
from rich.table import Table

from asr_service.asr import Transcriber
from asr_service.audio import decode_audio
from asr_service.config import Settings
from benchmarks.eval_data import Clip, default_eval_dir, french_asr_clips
from benchmarks.scoring import word_errors
from models import ModelStore


def run(clips: list[Clip], settings: Settings, quiet: bool = False) -> dict:
    """Transcribe every clip with both systems; returns per-clip and aggregated figures."""
    store = ModelStore(settings.models_dir, settings.model_paths)
    ours = Transcriber(settings, store)
    baseline = WhisperModel(str(ours.model_path))  # faster-whisper defaults (device/compute auto)
    rows = []
    for clip in clips:
        t0 = time.perf_counter()
        segments, _ = baseline.transcribe(str(clip.audio), language="fr")
        base_text = " ".join(s.text.strip() for s in segments)
        base_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        audio = decode_audio(clip.audio)
        our_text = ours.transcribe(audio).text
        ours_s = time.perf_counter() - t0

        be, n = word_errors(clip.reference or "", base_text)
        oe, _ = word_errors(clip.reference or "", our_text)
        rows.append(
            {
                "clip": clip.clip_id,
                "source": clip.source,
                "duration": len(audio) / 16_000,
                "ref_words": n,
                "base_errors": be,
                "our_errors": oe,
                "base_s": base_s,
                "our_s": ours_s,
                "base_text": base_text,
                "our_text": our_text,
            }
        )
        if not quiet:
            print(f"{clip.clip_id:28s} base {be:3d}/{n:<3d} ours {oe:3d}/{n:<3d}", flush=True)
    return {"settings": ours.info | {"beam_size": settings.beam_size}, "clips": rows}


def summarise(result: dict) -> list[dict]:
    """Per-source and overall WER / RTF rows."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in result["clips"]:
        groups[row["source"]].append(row)
    groups["ALL"] = list(result["clips"])
    table = []
    for source, rows in groups.items():
        words = sum(r["ref_words"] for r in rows) or 1
        dur = sum(r["duration"] for r in rows) or 1
        base_wer = sum(r["base_errors"] for r in rows) / words
        our_wer = sum(r["our_errors"] for r in rows) / words
        base_rtf = sum(r["base_s"] for r in rows) / dur
        our_rtf = sum(r["our_s"] for r in rows) / dur
        table.append(
            {
                "source": source,
                "clips": len(rows),
                "audio_s": dur,
                "base_wer": base_wer,
                "our_wer": our_wer,
                "rel_gain": (base_wer - our_wer) / base_wer if base_wer else 0.0,
                "base_rtf": base_rtf,
                "our_rtf": our_rtf,
                "rtf_ratio": our_rtf / base_rtf if base_rtf else 0.0,
            }
        )
    return table


def print_table(rows: list[dict], settings: dict) -> None:
    table = Table(title=f"French dev WER / RTF — ours {settings} vs plain faster-whisper")
    for col in (
        "source",
        "clips",
        "audio s",
        "WER base",
        "WER ours",
        "rel. gain",
        "RTF base",
        "RTF ours",
        "RTF ratio",
    ):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            r["source"],
            str(r["clips"]),
            f"{r['audio_s']:.0f}",
            f"{r['base_wer']:.1%}",
            f"{r['our_wer']:.1%}",
            f"{r['rel_gain']:+.1%}",
            f"{r['base_rtf']:.3f}",
            f"{r['our_rtf']:.3f}",
            f"{r['rtf_ratio']:.2f}x",
        )
    Console(width=140).print(table)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eval-dir", type=Path, default=default_eval_dir())
    parser.add_argument("--limit", type=int, default=0, help="first N clips only (quick check)")
    parser.add_argument("--set", action="append", default=[], help="setting override key=value")
    parser.add_argument("--json", type=Path, help="write per-clip results and the table here")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    overrides = dict(kv.split("=", 1) for kv in args.set)
    settings = Settings(**overrides)
    clips = french_asr_clips(args.eval_dir)
    if args.limit:
        clips = clips[: args.limit]
    result = run(clips, settings, quiet=args.quiet)
    rows = summarise(result)
    print_table(rows, result["settings"])
    result["table"] = rows
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
