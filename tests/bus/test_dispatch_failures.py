"""A ``started`` that no worker can take on (an unexpected error each time) is retried a few times,
then dropped with a fatal error the meeting's backend sees on the meeting's own ``error`` subject
and operators on ``asr.errors``; the worker itself keeps going."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import ErrorEvent
from asr_service.bus.worker import MAX_START_ATTEMPTS, Worker


class FakeMsg:
    def __init__(self, subject: str, delivered: int):
        self.subject = subject
        self.metadata = SimpleNamespace(num_delivered=delivered)
        self.naks: list[float] = []

    async def nak(self, delay: float) -> None:
        self.naks.append(delay)


def failing_worker() -> tuple[Worker, list[tuple[str, ErrorEvent]], list[str]]:
    """A worker whose start of any meeting raises, with its bus calls recorded."""
    worker = object.__new__(Worker)
    sent: list[tuple[str, ErrorEvent]] = []
    acks: list[str] = []

    async def on_started(msg: Any) -> None:
        raise RuntimeError("database unreachable")

    async def record(subject: str, event: ErrorEvent, **_: Any) -> None:
        sent.append((subject, event))

    async def ack(msg: Any, *, term: bool = False) -> None:
        acks.append("term" if term else "ack")

    worker.on_started = on_started  # type: ignore[method-assign]
    worker.emit = record  # type: ignore[method-assign]
    worker.publish_core = record  # type: ignore[method-assign]
    worker.ack = ack  # type: ignore[method-assign]
    return worker, sent, acks


async def test_a_start_failing_every_time_is_retried_then_reported_on_the_meeting() -> None:
    worker, sent, acks = failing_worker()
    subject = sub.subject("acme", "m-1", "started")
    early = FakeMsg(subject, delivered=1)
    await worker.dispatch(early)
    assert early.naks and not sent and not acks  # retried later, nothing reported yet

    await worker.dispatch(FakeMsg(subject, delivered=MAX_START_ATTEMPTS))
    assert acks == ["term"]
    assert [s for s, _ in sent] == [sub.SERVICE_ERRORS, sub.subject("acme", "m-1", "error")]
    for _, event in sent:
        assert event.meeting_id == "m-1" and event.fatal and event.code == "processing_failed"
        assert "could not be started" in event.message and "database unreachable" in event.message


async def test_a_failing_start_on_an_invalid_subject_goes_to_operators_only() -> None:
    worker, sent, _ = failing_worker()
    await worker.dispatch(FakeMsg("meetings.acme._x.started", delivered=MAX_START_ATTEMPTS))
    assert [(s, e.meeting_id) for s, e in sent] == [(sub.SERVICE_ERRORS, "")]
