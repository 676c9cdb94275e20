"""JetStream reserves each stream's size bound on its store: an impossible bound is a clear error."""

from __future__ import annotations

import pytest

from asr_service.bus.connection import (
    BusLimits,
    StreamSetupError,
    connect,
    ensure_streams,
)
from asr_service.bus.server import EmbeddedNats

from .conftest import bus_settings


async def test_stream_bound_larger_than_the_store_names_the_setting(tmp_path) -> None:
    with EmbeddedNats(tmp_path / "nats") as server:
        settings = bus_settings(tmp_path, server.url, bus_in_max_bytes=1024**5)  # 1 PiB
        nc = await connect(settings, url=server.url)
        try:
            js = nc.jetstream()
            with pytest.raises(StreamSetupError) as err:
                await ensure_streams(js, BusLimits.from_settings(settings))
            message = str(err.value)
            assert "ASR_BUS_IN_MAX_BYTES" in message and "ASR_IN" in message
            # with a bound the store can hold, the same server accepts both streams
            await ensure_streams(js, BusLimits.from_settings(bus_settings(tmp_path, server.url)))
            assert (await js.stream_info("ASR_IN")).config.max_bytes == 1024**3
        finally:
            await nc.close()
