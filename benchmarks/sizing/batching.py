"""Decoding many live streams at once: one batched call versus one call per stream.

A live worker decodes, for each stream, a short window (the current utterance) every partial
interval. Today's worker (:mod:`asr_service.streaming.scheduler`) runs those decodes one after
the other; on a GPU, decoding the windows of all streams in one batch is what makes many streams
per card possible. This measures both ways on the same model, the same windows and the same
greedy live settings, so the report shows what batching across streams buys on this machine:

- sequential: ``model.transcribe(window)`` per stream (what the worker does now);
- batched: the windows of all N streams concatenated and decoded in one
  ``BatchedInferencePipeline.transcribe(..., clip_timestamps=<one clip per stream>,
  batch_size=N)`` call: one encoder and one decoder batch across the streams.

``windows per second`` is the decode throughput: with partials every ``I`` seconds a worker can
feed at most ``windows/s × I`` streams, an upper bound the live ladder then checks end to end.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from faster_whisper import BatchedInferencePipeline

from asr_service.audio import SAMPLE_RATE
from benchmarks.sizing.workload import Recording


def stream_windows(recordings: list[Recording], n: int, window_s: float) -> list[np.ndarray]:
    """``n`` different windows of ``window_s`` seconds taken across the workload's meetings."""
    size = int(window_s * SAMPLE_RATE)
    windows = []
    for i in range(n):
        audio = recordings[i % len(recordings)].audio
        span = max(1, len(audio) - size)
        start = int((i * 3.1 * SAMPLE_RATE) % span)
        window = audio[start : start + size]
        if len(window) < size:
            window = np.pad(window, (0, size - len(window)))
        windows.append(window)
    return windows


def measure_stream_batching(
    model: Any,
    recordings: list[Recording],
    ns: list[int],
    *,
    window_s: float = 5.0,
    repeats: int = 1,
) -> dict[str, Any]:
    """Sequential vs batched decode time of N stream windows, for each N in ``ns``."""
    batched = BatchedInferencePipeline(model)
    options = {"language": "fr", "beam_size": 1, "word_timestamps": True}
    # Warm-up: the first call pays one-off allocations (and CUDA kernels' start-up on a GPU).
    warm = stream_windows(recordings, 1, window_s)[0]
    list(model.transcribe(warm, vad_filter=False, **options)[0])
    rows = []
    for n in ns:
        windows = stream_windows(recordings, n, window_s)
        seq = bat = 0.0
        for _ in range(repeats):
            t0 = time.perf_counter()
            for w in windows:
                list(model.transcribe(w, vad_filter=False, temperature=0.0, **options)[0])
            seq += time.perf_counter() - t0
            joined = np.concatenate(windows)
            clips = [{"start": i * window_s, "end": (i + 1) * window_s} for i in range(n)]
            t0 = time.perf_counter()
            list(batched.transcribe(joined, clip_timestamps=clips, batch_size=n, **options)[0])
            bat += time.perf_counter() - t0
        seq /= repeats
        bat /= repeats
        rows.append(
            {
                "n": n,
                "sequential_s": seq,
                "batched_s": bat,
                "speedup": seq / bat if bat else None,
                "windows_per_s_sequential": n / seq if seq else None,
                "windows_per_s_batched": n / bat if bat else None,
            }
        )
    return {"state": "done", "window_s": window_s, "rows": rows}
