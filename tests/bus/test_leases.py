"""Meeting leases (KV bucket ``ASR_LEASES``): one writer per meeting, whatever stalls or changes.

- A worker stops writing a meeting before its lease can expire, so a successor that takes the
  expired lease never writes alongside it; the stalled one then finds the lease gone and stops,
  and its release does not delete the successor's lease.
- Raising ``ASR_LEASE_TTL_S`` on an existing deployment updates the bucket's TTL and the dispatch
  consumer's ack wait (else workers refreshing on the new period would lose their meetings).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from asr_service.bus import subjects as sub
from asr_service.bus.connection import (
    BusLimits,
    connect,
    dispatch_consumer,
    ensure_consumer,
    ensure_lease_bucket,
    ensure_streams,
)
from asr_service.bus.lease import LeaseLost, MeetingLease, count_leases
from asr_service.bus.server import EmbeddedNats

from .conftest import TEST_STREAM_LIMITS, bus_settings

TTL_S = 1.0


def _runner(kv: Any, worker_id: str) -> MeetingLease:
    return MeetingLease(kv, sub.lease_key("acme", "m-lease"), worker_id, TTL_S)


async def test_a_stalled_owner_stops_writing_before_a_successor_can_start(tmp_path) -> None:
    with EmbeddedNats(tmp_path / "nats") as server:
        nc = await connect(bus_settings(tmp_path, server.url), url=server.url)
        try:
            kv = await ensure_lease_bucket(nc.jetstream(), BusLimits(lease_ttl_s=TTL_S))
            first, second = _runner(kv, "worker-a"), _runner(kv, "worker-b")
            assert await first.acquire()
            await asyncio.wait_for(first.hold(), 0.1)  # freshly confirmed: writes go on
            assert not await second.acquire()  # owned

            await asyncio.sleep(TTL_S * 0.8)  # first stalls: no heartbeat
            with pytest.raises(asyncio.TimeoutError):  # ... so it holds its writes
                await asyncio.wait_for(first.hold(), 0.1)
            for _ in range(60):  # the key expires; the successor takes the meeting
                if await second.acquire():
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("the lease never expired")

            beat = asyncio.create_task(first.heartbeat())  # first wakes up
            with pytest.raises(LeaseLost):
                await asyncio.wait_for(first.hold(), 5)
            await beat
            await first.release()  # must not delete the successor's lease
            entry = await kv.get(sub.lease_key("acme", "m-lease"))
            assert entry.value == b"worker-b"
            await second.release()
            assert await first.acquire()  # released for real by its owner
        finally:
            await nc.close()


async def test_a_new_lease_ttl_raised_or_lowered_updates_the_bucket_and_the_dispatch_ack_wait(
    tmp_path,
) -> None:
    with EmbeddedNats(tmp_path / "nats") as server:
        nc = await connect(bus_settings(tmp_path, server.url), url=server.url)
        try:
            js = nc.jetstream()
            sizes = {
                "in_max_bytes": TEST_STREAM_LIMITS["bus_in_max_bytes"],
                "out_max_bytes": TEST_STREAM_LIMITS["bus_out_max_bytes"],
            }
            ttls = [BusLimits(lease_ttl_s=ttl, **sizes) for ttl in (15, 60, 10)]
            await ensure_streams(js, ttls[0])
            for limits in ttls:  # raised, then lowered below the bucket's first duplicate window
                await ensure_lease_bucket(js, limits)
                await ensure_consumer(js, sub.STREAM_IN, dispatch_consumer(limits))
                bucket = await js.stream_info(f"KV_{sub.LEASE_BUCKET}")
                dispatch = await js.consumer_info(sub.STREAM_IN, sub.DISPATCH_CONSUMER)
                ttl = limits.lease_ttl_s
                assert bucket.config.max_age == dispatch.config.ack_wait == ttl
        finally:
            await nc.close()


async def test_a_tenant_counts_the_meetings_held_now(tmp_path) -> None:
    """The per-tenant cap counts live leases: a released or expired one no longer counts."""
    with EmbeddedNats(tmp_path / "nats") as server:
        nc = await connect(bus_settings(tmp_path, server.url), url=server.url)
        try:
            kv = await ensure_lease_bucket(nc.jetstream(), BusLimits(lease_ttl_s=TTL_S))
            assert await count_leases(kv, "acme") == 0
            held = [MeetingLease(kv, sub.lease_key("acme", f"m-{i}"), "w", TTL_S) for i in range(3)]
            other = MeetingLease(kv, sub.lease_key("acme2", "m-0"), "w", TTL_S)
            for lease in (*held, other):
                assert await lease.acquire()
            assert await count_leases(kv, "acme") == 3
            await held[0].release()
            assert await count_leases(kv, "acme") == 2
            await asyncio.sleep(TTL_S * 1.5)  # nobody refreshes them: they expire
            assert await count_leases(kv, "acme") == 0
        finally:
            await nc.close()
