"""The decode threads shared by every live stream of a worker.

Whisper decoding is CPU-bound and the model is shared, so a worker runs decode passes in a few
dedicated threads (CTranslate2 uses the cores inside each) and keeps its asyncio loop free for
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
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from asr_service.streaming.policy import DecodeMany, DecodeRequest

T = TypeVar("T")
log = logging.getLogger(__name__)

PRIORITY_COMMIT = 0
PRIORITY_PARTIAL = 1


@dataclass(order=True)
class _Job:
    """A queued decode, ordered by (priority, arrival)."""

    priority: int
    number: int
    request: DecodeRequest = field(compare=False)
    future: asyncio.Future = field(compare=False)
    queued_at: float = field(compare=False, default_factory=time.monotonic)


class DecodeScheduler:
    """Runs decode requests on ``threads`` decode threads by (priority, arrival), several per pass.

    ``decode_many(requests) -> segments per request`` is the decoder; jobs still queued when a
    thread frees up are taken together (up to ``pass_s`` seconds of audio), so N waiting streams
    cost one batched Whisper pass instead of N (see
    :func:`asr_service.streaming.decoding.live_decoder`). Two threads keep both cores of a small
    CPU busy: one pass's single-threaded steps (features, word alignment, small decoder batches)
    overlap the other's (the model must accept concurrent calls: ``ASR_MODEL_WORKERS``).
    """

    def __init__(self, decode_many: DecodeMany, *, pass_s: float = 80.0, threads: int = 1) -> None:
        self.decode_many = decode_many
        self.pass_s = pass_s
        self.threads = max(1, threads)
        self._decode_pool = ThreadPoolExecutor(self.threads, thread_name_prefix="asr-decode")
        self._vad_pool = ThreadPoolExecutor(1, thread_name_prefix="asr-vad")
        self._queue: list[_Job] = []
        self._wakeup: asyncio.Event | None = None
        self._counter = itertools.count()
        self._runner: asyncio.Task | None = None
        self._passes: set[asyncio.Task] = set()
        self._pass_ids = itertools.count()
        self.busy_s = 0.0
        self.passes = 0
        self.jobs = 0
        self._recent: collections.deque[tuple[float, float]] = collections.deque()
        """(start, end) of the passes of the last few seconds, for :meth:`load`."""
        self._running: dict[int, float] = {}
        """Start of each pass running now (by pass number)."""

    def _ensure_runner(self) -> None:
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._run())

    @property
    def busy(self) -> bool:
        """Every decode thread is running a pass."""
        return len(self._running) >= self.threads

    @property
    def idle(self) -> bool:
        """No decode pass is running."""
        return not self._running

    @property
    def pending(self) -> int:
        return len(self._queue)

    @property
    def pending_seconds(self) -> float:
        return sum(job.request.seconds for job in self._queue)

    async def decode(self, request: DecodeRequest, *, priority: int = PRIORITY_PARTIAL) -> Any:
        """Segments of ``request`` once every job ahead of it is done (or decoded with it)."""
        self._ensure_runner()
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, _Job(priority, next(self._counter), request, fut))
        assert self._wakeup is not None
        self._wakeup.set()
        return await fut

    async def vad(self, fn: Callable[[], T]) -> T:
        """Run a cheap VAD check off the event loop, without queueing behind decodes."""
        return await asyncio.get_running_loop().run_in_executor(self._vad_pool, fn)

    def load(self, window_s: float = 5.0) -> float:
        """Share of the decode threads' time of the last ``window_s`` seconds spent decoding
        (0-1)."""
        now = time.monotonic()
        since = now - window_s
        while self._recent and self._recent[0][1] < since:
            self._recent.popleft()
        busy = sum(end - max(start, since) for start, end in self._recent if end > since)
        busy += sum(now - max(start, since) for start in self._running.values())
        return min(1.0, busy / (window_s * self.threads))

    def _take(self) -> list[_Job]:
        """The first job plus following ones (priority order) while they fit in one pass."""
        batch = [heapq.heappop(self._queue)]
        total = batch[0].request.seconds
        keep = []
        while self._queue:
            job = heapq.heappop(self._queue)
            if total + job.request.seconds <= self.pass_s:
                batch.append(job)
                total += job.request.seconds
            else:
                keep.append(job)
        for job in keep:
            heapq.heappush(self._queue, job)
        return [job for job in batch if not job.future.cancelled()]

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            if not self._queue or self.busy:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            batch = self._take()
            if batch:
                number = next(self._pass_ids)
                self._running[number] = time.monotonic()
                task = asyncio.get_running_loop().create_task(self._pass(number, batch))
                self._passes.add(task)
                task.add_done_callback(self._passes.discard)

    async def _pass(self, number: int, batch: list[_Job]) -> None:
        """Decode one batch on a decode thread and hand each stream its segments."""
        requests = [job.request for job in batch]
        started = self._running[number]
        waited = max(started - job.queued_at for job in batch)
        try:
            results = await asyncio.get_running_loop().run_in_executor(
                self._decode_pool, self.decode_many, requests
            )
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting streams
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(exc)
        else:
            for job, segments in zip(batch, results, strict=True):
                if not job.future.done():
                    job.future.set_result(segments)
        finally:
            end = time.monotonic()
            del self._running[number]
            log.debug(
                "decode pass: %d requests (%d partial), %.1f s of audio, %.2f s after %.2f s "
                "queued (%d still queued)",
                len(batch),
                sum(not r.words for r in requests),
                sum(r.seconds for r in requests),
                end - started,
                waited,
                len(self._queue),
            )
            self._recent.append((started, end))
            self.busy_s += end - started
            self.passes += 1
            self.jobs += len(batch)
            assert self._wakeup is not None
            self._wakeup.set()

    async def close(self) -> None:
        for task in [self._runner, *self._passes]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._decode_pool.shutdown(wait=True, cancel_futures=True)
        self._vad_pool.shutdown(wait=True, cancel_futures=True)
