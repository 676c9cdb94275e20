"""One decode thread shared by every live stream of a worker, plus adapters to the Transcriber.

Whisper decoding is CPU-bound and the model is shared, so a worker runs decodes one at a time in a
dedicated thread (CTranslate2 uses the cores inside one decode) and keeps its asyncio loop free for
the bus. Jobs are ordered by priority, then arrival: commits (end of utterance, the latency users
feel) go before partials, so under load partial cadence degrades first while commits stay prompt.
VAD checks run in a second small thread: they are cheap and must not wait behind decodes.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from asr_service.asr import LIVE_WINDOW_MARGIN_S, live_window_s, to_segment
from asr_service.hallucinations import clean_segments
from asr_service.streaming.policy import SAMPLE_RATE, Decode, DecodeRequest, Vad
from asr_service.transcript import Segment, Word

T = TypeVar("T")
DecodeMany = Callable[[list[DecodeRequest]], list[list[Segment]]]

PRIORITY_COMMIT = 0
PRIORITY_PARTIAL = 1
PACK_GAP_S = 1.0
"""Silence between two streams' audio packed into one Whisper window."""
LIVE_NO_SPEECH_THRESHOLD = 0.9
LIVE_TOKENS_PER_S = 12
"""Cap on tokens a live decode may generate per second of audio (fast French speech makes about
nine): a decode that starts looping stops early instead of holding the decoder for seconds."""


class DecodeScheduler:
    """Runs decode requests on one thread by (priority, arrival), packing several per pass.

    ``decode_many(requests) -> segments per request`` is the decoder; jobs still queued when the
    thread frees up are taken together (up to ``pack_s`` seconds of audio), so N streams cost one
    Whisper pass instead of N when the worker is busy (see :func:`packed_decoder`).
    """

    def __init__(self, decode_many: DecodeMany, *, pack_s: float = 28.0) -> None:
        self.decode_many = decode_many
        self.pack_s = pack_s
        self._decode_pool = ThreadPoolExecutor(1, thread_name_prefix="asr-decode")
        self._vad_pool = ThreadPoolExecutor(1, thread_name_prefix="asr-vad")
        self._queue: list[tuple[int, int, DecodeRequest, asyncio.Future]] = []
        self._wakeup: asyncio.Event | None = None
        self._counter = itertools.count()
        self._runner: asyncio.Task | None = None
        self.busy_s = 0.0
        self.passes = 0
        self.jobs = 0
        self._recent: collections.deque[tuple[float, float]] = collections.deque()
        """(start, end) of the passes of the last few seconds, for :meth:`load`."""
        self._started: float | None = None
        """Start of the pass running now."""

    def _ensure_runner(self) -> None:
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._run())

    @property
    def busy(self) -> bool:
        """A decode pass is running."""
        return self._started is not None

    @property
    def pending(self) -> int:
        return len(self._queue)

    @property
    def pending_seconds(self) -> float:
        return sum(item[2].seconds for item in self._queue)

    async def decode(self, request: DecodeRequest, *, priority: int = PRIORITY_PARTIAL) -> Any:
        """Segments of ``request`` once every job ahead of it is done (or packed with it)."""
        self._ensure_runner()
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (priority, next(self._counter), request, fut))
        assert self._wakeup is not None
        self._wakeup.set()
        return await fut

    async def vad(self, fn: Callable[[], T]) -> T:
        """Run a cheap VAD check off the event loop, without queueing behind decodes."""
        return await asyncio.get_running_loop().run_in_executor(self._vad_pool, fn)

    def load(self, window_s: float = 5.0) -> float:
        """Share of the last ``window_s`` seconds the decode thread spent decoding (0-1)."""
        now = time.monotonic()
        since = now - window_s
        while self._recent and self._recent[0][1] < since:
            self._recent.popleft()
        busy = sum(end - max(start, since) for start, end in self._recent)
        if self._started is not None:
            busy += now - max(self._started, since)
        return min(1.0, busy / window_s)

    def _take(self) -> list[tuple[int, int, DecodeRequest, asyncio.Future]]:
        """The first job plus following ones (priority order) while they fit in one pass."""
        batch = [heapq.heappop(self._queue)]
        total = batch[0][2].seconds
        keep = []
        while self._queue:
            item = heapq.heappop(self._queue)
            if total + item[2].seconds + PACK_GAP_S <= self.pack_s:
                batch.append(item)
                total += item[2].seconds + PACK_GAP_S
            else:
                keep.append(item)
        for item in keep:
            heapq.heappush(self._queue, item)
        return [item for item in batch if not item[3].cancelled()]

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wakeup is not None
        while True:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            batch = self._take()
            if not batch:
                continue
            requests = [item[2] for item in batch]
            self._started = time.monotonic()
            try:
                results = await loop.run_in_executor(self._decode_pool, self.decode_many, requests)
            except Exception as exc:  # noqa: BLE001 - handed to the awaiting streams
                for *_, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
            else:
                for (*_, fut), segments in zip(batch, results, strict=True):
                    if not fut.done():
                        fut.set_result(segments)
            finally:
                end = time.monotonic()
                self._recent.append((self._started, end))
                self.busy_s += end - self._started
                self._started = None
                self.passes += 1
                self.jobs += len(batch)

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        self._decode_pool.shutdown(wait=True, cancel_futures=True)
        self._vad_pool.shutdown(wait=True, cancel_futures=True)


