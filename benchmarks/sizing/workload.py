"""The standard French workload the sizing bench measures: what audio, how much, from where.

Sizing figures must be comparable between machines, so the workload is fixed and named:

- ``meetings``: multi-speaker French meetings for the file pipeline and the live ladder. Always
  the shipped sample (``asr_service/data/sample_meeting_fr.ogg``, 36 s, two voices, pauses); in the
  full run also the two real-speech meeting mixes of the shared evaluation set
  (``fr/mixes/mix_dev_cid_0{1,2}``, 63 s and 75 s, 6 and 9 speakers) when it is present.
- ``dev clips``: the French dev clips with human references (WER), via ``benchmarks.eval_data``.

A ``max_seconds`` cap trims each meeting (tests use a few seconds); the report records exactly
which audio, and how many seconds of it, every figure comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr_service.audio import SAMPLE_RATE, decode_audio
from benchmarks.eval_data import Clip, default_eval_dir, french_asr_clips, load_clips

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_MEETING = ROOT / "asr_service" / "data" / "sample_meeting_fr.ogg"
EVAL_MEETINGS = ("mix_dev_cid_01", "mix_dev_cid_02")


@dataclass(frozen=True)
class Recording:
    """One meeting recording of the workload, decoded to 16 kHz mono float32."""

    name: str
    path: Path
    audio: np.ndarray

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_RATE


def quiet_cut(audio: np.ndarray, seconds: float, search_s: float = 2.0) -> np.ndarray:
    """Cut ``audio`` near ``seconds``, at the quietest 100 ms of the last ``search_s`` before it.

    A cut in mid-word makes Whisper hesitate over the last fragment (temperature fallbacks), which
    would bill a trimmed test recording for work a real meeting does not cause.
    """
    end = int(seconds * SAMPLE_RATE)
    if end >= len(audio):
        return audio
    frame = SAMPLE_RATE // 10
    start = max(0, end - int(search_s * SAMPLE_RATE))
    energies = [
        (float(np.mean(audio[i : i + frame] ** 2)), i) for i in range(start, end - frame, frame)
    ]
    cut = min(energies)[1] + frame // 2 if energies else end
    return audio[:cut]


def meetings(
    *, full: bool, max_seconds: float | None = None, eval_dir: Path | None = None
) -> list[Recording]:
    """The meeting recordings of the workload (the shipped sample first), trimmed if asked."""
    paths: list[tuple[str, Path]] = [("sample_meeting_fr", SAMPLE_MEETING)]
    if full:
        try:
            by_id = {c.clip_id: c for c in load_clips(eval_dir, split="dev")}
        except FileNotFoundError:
            by_id = {}
        paths += [(cid, by_id[cid].audio) for cid in EVAL_MEETINGS if cid in by_id]
    out = []
    for name, path in paths:
        audio = decode_audio(path)
        if max_seconds:
            audio = quiet_cut(audio, max_seconds)
        out.append(Recording(name=name, path=path, audio=audio))
    return out


def dev_clips(*, limit_seconds: float | None, eval_dir: Path | None = None) -> list[Clip]:
    """French dev clips with references for WER; a source-balanced subset under a time budget.

    With ``limit_seconds`` the clips are taken round-robin over sources, shortest first within a
    source, while they fit in the budget, so a quick run still sees every kind of speech. Empty when
    the evaluation set is absent (the report then says so).
    """
    eval_dir = eval_dir or default_eval_dir()
    try:
        clips = french_asr_clips(eval_dir)
    except FileNotFoundError:
        return []
    if not limit_seconds:
        return clips
    by_source: dict[str, list[Clip]] = {}
    for clip in sorted(clips, key=lambda c: c.duration):
        if clip.duration <= limit_seconds:
            by_source.setdefault(clip.source, []).append(clip)
    chosen: list[Clip] = []
    total = 0.0
    while any(by_source.values()):
        for source in sorted(by_source):
            if by_source[source]:
                clip = by_source[source].pop(0)
                if total + clip.duration <= limit_seconds:  # else try the next source's
                    chosen.append(clip)
                    total += clip.duration
    return chosen
