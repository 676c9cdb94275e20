"""Speech regions for diarization when the caller has none (Silero VAD bundled with faster-whisper).

The ASR step usually hands its own VAD regions to the diarizer; this module is the fallback. It
uses tighter settings than transcription (short pauses split regions, little padding) because a
pause is where speakers change, and it runs in ten-minute blocks so memory stays bounded on long
recordings.
"""

from __future__ import annotations

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

SAMPLE_RATE = 16_000
BLOCK_SECONDS = 600.0

DIARIZATION_VAD = VadOptions(
    threshold=0.5,
    min_speech_duration_ms=200,
    min_silence_duration_ms=250,
    speech_pad_ms=60,
)


def speech_regions(
    audio: np.ndarray, options: VadOptions = DIARIZATION_VAD
) -> list[tuple[float, float]]:
    """Sorted ``(start, end)`` seconds of speech in 16 kHz mono float audio."""
    block = int(BLOCK_SECONDS * SAMPLE_RATE)
    regions: list[tuple[float, float]] = []
    for offset in range(0, len(audio), block):
        chunk = np.ascontiguousarray(audio[offset : offset + block], dtype=np.float32)
        if len(chunk) < 512:
            continue
        for ts in get_speech_timestamps(chunk, options, sampling_rate=SAMPLE_RATE):
            start = (offset + ts["start"]) / SAMPLE_RATE
            end = (offset + ts["end"]) / SAMPLE_RATE
            if regions and start - regions[-1][1] <= 0.01:  # joined across a block boundary
                regions[-1] = (regions[-1][0], end)
            else:
                regions.append((start, end))
    return regions


def clean_regions(
    regions: list[tuple[float, float]], duration: float, min_duration: float = 0.0
) -> list[tuple[float, float]]:
    """Regions sorted, clipped to ``[0, duration]``, overlaps joined, too-short ones dropped."""
    out: list[tuple[float, float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in regions):
        start, end = max(0.0, start), min(duration, end)
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return [(s, e) for s, e in out if e - s >= min_duration]