class LiveDecoding:
    """Live-pass decoding on the transcriber's shared model: the Whisper options and guards
    common to single and packed decodes.

    Greedy (``beam_size`` 1), one temperature (no fallback re-decodes) and a token cap
    (``LIVE_TOKENS_PER_S``): compute per decode stays bounded. No second VAD (the policy already
    did it), the vocabulary as hotwords, a short encoder window when the audio fits in it
    (``encoder_window_s``, see :class:`asr_service.asr.WindowedWhisperModel`), then the
    transcriber's hallucination guards.
    """

    def __init__(
        self,
        transcriber: Any,
        *,
        language: str = "fr",
        vocabulary: Sequence[str] | None = None,
        beam_size: int = 1,
        encoder_window_s: float = 0.0,
    ) -> None:
        self.transcriber = transcriber
        self.settings = transcriber.settings
        self.language = language
        self.vocabulary = list(vocabulary or [])
        self.beam_size = beam_size
        self.encoder_window_s = encoder_window_s
        self.lock = getattr(transcriber, "lock", None) or contextlib.nullcontext()

    def transcribe(self, audio: np.ndarray, *, words: bool) -> list[Any]:
        """faster-whisper segments of ``audio`` (times relative to its first sample)."""
        model = self.transcriber.model
        window = live_window_s(len(audio) / SAMPLE_RATE, self.encoder_window_s)
        with self.lock, model.encoder_window(window):
            segments, _ = model.transcribe(
                audio,
                language=self.language,
                beam_size=self.beam_size,
                temperature=0.0,
                word_timestamps=words,
                condition_on_previous_text=False,
                vad_filter=False,
                hotwords=", ".join(self.vocabulary) if self.vocabulary else None,
                # VAD has already found speech here: Whisper's own silence skip (no-speech
                # probability) drops real but unusual speech, so only extreme cases are removed.
                no_speech_threshold=None,
                max_new_tokens=min(16 + int(LIVE_TOKENS_PER_S * len(audio) / SAMPLE_RATE), 220),
            )
            return list(segments)

    def clean(self, segments: list[Segment]) -> list[Segment]:
        """The hallucination guards, with the live pass's lenient no-speech threshold."""
        s = self.settings
        kept, _ = clean_segments(
            segments,
            phrases=s.hallucination_phrases,
            no_speech_threshold=max(s.no_speech_threshold, LIVE_NO_SPEECH_THRESHOLD),
            logprob_threshold=s.logprob_threshold,
            max_repeats=s.max_repeats,
            vocabulary=self.vocabulary,
        )
        return kept


def pack_limit_s(encoder_window_s: float) -> float:
    """Most audio (gaps included) to pack into one live decode: what still gets the short
    encoder window, or nearly 30 s when short windows are off."""
    if encoder_window_s > LIVE_WINDOW_MARGIN_S:
        return encoder_window_s - LIVE_WINDOW_MARGIN_S
    return 28.0


def transcriber_decoder(transcriber: Any, **options: Any) -> Decode:
    """A ``Decode`` for live passes on the transcriber's shared model (see :class:`LiveDecoding`
    for ``options``)."""
    live = LiveDecoding(transcriber, **options)

    def decode(audio: np.ndarray, offset: float, words: bool = True) -> list[Segment]:
        if len(audio) < SAMPLE_RATE // 10:
            return []
        raw = live.transcribe(audio, words=words)
        return live.clean([to_segment(seg, i, offset) for i, seg in enumerate(raw)])

    return decode


def packed_decoder(transcriber: Any, **options: Any) -> DecodeMany:
    """Decode several streams' requests in one Whisper pass.

    Whisper's encoder processes a whole window whatever the audio in it, so several short
    utterances cost little more than one. The requests are laid end to end with ``PACK_GAP_S`` of
    silence between them, decoded once with word timestamps, and every word goes back to the
    request its time falls in (then the hallucination guards run per request). One request alone
    is decoded as is.
    """
    live = LiveDecoding(transcriber, **options)
    single = transcriber_decoder(transcriber, **options)
    gap = int(PACK_GAP_S * SAMPLE_RATE)

    def decode_many(requests: list[DecodeRequest]) -> list[list[Segment]]:
        if len(requests) == 1:
            r = requests[0]
            return [single(r.audio, r.offset, r.words)]
        parts, spans, pos = [], [], 0
        for r in requests:
            spans.append((pos / SAMPLE_RATE, (pos + len(r.audio)) / SAMPLE_RATE))
            parts += [r.audio, np.zeros(gap, dtype=np.float32)]
            pos += len(r.audio) + gap
        decoded = live.transcribe(np.concatenate(parts), words=True)
        per_request: list[list[Segment]] = [[] for _ in requests]
        half_gap = PACK_GAP_S / 2
        for seg in decoded:
            groups: dict[int, list[Any]] = {}
            for w in seg.words or []:
                mid = (w.start + w.end) / 2
                i = next(
                    (k for k, (a, b) in enumerate(spans) if a - half_gap <= mid < b + half_gap),
                    None,
                )
                if i is not None:
                    groups.setdefault(i, []).append(w)
            for i, ws in groups.items():
                a, b = spans[i]
                r = requests[i]
                words = [
                    Word(
                        start=round(r.offset + min(max(w.start - a, 0.0), b - a), 3),
                        end=round(r.offset + min(max(w.end - a, 0.0), b - a), 3),
                        word=w.word,
                        probability=round(w.probability, 4),
                    )
                    for w in ws
                ]
                text = "".join(w.word for w in words).strip()
                if not text:
                    continue
                per_request[i].append(
                    Segment(
                        id=len(per_request[i]),
                        start=words[0].start,
                        end=words[-1].end,
                        text=text,
                        words=words,
                        avg_logprob=seg.avg_logprob,
                        no_speech_prob=seg.no_speech_prob,
                        compression_ratio=seg.compression_ratio,
                    )
                )
        return [live.clean(segs) for segs in per_request]

    return decode_many


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
