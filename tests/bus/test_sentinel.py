"""The sentinel consumer (``asr_service.bus.sentinel``), alone: a deployment whose sentinel was
declared by an older worker (audio only) gets it widened to ``ended`` in place, keeping its name,
so workers of both versions share it during a rolling update."""

from __future__ import annotations

from asr_service.bus import subjects as sub
from asr_service.bus.connection import (
    BusLimits,
    connect,
    ensure_consumer,
    ensure_streams,
    sentinel_consumer,
)
from asr_service.bus.sentinel import ensure_sentinel
from asr_service.bus.server import EmbeddedNats

from .conftest import TEST_STREAM_LIMITS, bus_settings


async def test_an_older_audio_only_sentinel_is_widened_to_ended(tmp_path) -> None:
    with EmbeddedNats(tmp_path / "nats") as server:
        nc = await connect(bus_settings(tmp_path, server.url), url=server.url)
        try:
            js = nc.jetstream()
            limits = BusLimits(
                in_max_bytes=TEST_STREAM_LIMITS["bus_in_max_bytes"],
                out_max_bytes=TEST_STREAM_LIMITS["bus_out_max_bytes"],
            )
            await ensure_streams(js, limits)
            await ensure_consumer(js, sub.STREAM_IN, sentinel_consumer())  # the older one
            before = await js.consumer_info(sub.STREAM_IN, sub.SENTINEL_CONSUMER)
            assert before.config.filter_subject == sub.wildcard("audio")
            for _ in range(2):  # idempotent
                await ensure_sentinel(js)
                info = await js.consumer_info(sub.STREAM_IN, sub.SENTINEL_CONSUMER)
                assert sorted(info.config.filter_subjects) == sorted(
                    [sub.wildcard("audio"), sub.wildcard("ended")]
                )
                assert info.config.headers_only
            await js.publish(sub.subject("acme", "m-1", "ended"), b"{}")
            psub = await js.pull_subscribe_bind(sub.SENTINEL_CONSUMER, stream=sub.STREAM_IN)
            (msg,) = await psub.fetch(1, timeout=5)
            assert msg.subject == sub.subject("acme", "m-1", "ended") and msg.data == b""
        finally:
            await nc.close()
