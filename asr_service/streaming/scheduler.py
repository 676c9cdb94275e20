"""One decode thread shared by every live stream of a worker, plus adapters to the Transcriber.

Whisper decoding is CPU-bound and the model is shared, so a worker runs decodes one at a time in a
dedicated thread (CTranslate2 uses the cores inside one decode) and keeps its asyncio loop free for
the bus. Jobs are ordered by priority, then arrival: commits (end of utterance, the latency users
feel) go before partials, so under load partial cadence degrades first while commits stay prompt.
VAD checks run in a second small thread: they are cheap and must not wait behind decodes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from asr_service.streaming.policy import SAMPLE_RATE, Decode, Vad
from asr_service.transcript import Segment, Word

T = TypeVar("T")

PRIORITY_COMMIT = 0
PRIORITY_PARTIAL = 1
LIVE_NO_SPEECH_THRESHOLD = 0.9


class DecodeScheduler:
    """Serialises decode jobs on one thread by (priority, arrival); counts busy time."""

    def __init__(self) -> None:
        self._decode_pool = ThreadPoolExecutor(1, thread_name_prefix="asr-decode")
        self._vad_pool = ThreadPoolExecutor(1, thread_name_prefix="asr-vad")
        self._queue: asyncio.PriorityQueue[tuple[int, int, Callable[[], Any], asyncio.Future]] = (
            asyncio.PriorityQueue()
        )
        self._counter = itertools.count()
        self._runner: asyncio.Task | None = None
        self.busy_s = 0.0
        self.jobs = 0

    def _ensure_runner(self) -> None:
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._run())

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def decode(self, fn: Callable[[], T], *, priority: int = PRIORITY_PARTIAL) -> T:
        """Run ``fn`` on the decode thread once every job ahead of it is done."""
        self._ensure_runner()
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        await self._queue.put((priority, next(self._counter), fn, fut))
        return await fut

    async def vad(self, fn: Callable[[], T]) -> T:
        """Run a cheap VAD check off the event loop, without queueing behind decodes."""
        return await asyncio.get_running_loop().run_in_executor(self._vad_pool, fn)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            _, _, fn, fut = await self._queue.get()
            if fut.cancelled():
                continue
            t0 = time.perf_counter()
            try:
                result = await loop.run_in_executor(self._decode_pool, fn)
            except Exception as exc:  # noqa: BLE001 - handed to the awaiting stream
                if not fut.done():
                    fut.set_exception(exc)
            else:
                if not fut.done():
                    fut.set_result(result)
            finally:
                self.busy_s += time.perf_counter() - t0
                self.jobs += 1

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        self._decode_pool.shutdown(wait=True, cancel_futures=True)
        self._vad_pool.shutdown(wait=True, cancel_futures=True)


def transcriber_decoder(
    transcriber: Any,
    *,
    language: str = "fr",
    vocabulary: Sequence[str] | None = None,
    beam_size: int = 1,
) -> Decode:
    """A ``Decode`` for live passes on the transcriber's shared model.

    Greedy (``beam_size`` 1), one temperature (no fallback re-decodes: compute stays bounded),
    word timestamps (needed for LocalAgreement cuts), no second VAD (the policy already did it),
    then the transcriber's hallucination guards.
    """
    from asr_service.hallucinations import clean_segments

    settings = transcriber.settings
    vocab = list(vocabulary or [])
    lock = getattr(transcriber, "lock", None) or contextlib.nullcontext()

    def decode(audio: np.ndarray, offset: float, words: bool = True) -> list[Segment]:
        if len(audio) < SAMPLE_RATE // 10:
            return []
        with lock:
            segments, _ = transcriber.model.transcribe(
                audio,
                language=language,
                beam_size=beam_size,
                temperature=0.0,
                word_timestamps=words,
                condition_on_previous_text=False,
                vad_filter=False,
                hotwords=", ".join(vocab) if vocab else None,
                # VAD has already found speech here: Whisper's own silence skip (no-speech
                # probability) drops real but unusual speech, so only extreme cases are removed.
                no_speech_threshold=None,
            )
            raw = [_to_segment(seg, i, offset) for i, seg in enumerate(segments)]
        kept, _ = clean_segments(
            raw,
            phrases=settings.hallucination_phrases,
            no_speech_threshold=max(settings.no_speech_threshold, LIVE_NO_SPEECH_THRESHOLD),
            logprob_threshold=settings.logprob_threshold,
            max_repeats=settings.max_repeats,
            vocabulary=vocab,
        )
        return kept

    return decode


def _to_segment(seg: Any, index: int, offset: float) -> Segment:
    words = [
        Word(
            start=round(offset + w.start, 3),
            end=round(offset + w.end, 3),
            word=w.word,
            probability=round(w.probability, 4),
        )
        for w in (seg.words or [])
    ]
    return Segment(
        id=index,
        start=round(offset + seg.start, 3),
        end=round(offset + seg.end, 3),
        text=seg.text.strip(),
        words=words,
        avg_logprob=seg.avg_logprob,
        no_speech_prob=seg.no_speech_prob,
        compression_ratio=seg.compression_ratio,
    )


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


def transcriber_vad(transcriber: Any, *, min_silence_ms: int = 500) -> Vad:
    """Silero VAD with the transcriber's threshold and the streaming pause length."""
    threshold = getattr(getattr(transcriber, "settings", None), "vad_threshold", 0.5)
    return silero_vad(threshold=threshold, min_silence_ms=min_silence_ms)
