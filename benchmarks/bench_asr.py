"""WER, speech coverage and real-time factor of our transcription vs plain faster-whisper.

Same weights, same clips, same run; the two systems run interleaved clip by clip so machine noise
hits them alike.

- Baseline: ``WhisperModel(path).transcribe(audio, language=...)`` with faster-whisper's
  defaults (no VAD; word timestamps on where coverage is measured).
- Ours: :class:`asr_service.asr.Transcriber` with the service's default settings (or
  ``--set key=value`` overrides).

Two measurements:

- ``wer``: WER per source on the French dev clips with a human reference.
- ``coverage``: on the multi-speaker recordings (RTTM), clean and in harder variants built in
  memory (:mod:`benchmarks.variants`: speakers at −35…−15 dBFS, babble + room noise at 10 dB SNR,
  8 kHz phone band, reverberation, long pauses), the share of reference speech time covered by
  transcript words, and WER where a reference transcript exists. Files are split once: ``tune``
  (the AMI *dev* excerpts, ``pyannote_sample``, ``fr_street_eslo_dialog``, ``mix_dev_cid_01``)
  for tuning, ``heldout`` (the others) for the figure to report.

Coverage: reference speech is the union of RTTM turns inside the UEM; a transcript covers the
time of its words, consecutive words less than 0.5 s apart joined (a pause inside a phrase is
part of it), each covered stretch widened by 0.25 s each side (word timestamps are approximate,
as DER's collar admits): :func:`asr_service.speech.word_coverage`, the rule the pipeline's second
look uses.

    python -m benchmarks.bench_asr --mode wer [--limit N] [--set beam_size=5] [--json F]
    python -m benchmarks.bench_asr --mode coverage --split heldout [--variants clean,babble]
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import typer
from faster_whisper import WhisperModel
from rich.console import Console
from rich.table import Table

from asr_service.asr import Transcriber
from asr_service.audio import decode_audio
from asr_service.config import Settings
from asr_service.speech import union_spans, word_coverage
from benchmarks.eval_data import Clip, default_eval_dir, french_asr_clips, load_clips
from benchmarks.scoring import word_errors
from benchmarks.variants import VARIANTS, babble_source, make_variant, stretch_uem
from diarization.scoring import read_rttm, read_uem
from diarization.turns import SpeakerTurn
from models import ModelStore

SR = 16_000
TUNE = frozenset(
    {
        "fr_street_eslo_dialog",
        "mix_dev_cid_01",
        "ami_pyannote_dev00",
        "ami_pyannote_dev01",
        "pyannote_sample",
    }
)
"""Files that tuning may look at; every other multi-speaker file is held out."""


# -- coverage -------------------------------------------------------------------------------------
def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """Total length of the intersection of two sorted, disjoint span lists."""
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0.0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def reference_speech(
    turns: list[SpeakerTurn], uem: list[tuple[float, float]] | None
) -> list[tuple[float, float]]:
    """Reference speech: the union of the turns, inside the scored regions when given."""
    speech = union_spans([(t.start, t.end) for t in turns])
    if not uem:
        return speech
    scored = union_spans(uem)
    out = []
    for s, e in speech:
        for us, ue in scored:
            lo, hi = max(s, us), min(e, ue)
            if hi > lo:
                out.append((lo, hi))
    return out


def coverage(
    turns: list[SpeakerTurn],
    uem: list[tuple[float, float]] | None,
    words: list[tuple[float, float]],
) -> tuple[float, float]:
    """(covered share of reference speech, reference speech seconds)."""
    ref = reference_speech(turns, uem)
    total = sum(e - s for s, e in ref)
    if total <= 0:
        return 1.0, 0.0
    return _intersect(ref, word_coverage(words)) / total, total


# -- systems --------------------------------------------------------------------------------------
@dataclass
class Systems:
    """Our transcriber and plain faster-whisper on the same weights."""

    ours: Transcriber
    plain: WhisperModel

    @classmethod
    def load(cls, settings: Settings) -> Systems:
        store = ModelStore(settings.models_dir, settings.model_paths)
        ours = Transcriber(settings, store)
        # faster-whisper defaults (device/compute auto), the same CTranslate2 folder
        return cls(ours, WhisperModel(str(ours.model_path)))

    def run_plain(self, audio: np.ndarray, language: str, words: bool) -> tuple[str, list, float]:
        t0 = time.perf_counter()
        segments, _ = self.plain.transcribe(audio, language=language, word_timestamps=words)
        segments = list(segments)
        spent = time.perf_counter() - t0
        text = " ".join(s.text.strip() for s in segments)
        spans = [(w.start, w.end) for s in segments for w in (s.words or [])]
        return text, spans, spent

    def run_ours(self, audio: np.ndarray, language: str) -> tuple[str, list, float, list]:
        t0 = time.perf_counter()
        transcript = self.ours.transcribe(audio, language=language)
        spent = time.perf_counter() - t0
        spans = [(w.start, w.end) for s in transcript.segments for w in s.words]
        return transcript.text, spans, spent, transcript.dropped


# -- WER on the French dev clips ------------------------------------------------------------------
def run(clips: list[Clip], settings: Settings, quiet: bool = False) -> dict:
    """Transcribe every clip with both systems; returns per-clip and aggregated figures."""
    systems = Systems.load(settings)
    rows = []
    for clip in clips:
        audio = decode_audio(clip.audio)
        base_text, _, base_s = systems.run_plain(audio, "fr", words=False)
        our_text, _, ours_s, _ = systems.run_ours(audio, "fr")
        be, n = word_errors(clip.reference or "", base_text)
        oe, _ = word_errors(clip.reference or "", our_text)
        rows.append(
            {
                "clip": clip.clip_id,
                "source": clip.source,
                "duration": len(audio) / SR,
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
    return {"settings": systems.ours.info | {"beam_size": settings.beam_size}, "clips": rows}


def summarise(result: dict, key: str = "source") -> list[dict]:
    """Per-``key`` and overall WER / RTF rows; ``rel_gain`` > 0 means ours has fewer errors."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in result["clips"]:
        groups[row[key]].append(row)
    groups["ALL"] = list(result["clips"])
    table = []
    for name, rows in groups.items():
        words = sum(r["ref_words"] for r in rows) or 1
        dur = sum(r["duration"] for r in rows) or 1
        base_wer = sum(r["base_errors"] for r in rows) / words
        our_wer = sum(r["our_errors"] for r in rows) / words
        base_rtf = sum(r["base_s"] for r in rows) / dur
        our_rtf = sum(r["our_s"] for r in rows) / dur
        table.append(
            {
                "source": name,
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
        "WER rel. gain",
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


# -- coverage on multi-speaker recordings and their variants -------------------------------------
def multi_clips(eval_dir: Path, split: str) -> list[Clip]:
    """Multi-speaker recordings with an RTTM, in the ``tune`` or ``heldout`` split (or ``all``)."""
    clips = [c for c in load_clips(eval_dir) if c.type == "multi" and c.rttm]
    if split == "tune":
        return [c for c in clips if c.clip_id in TUNE]
    if split == "heldout":
        return [c for c in clips if c.clip_id not in TUNE]
    return clips


def run_coverage(
    clips: list[Clip],
    settings: Settings,
    variants: list[str],
    eval_dir: Path,
    quiet: bool = False,
) -> dict:
    """Coverage (and WER where referenced) of both systems on every clip × variant."""
    systems = Systems.load(settings)
    voices = babble_source(eval_dir) if "babble" in variants else None
    rows = []
    for clip in clips:
        audio0 = decode_audio(clip.audio)
        turns0 = read_rttm(clip.rttm)
        uem0 = read_uem(clip.uem) if clip.uem else None
        language = clip.lang[:2]
        for variant in variants:
            audio, turns = make_variant(variant, clip.clip_id, audio0, turns0, voices=voices)
            uem = stretch_uem(uem0, len(audio0) / SR, len(audio) / SR)
            base_text, base_words, base_s = systems.run_plain(audio, language, words=True)
            our_text, our_words, ours_s, dropped = systems.run_ours(audio, language)
            base_cov, speech_s = coverage(turns, uem, base_words)
            our_cov, _ = coverage(turns, uem, our_words)
            row = {
                "clip": clip.clip_id,
                "variant": variant,
                "lang": language,
                "duration": len(audio) / SR,
                "speech_s": speech_s,
                "base_cov": base_cov,
                "our_cov": our_cov,
                "base_s": base_s,
                "our_s": ours_s,
                "dropped": [d.model_dump() for d in dropped],
                "ref_words": 0,
                "base_errors": 0,
                "our_errors": 0,
            }
            if clip.reference and language == "fr":
                row["base_errors"], row["ref_words"] = word_errors(clip.reference, base_text)
                row["our_errors"], _ = word_errors(clip.reference, our_text)
                row["base_text"], row["our_text"] = base_text, our_text
            rows.append(row)
            if not quiet:
                print(
                    f"{clip.clip_id:26s} {variant:7s} coverage base {base_cov:6.1%} "
                    f"ours {our_cov:6.1%}  dropped {len(dropped):2d}  "
                    f"errors base {row['base_errors']:3d} ours {row['our_errors']:3d}"
                    f"/{row['ref_words']}",
                    flush=True,
                )
    return {"settings": systems.ours.info, "coverage": rows}


def summarise_coverage(rows: list[dict]) -> list[dict]:
    """Per-variant rows: lowest file coverage, speech-weighted coverage, WER, RTF."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["variant"]].append(row)
    groups["ALL"] = list(rows)
    out = []
    for name, group in groups.items():
        speech = sum(r["speech_s"] for r in group) or 1.0
        words = sum(r["ref_words"] for r in group)
        dur = sum(r["duration"] for r in group) or 1.0
        out.append(
            {
                "variant": name,
                "files": len(group),
                "base_cov_min": min(r["base_cov"] for r in group),
                "our_cov_min": min(r["our_cov"] for r in group),
                "base_cov": sum(r["base_cov"] * r["speech_s"] for r in group) / speech,
                "our_cov": sum(r["our_cov"] * r["speech_s"] for r in group) / speech,
                "base_wer": sum(r["base_errors"] for r in group) / words if words else None,
                "our_wer": sum(r["our_errors"] for r in group) / words if words else None,
                "dropped": sum(len(r["dropped"]) for r in group),
                "base_rtf": sum(r["base_s"] for r in group) / dur,
                "our_rtf": sum(r["our_s"] for r in group) / dur,
            }
        )
    return out


def print_coverage(rows: list[dict], split: str) -> None:
    table = Table(title=f"Speech coverage, multi-speaker files ({split}) — ours vs plain")
    for col in (
        "variant",
        "files",
        "cov min base",
        "cov min ours",
        "cov base",
        "cov ours",
        "WER base",
        "WER ours",
        "dropped",
        "RTF base",
        "RTF ours",
    ):
        table.add_column(col, justify="right")

    def pct(x: float | None) -> str:
        return "—" if x is None else f"{x:.1%}"

    for r in rows:
        table.add_row(
            r["variant"],
            str(r["files"]),
            pct(r["base_cov_min"]),
            pct(r["our_cov_min"]),
            pct(r["base_cov"]),
            pct(r["our_cov"]),
            pct(r["base_wer"]),
            pct(r["our_wer"]),
            str(r["dropped"]),
            f"{r['base_rtf']:.3f}",
            f"{r['our_rtf']:.3f}",
        )
    Console(width=160).print(table)


def main(
    mode: str = typer.Option("all", help="wer | coverage | all"),
    split: str = typer.Option("heldout", help="coverage files: tune | heldout | all"),
    variants: str = typer.Option(",".join(VARIANTS), help="comma-separated coverage variants"),
    clip: list[str] = typer.Option([], help="only these clip ids (repeatable)"),
    eval_dir: Path = typer.Option(default_eval_dir(), help="evaluation set"),
    limit: int = typer.Option(0, help="first N clips only (quick check)"),
    set_: list[str] = typer.Option([], "--set", help="setting override key=value (repeatable)"),
    json_path: Path | None = typer.Option(None, "--json", help="write all results here"),
    quiet: bool = typer.Option(False, help="no per-clip lines"),
) -> dict:
    """WER per source and speech coverage of ours vs plain faster-whisper (same weights)."""
    if mode not in ("wer", "coverage", "all"):
        raise typer.BadParameter(f"--mode must be wer, coverage or all, not {mode!r}")
    if split not in ("tune", "heldout", "all"):
        raise typer.BadParameter(f"--split must be tune, heldout or all, not {split!r}")
    chosen = [v.strip() for v in variants.split(",") if v.strip()]
    unknown = sorted(set(chosen) - set(VARIANTS))
    if unknown:
        raise typer.BadParameter(f"unknown variants {unknown}; choose among {VARIANTS}")
    settings = Settings(**dict(kv.split("=", 1) for kv in set_))
    result: dict = {}
    if mode in ("wer", "all"):
        clips = french_asr_clips(eval_dir)
        clips = [c for c in clips if not clip or c.clip_id in clip]
        if limit:
            clips = clips[:limit]
        result = run(clips, settings, quiet=quiet)
        rows = summarise(result)
        print_table(rows, result["settings"])
        result["table"] = rows
    if mode in ("coverage", "all"):
        clips = [c for c in multi_clips(eval_dir, split) if not clip or c.clip_id in clip]
        if limit:
            clips = clips[:limit]
        cov = run_coverage(clips, settings, chosen, eval_dir, quiet=quiet)
        table = summarise_coverage(cov["coverage"])
        print_coverage(table, split)
        result["coverage"] = cov["coverage"]
        result["coverage_table"] = table
        result.setdefault("settings", cov["settings"])
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return result


if __name__ == "__main__":
    typer.run(main)
