"""Signal-level helpers of the speech-coverage guarantee: levelling for VAD, energy in rejections.

Silero VAD scores quiet and far-field voices lower than close ones, so a meeting where one
participant sits far from the microphone loses that participant's words. Two numpy helpers
guard against that: :func:`level_for_vad` gives the detector a copy of the audio whose short-term
loudness is raised towards a common level (Whisper still hears the original), and
:func:`rejected_with_energy` finds, among the stretches the detector rejected, those that carry
clearly more energy than the recording's noise floor, for a second decode.
"""

from __future__ import annotations

import numpy as np

from asr_service.audio import SAMPLE_RATE

FRAME = 480  # 30 ms analysis frames
FRAME_BLOCK = 4096  # frames converted to float64 at a time (~16 MB)
TARGET_DBFS = -20.0  # short-term level the VAD copy is raised towards
MAX_GAIN_DB = 24.0  # never raise a stretch by more than this (noise stays noise)
LEVEL_WINDOW_S = 0.5  # short-term loudness window
FLOOR_PERCENTILE = 10  # frame-level percentile taken as the noise floor
ENERGY_ABOVE_FLOOR_DB = 8.0  # a frame this far above the floor may be speech
ABSOLUTE_MIN_DBFS = -55.0  # ...and never quieter than this
MIN_ACTIVE_S = 0.2  # a rejected stretch needs this much energetic audio to get a second look
JOIN_GAP_S = 0.3  # energetic runs closer than this are one stretch
PAD_S = 0.2  # context kept around a stretch (inside the rejected gap)
WORD_JOIN_S = 0.5  # words closer than this cover the pause between them
WORD_COLLAR_S = 0.25  # time each side of a word counted as covered (timestamps are approximate)
MIN_HOLE_S = 0.4  # speech without words shorter than this is not decoded again
CLIP_CONTEXT_S = 0.5  # audio decoded each side of a hole, for context


def _frame_db(audio: np.ndarray) -> np.ndarray:
    """RMS level (dBFS) of each 30 ms frame."""
    n = len(audio) // FRAME
    frames = audio[: n * FRAME].reshape(n, FRAME)
    power = np.empty(n)
    for i in range(0, n, FRAME_BLOCK):  # float64 a block at a time, not a copy of the recording
        power[i : i + FRAME_BLOCK] = (frames[i : i + FRAME_BLOCK].astype(np.float64) ** 2).mean(1)
    return 20 * np.log10(np.maximum(np.sqrt(power), 1e-6))


def level_for_vad(audio: np.ndarray) -> np.ndarray:
    """A copy of ``audio`` with quiet stretches raised towards ``TARGET_DBFS`` (by at most
    ``MAX_GAIN_DB``; loud stretches are never lowered), gain smoothed over 0.5 s.

    Stretches at the noise floor are not raised, so stationary noise does not become loud.
    """
    audio = np.asarray(audio, dtype=np.float32)
    db = _frame_db(audio)
    if len(db) == 0:
        return audio
    width = max(1, int(LEVEL_WINDOW_S * SAMPLE_RATE / FRAME))
    power = np.convolve(10 ** (db / 10), np.ones(width) / width, mode="same")
    level = 10 * np.log10(np.maximum(power, 1e-12))
    floor = float(np.percentile(db, FLOOR_PERCENTILE))
    gain_db = np.clip(TARGET_DBFS - level, 0.0, MAX_GAIN_DB)
    # no gain where the stretch is no louder than the floor (noise, room tone)
    gain_db = np.where(level > max(floor, -90.0) + 6.0, gain_db, 0.0)
    gain_db = np.convolve(gain_db, np.ones(width) / width, mode="same")
    frame_centres = (np.arange(len(db)) + 0.5) * FRAME
    gain = 10 ** (np.interp(np.arange(len(audio)), frame_centres, gain_db) / 20)
    return np.clip(audio * gain, -1.0, 1.0).astype(np.float32)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) index pairs of the True runs of ``mask``."""
    if not mask.any():
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def rejected_with_energy(audio: np.ndarray, chunks: list[dict[str, int]]) -> list[tuple[int, int]]:
    """(start, end) sample spans outside the VAD's ``chunks`` with energy well above the
    recording's noise floor: at least ``MIN_ACTIVE_S`` of frames ``ENERGY_ABOVE_FLOOR_DB`` above
    it, runs joined across ``JOIN_GAP_S``, padded by ``PAD_S`` without entering a chunk."""
    audio = np.asarray(audio, dtype=np.float32)
    db = _frame_db(audio)
    if len(db) == 0:
        return []
    floor = float(np.percentile(db, FLOOR_PERCENTILE))
    active = db > max(floor + ENERGY_ABOVE_FLOOR_DB, ABSOLUTE_MIN_DBFS)
    covered = np.zeros(len(db), dtype=bool)
    for c in chunks:
        covered[c["start"] // FRAME : -(-c["end"] // FRAME)] = True
    candidate = active & ~covered
    join = int(JOIN_GAP_S * SAMPLE_RATE / FRAME)
    runs: list[list[int]] = []
    for a, b in _runs(candidate):
        if runs and a - runs[-1][1] <= join and not covered[runs[-1][1] : a].any():
            runs[-1][1] = b
        else:
            runs.append([a, b])
    pad = int(PAD_S * SAMPLE_RATE / FRAME)
    out: list[tuple[int, int]] = []
    for a, b in runs:
        if candidate[a:b].sum() * FRAME < MIN_ACTIVE_S * SAMPLE_RATE:
            continue
        lo, hi = a, b
        while lo > 0 and a - lo < pad and not covered[lo - 1]:
            lo -= 1
        while hi < len(db) and hi - b < pad and not covered[hi]:
            hi += 1
        out.append((lo * FRAME, min(len(audio), hi * FRAME)))
    return out


def union_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The union of time spans, sorted and disjoint (empty spans dropped). The ASR benchmark
    scores with it too."""
    out: list[list[float]] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def word_coverage(words: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Time covered by transcript words (seconds): words closer than ``WORD_JOIN_S`` joined,
    each stretch widened by ``WORD_COLLAR_S``. The coverage benchmark measures with it too."""
    joined: list[list[float]] = []
    for s, e in sorted(words):
        if joined and s - joined[-1][1] < WORD_JOIN_S:
            joined[-1][1] = max(joined[-1][1], e)
        else:
            joined.append([s, e])
    return union_spans([(s - WORD_COLLAR_S, e + WORD_COLLAR_S) for s, e in joined])


def uncovered_speech(
    speech: list[tuple[float, float]], words: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Stretches of ``speech`` (seconds) not covered by ``words``, at least ``MIN_HOLE_S`` long."""
    covered = word_coverage(words)
    holes = []
    for s, e in union_spans(speech):
        pieces = [(s, e)]
        for cs, ce in covered:
            if ce <= s or cs >= e:
                continue
            nxt = []
            for ps, pe in pieces:
                if ce <= ps or cs >= pe:
                    nxt.append((ps, pe))
                    continue
                if cs > ps:
                    nxt.append((ps, cs))
                if ce < pe:
                    nxt.append((ce, pe))
            pieces = nxt
        holes += [(ps, pe) for ps, pe in pieces if pe - ps >= MIN_HOLE_S]
    return holes


def padded_clips(holes: list[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """Holes widened by ``CLIP_CONTEXT_S`` of context (inside the audio), overlaps joined."""
    return union_spans(
        [(max(0.0, s - CLIP_CONTEXT_S), min(duration, e + CLIP_CONTEXT_S)) for s, e in holes]
    )
