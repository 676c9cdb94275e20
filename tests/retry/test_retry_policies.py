"""Retry policies: transient failures retried with backoff until a bound, permanent ones not."""

from __future__ import annotations

import time

import nats.errors
import pytest

from asr_service.bus import simulator
from asr_service.bus.simulator import publish_retry
from asr_service.cpus import usable_cpus
from summarizer.backends import free_cores


class FlakyJetStream:
    """A JetStream stand-in whose ``publish`` raises the given errors, then succeeds."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls: list[tuple[str, bytes, dict | None, float]] = []

    async def publish(self, subject: str, data: bytes, *, headers=None, timeout: float) -> None:
        self.calls.append((subject, data, headers, timeout))
        if self.errors:
            raise self.errors.pop(0)


async def test_transient_failures_are_retried_with_growing_waits_then_succeed() -> None:
    js = FlakyJetStream(TimeoutError(), nats.errors.NoRespondersError(), ConnectionRefusedError())
    t0 = time.monotonic()
    await publish_retry(js, "meetings.t.m.audio", b"x", msg_id="m:1", patience=30)
    elapsed = time.monotonic() - t0
    assert len(js.calls) == 4
    assert all(c[2] == {"Nats-Msg-Id": "m:1"} for c in js.calls)  # a retry is deduplicated
    # Exponential waits 0.25 + 0.5 + 1 s, each with up to 1 s of jitter.
    assert 1.75 <= elapsed < 1.75 + 3 + 1


async def test_a_permanent_error_is_raised_at_once() -> None:
    js = FlakyJetStream(nats.errors.MaxPayloadError(), TimeoutError())
    with pytest.raises(nats.errors.MaxPayloadError):
        await publish_retry(js, "s", b"x")
    assert len(js.calls) == 1

    js = FlakyJetStream(ValueError("bad header"))
    with pytest.raises(ValueError):
        await publish_retry(js, "s", b"x")
    assert len(js.calls) == 1


async def test_retries_stop_at_the_patience_and_raise_the_last_error() -> None:
    js = FlakyJetStream(*(TimeoutError(f"try {i}") for i in range(100)))
    t0 = time.monotonic()
    with pytest.raises(TimeoutError, match="try"):
        await publish_retry(js, "s", b"x", patience=3.0)
    # No wait runs past the patience; the first waits (≤ 1.25 s, ≤ 1.5 s) fit in it.
    assert time.monotonic() - t0 < 3.0 + 0.1
    assert 2 <= len(js.calls) < 10


def test_publish_waits_have_jitter() -> None:
    class State:
        attempt_number = 3

    waits = {round(simulator.PUBLISH_WAIT(State()), 6) for _ in range(20)}
    assert len(waits) > 1 and all(1.0 <= w <= 2.0 for w in waits)


def test_free_cores_is_a_measured_share_of_the_usable_cores() -> None:
    free = free_cores(sample_s=0.2)
    assert 1 <= free <= usable_cpus()
