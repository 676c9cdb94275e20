"""Incremental Silero VAD for live streams: each 32 ms window is scored once, as it arrives.

Running ``get_speech_timestamps`` over the whole uncommitted buffer at every check would cost
O(buffer) per check; here the speech probability of every 512-sample window (aligned on absolute
sample positions) is computed once and cached, so a check costs only the new windows plus a cheap
pass over cached probabilities. Regions come from the same hysteresis as faster-whisper's VAD
(speech from ``threshold``, silence below ``threshold - 0.15`` lasting ``min_silence_s``), with
short blips dropped and ``speech_pad_s`` added on both sides.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

SAMPLE_RATE = 16000
Vad = Callable[[np.ndarray], list[tuple[float, float]]]
"""Speech regions of ``audio`` in seconds relative to its first sample."""
WINDOW = 512
CONTEXT = 64


class SileroProbabilities:
    """Speech probability of 512-sample windows with the Silero model bundled in faster-whisper."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self.model = get_vad_model()

    def __call__(self, audio: np.ndarray, context: np.ndarray) -> np.ndarray:
        """Probabilities of ``audio`` (a whole number of windows) preceded by ``context``."""
        windows = audio.reshape(-1, WINDOW)
        ctx = np.concatenate([context[None, -CONTEXT:], windows[:-1, -CONTEXT:]], axis=0)
        batch = np.concatenate([ctx, windows], axis=1).astype(np.float32)
        h = np.zeros((1, 1, 128), dtype=np.float32)
        c = np.zeros((1, 1, 128), dtype=np.float32)
        out, _, _ = self.model.session.run(None, {"input": batch, "h": h, "c": c})
        return np.asarray(out, dtype=np.float32).reshape(-1)


class StreamingVad:
    """Per-stream VAD state: cached window probabilities from an absolute window index."""

    def __init__(
        self,
        probabilities: SileroProbabilities,
        *,
        threshold: float = 0.5,
        min_silence_s: float = 0.5,
        speech_pad_s: float = 0.1,
        min_speech_s: float = 0.25,
    ):
        self.score = probabilities
        self.threshold = threshold
        self.neg_threshold = max(threshold - 0.15, 0.01)
        self.min_silence = int(min_silence_s * SAMPLE_RATE)
        self.pad = int(speech_pad_s * SAMPLE_RATE)
        self.min_speech = int(min_speech_s * SAMPLE_RATE)
        self.first = 0  # absolute index of the first cached window
        self.probs = np.zeros(0, dtype=np.float32)
        self.tail = np.zeros(CONTEXT, dtype=np.float32)

    def regions(self, audio: np.ndarray, start: int) -> list[tuple[float, float]]:
        """Speech regions of ``audio`` (whose first sample is absolute sample ``start``), in
        seconds relative to ``audio``; only windows not seen before are scored."""
        end = start + len(audio)
        first_needed = start // WINDOW
        if first_needed > self.first:  # forget what was committed or dropped
            drop = min(first_needed - self.first, len(self.probs))
            self.probs = self.probs[drop:]
            self.first = first_needed
        if len(self.probs) == 0:
            self.first = first_needed
        have_until = (self.first + len(self.probs)) * WINDOW
        complete_until = (end // WINDOW) * WINDOW
        if complete_until > have_until:
            lo = have_until - start
            chunk = np.zeros(complete_until - have_until, dtype=np.float32)
            src_lo = max(lo, 0)
            chunk[src_lo - lo :] = audio[src_lo : complete_until - start]
            self.probs = np.concatenate([self.probs, self.score(chunk, self.tail)])
            self.tail = chunk[-CONTEXT:]
        return self._segments(start, end)

    def _segments(self, start: int, end: int) -> list[tuple[float, float]]:
        speeches: list[list[int]] = []
        triggered = False
        temp_end = 0
        begin = 0
        for i, p in enumerate(self.probs):
            pos = (self.first + i) * WINDOW
            if p >= self.threshold:
                temp_end = 0
                if not triggered:
                    triggered, begin = True, pos
                continue
            if triggered and p < self.neg_threshold:
                if not temp_end:
                    temp_end = pos
                if pos + WINDOW - temp_end >= self.min_silence:
                    speeches.append([begin, temp_end])
                    triggered, temp_end = False, 0
        if triggered:
            speeches.append([begin, temp_end or (self.first + len(self.probs)) * WINDOW])
        out: list[tuple[float, float]] = []
        prev_end = start
        for a, b in speeches:
            if b - a < self.min_speech:
                continue
            a = max(a - self.pad, prev_end, start)
            b = min(b + self.pad, end)
            if b > a:
                out.append(((a - start) / SAMPLE_RATE, (b - start) / SAMPLE_RATE))
                prev_end = b
        return out


def silero_vad(
    *, threshold: float = 0.5, min_silence_ms: int = 500, speech_pad_ms: int = 100
) -> Vad:
    """A ``Vad`` backed by the Silero model bundled with faster-whisper."""
    options = VadOptions(
        threshold=threshold, min_silence_duration_ms=min_silence_ms, speech_pad_ms=speech_pad_ms
    )

    def vad(audio: np.ndarray) -> list[tuple[float, float]]:
        chunks = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
        return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]

    return vad
