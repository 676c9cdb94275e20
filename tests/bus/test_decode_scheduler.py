"""The worker's decode scheduler with a fake decoder: priorities, requests taken together up to
the pass limit, and the load figure that gates partial decodes."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from asr_service.streaming import DecodeRequest, DecodeScheduler
from asr_service.streaming.scheduler import PRIORITY_COMMIT, PRIORITY_PARTIAL


def request(seconds: float, offset: float = 0.0) -> DecodeRequest:
    return DecodeRequest(audio=np.zeros(int(seconds * 16000), dtype=np.float32), offset=offset)


class SlowDecoder:
    """Takes ``delay`` seconds per pass and records the offsets decoded together."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.passes: list[list[float]] = []

    def __call__(self, requests: list[DecodeRequest]) -> list[list]:
        time.sleep(self.delay)
        self.passes.append([r.offset for r in requests])
        return [[] for _ in requests]


async def test_queued_requests_share_a_pass_up_to_the_limit_commits_first() -> None:
    decoder = SlowDecoder(0.2)
    scheduler = DecodeScheduler(decoder, pass_s=9.0)
    try:
        first = asyncio.create_task(scheduler.decode(request(1.0, offset=0)))
        await asyncio.sleep(0.05)  # the first pass is running: the next ones queue up
        waiting = [
            scheduler.decode(request(4.0, offset=1), priority=PRIORITY_PARTIAL),
            scheduler.decode(request(4.0, offset=2), priority=PRIORITY_COMMIT),
            scheduler.decode(request(4.0, offset=3), priority=PRIORITY_COMMIT),
        ]
        await asyncio.gather(first, *waiting)
    finally:
        await scheduler.close()
    # two 4 s requests fit in 9 s, a third does not; the commits go first
    assert decoder.passes == [[0], [2, 3], [1]]


async def test_load_is_the_busy_share_of_the_recent_window() -> None:
    scheduler = DecodeScheduler(SlowDecoder(0.3))
    try:
        assert scheduler.load(1.0) == 0.0
        await scheduler.decode(request(1.0))
        assert 0.2 <= scheduler.load(1.0) <= 0.45
        await asyncio.sleep(1.1)
        assert scheduler.load(1.0) == 0.0  # idle for a whole window
    finally:
        await scheduler.close()


async def test_two_threads_run_two_passes_side_by_side() -> None:
    decoder = SlowDecoder(0.4)
    scheduler = DecodeScheduler(decoder, pass_s=5.0, threads=2)
    try:
        first = asyncio.create_task(scheduler.decode(request(4.0, offset=0)))
        await asyncio.sleep(0.05)
        assert not scheduler.busy and not scheduler.idle  # one pass running, one thread free
        second = asyncio.create_task(scheduler.decode(request(4.0, offset=1)))
        await asyncio.sleep(0.05)
        assert scheduler.busy  # both threads decoding
        started = time.monotonic()
        await asyncio.gather(first, second)
        assert time.monotonic() - started < 0.7  # not one after the other (0.8 s)
        assert sorted(decoder.passes) == [[0], [1]]
        assert scheduler.idle
    finally:
        await scheduler.close()
