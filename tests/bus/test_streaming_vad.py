"""The incremental Silero VAD agrees with faster-whisper's whole-buffer VAD, at a fraction of the
work: each 32 ms window is scored once however often the buffer is checked."""

from __future__ import annotations

import numpy as np

from asr_service.streaming.vad import SileroProbabilities, StreamingVad, silero_vad

SR = 16000


class CountingProbabilities(SileroProbabilities):
    def __init__(self) -> None:
        super().__init__()
        self.windows = 0

    def __call__(self, audio: np.ndarray, context: np.ndarray) -> np.ndarray:
        self.windows += len(audio) // 512
        return super().__call__(audio, context)


def test_incremental_regions_match_whole_buffer_vad(french_speech: np.ndarray) -> None:
    reference = silero_vad(min_silence_ms=500, speech_pad_ms=100)(french_speech)
    scorer = CountingProbabilities()
    vad = StreamingVad(scorer, min_silence_s=0.5, speech_pad_s=0.1)
    for end in range(3200, len(french_speech) + 3200, 3200):  # checked every 200 ms
        regions = vad.regions(french_speech[:end], 0)
    assert len(regions) == len(reference) >= 4
    for (a, b), (c, d) in zip(regions, reference, strict=True):
        assert abs(a - c) < 0.1 and abs(b - d) < 0.2
    assert scorer.windows <= len(french_speech) // 512 + 1  # every window scored once


def test_regions_follow_a_moving_cursor(french_speech: np.ndarray) -> None:
    vad = StreamingVad(SileroProbabilities())
    whole = vad.regions(french_speech[: 20 * SR], 0)
    start = int(7.3 * SR)
    later = vad.regions(french_speech[start : 20 * SR], start)
    shifted = [(a - 7.3, b - 7.3) for a, b in whole if b > 7.3]
    assert len(later) == len(shifted)
    for (a, b), (c, d) in zip(later, shifted, strict=True):
        assert abs(max(c, 0) - a) < 0.05 and abs(b - d) < 0.05
