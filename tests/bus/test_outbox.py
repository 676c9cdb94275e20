"""The event outbox: a persisted event is never dropped, however long the bus is away.

Regression (issue 14): ``Worker.emit`` gave up after 120 attempts 0.5 s apart (60 s) and only
logged, losing an event it had already stored. Here a real ``nats-server`` is stopped for longer
than a give-up window (``OUTAGE_S``, short so the test stays quick: the outbox has no window at
all), the events wait in the outbox, the server comes back on the same port and store, and every
event is published, in order, exactly once in ``ASR_OUT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from asr_service.bus import subjects as sub
from asr_service.bus.connection import BusLimits, connect, ensure_streams
from asr_service.bus.outbox import Outbox
from asr_service.bus.schemas import ErrorEvent, StatusEvent
from asr_service.bus.server import EmbeddedNats, free_port

from .conftest import TEST_STREAM_LIMITS, bus_settings, meeting_id, nats_process

OUTAGE_S = 4.0
"""How long the bus is away: longer than the window the old emit gave up after, scaled down."""
LIMITS = BusLimits(
    in_max_bytes=TEST_STREAM_LIMITS["bus_in_max_bytes"],
    out_max_bytes=TEST_STREAM_LIMITS["bus_out_max_bytes"],
)


async def _stored(js: Any, subject: str) -> list[dict[str, Any]]:
    """Every message of ``subject`` in ASR_OUT, oldest first."""
    found = []
    psub = await js.pull_subscribe(subject, stream=sub.STREAM_OUT)
    try:
        with contextlib.suppress(TimeoutError):
            while True:
                for msg in await psub.fetch(100, timeout=1.0):
                    found.append(json.loads(msg.data))
                    await msg.ack()
    finally:
        await psub.unsubscribe()
    return found


async def test_events_wait_out_a_long_outage_and_are_published_in_order(tmp_path: Path) -> None:
    port = free_port()
    flags = ["-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(tmp_path / "js")]
    url = f"nats://127.0.0.1:{port}"
    mid = meeting_id("outage")
    subject = sub.subject("acme", mid, "status")
    with nats_process(port, *flags):
        nc = await connect(bus_settings(tmp_path, url), url=url)
        js = nc.jetstream()
        await ensure_streams(js, LIMITS)
        outbox = Outbox(
            js, max_backlog=3, publish_timeout_s=0.5, initial_backoff_s=0.05, max_backoff_s=0.5
        )
        first = await outbox.put(subject, StatusEvent(meeting_id=mid, status="live"))
        assert await outbox.wait_published(first, timeout=10)
    try:
        # the server is gone: events queue up, a full backlog makes the emitter wait
        statuses = ("ending", "finalizing", "done")
        for status in statuses:
            await outbox.put(subject, StatusEvent(meeting_id=mid, status=status))
        late = asyncio.create_task(
            outbox.put(subject, ErrorEvent(meeting_id=mid, code="missing_chunks", message="x"))
        )
        await asyncio.sleep(OUTAGE_S)
        assert outbox.backlog == 3 and not late.done()  # nothing dropped, nothing lost
        assert outbox.retries >= 3 and outbox.stats()["oldest_s"] >= OUTAGE_S
        assert not await outbox.wait_published(timeout=0.1)

        with nats_process(port, *flags):  # the bus returns: same port, same JetStream store
            number = await asyncio.wait_for(late, 30)
            assert await outbox.wait_published(number, timeout=30)
            assert outbox.backlog == 0 and outbox.published == 5
            stored = await _stored(js, subject) + await _stored(
                js, sub.subject("acme", mid, "error")
            )
            assert [e.get("status") for e in stored] == ["live", *statuses, None]
            assert stored[-1]["code"] == "missing_chunks"
            await outbox.close()
    finally:
        await nc.close()


async def test_an_event_jetstream_refuses_for_good_does_not_block_later_ones(
    tmp_path: Path,
) -> None:
    """Over ``ASR_OUT``'s per-message bound: refused (not retried forever), logged, skipped."""
    with EmbeddedNats(tmp_path / "nats") as server:  # max_payload above the stream's bound
        nc = await connect(bus_settings(tmp_path, server.url), url=server.url)
        try:
            js = nc.jetstream()
            await ensure_streams(js, LIMITS)
            outbox = Outbox(js, initial_backoff_s=0.05, max_backoff_s=0.2)
            mid = meeting_id("refused")
            subject = sub.subject("acme", mid, "error")
            huge = ErrorEvent(meeting_id=mid, code="invalid_message", message="x" * 2_000_000)
            await outbox.put(subject, huge)
            number = await outbox.put(
                subject, ErrorEvent(meeting_id=mid, code="invalid_message", message="small")
            )
            assert await outbox.wait_published(number, timeout=20)
            assert (outbox.refused, outbox.published) == (1, 1)
            assert [e["message"] for e in await _stored(js, subject)] == ["small"]
            await outbox.close()
        finally:
            await nc.close()
