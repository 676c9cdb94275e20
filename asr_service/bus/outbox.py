"""The worker's outbox: persisted events (``ASR_OUT``) wait here until JetStream has them.

Every event the service stores in ``ASR_OUT`` (``committed``, ``status``, ``error``, ``final``,
``minutes``) goes through one :class:`Outbox` per worker: a FIFO that one task publishes in order,
retrying each publish with exponential backoff and jitter (tenacity) for as long as the bus is
away. An event is never dropped because NATS was unreachable: it is published when the bus
returns, however long that takes (the previous worker gave up after 60 s and only logged it).

- **Order.** One publisher, first in first out: events keep the order they were emitted in
  (committed segments in id order, statuses in lifecycle order), across retries.
- **Idempotent retries.** Each event carries a ``Nats-Msg-Id`` (the caller's, e.g.
  ``<t>.<m>.segment.<id>``, else a fresh one), so a publish that reached the server but whose
  answer was lost is stored once when retried (``ASR_OUT``'s duplicate window).
- **Bounded backlog.** At most ``max_backlog`` events wait; an emitter then waits for room (the
  meeting pauses, nothing is dropped). The backlog is logged while the bus is away and readable
  as :meth:`Outbox.stats` (for health and metrics).
- **Durability.** The outbox is in memory: what a worker that dies still holds is recovered by
  its successor from storage (stored segments after the last one in ``ASR_OUT`` are re-published;
  the meeting resumes and emits its status again). A meeting's ``started`` message is acked only
  once its events are published (:meth:`Outbox.wait_published`).

A message refused for good (over the stream's or the server's size bound)
cannot be published by retrying: it is logged with its subject and skipped, so it does not block
every later event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import nats.errors
from nats.js.errors import BadRequestError
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_never,
    wait_exponential_jitter,
)

log = logging.getLogger(__name__)

NATS_ERRORS = (nats.errors.Error, OSError, asyncio.TimeoutError)
"""What a publish raises while the bus is away or slow: retried."""
MAX_BACKLOG = 10_000
"""Events waiting for the bus before emitters wait for room (~ an hour of one meeting's events)."""


PERMANENT = (BadRequestError, nats.errors.MaxPayloadError)
"""Refusals retrying cannot change (the message itself is too large or malformed)."""


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, NATS_ERRORS) and not isinstance(exc, PERMANENT)


def encode(event: BaseModel | bytes) -> bytes:
    """An event's JSON, every field included (the AsyncAPI document requires them all)."""
    if isinstance(event, bytes):
        return event
    return event.model_dump_json(exclude_none=False).encode()


@dataclass
class _Pending:
    number: int
    subject: str
    data: bytes
    msg_id: str
    queued_at: float = field(default_factory=time.monotonic)


class Outbox:
    """Publishes persisted events in order, retrying until the bus has each of them.

    ``js`` is the worker's JetStream context (its connection reconnects forever). The backoff
    between attempts grows from ``initial_backoff_s`` to ``max_backoff_s``, with jitter so that
    workers coming back together do not retry in step.
    """

    def __init__(
        self,
        js: Any,
        *,
        max_backlog: int = MAX_BACKLOG,
        publish_timeout_s: float = 2.0,
        initial_backoff_s: float = 0.1,
        max_backoff_s: float = 5.0,
        report_every_s: float = 30.0,
    ):
        self.js = js
        self.max_backlog = max_backlog
        self.publish_timeout_s = publish_timeout_s
        self.initial_backoff_s = initial_backoff_s
        self.max_backoff_s = max_backoff_s
        self.report_every_s = report_every_s
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._room = asyncio.Semaphore(max_backlog)
        """One unit per event waiting (queued or being published)."""
        self._in_flight: _Pending | None = None
        self._enqueued = 0
        self._done = 0
        """Events handled (published, or refused for good), all in order: numbers 1.._done."""
        self._changed = asyncio.Condition()
        self._put_lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self.published = 0
        self.refused = 0
        self.retries = 0
        self._reported_at = 0.0

    # ------------------------------------------------------------------ emitters
    async def put(
        self, subject: str, event: BaseModel | bytes, *, msg_id: str | None = None
    ) -> int:
        """Queue an event; returns its number (for :meth:`wait_published`). Waits while the
        backlog is full: the emitter pauses, nothing is dropped."""
        data = encode(event)
        async with self._put_lock:  # numbered in queue order, also while emitters wait for room
            if self._room.locked():
                log.warning(
                    "event outbox full (%d events waiting for the bus): %s waits for room",
                    self.backlog,
                    subject,
                )
            self.start()
            await self._room.acquire()
            item = _Pending(self._enqueued + 1, subject, data, msg_id or uuid.uuid4().hex)
            self._queue.put_nowait(item)
            self._enqueued = item.number
        return item.number

    async def wait_published(self, number: int | None = None, timeout: float | None = None) -> bool:
        """Wait until event ``number`` (default: every event queued so far) left the outbox;
        ``False`` when ``timeout`` passed first."""
        target = self._enqueued if number is None else number

        async def reached() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self._done >= target)

        try:
            await asyncio.wait_for(reached(), timeout)
        except TimeoutError:
            return False
        return True

    @property
    def backlog(self) -> int:
        """Events not yet published."""
        return self._enqueued - self._done

    def stats(self) -> dict[str, float]:
        """Backlog, counters and the age of the oldest waiting event (seconds)."""
        oldest = self._in_flight
        if oldest is None and not self._queue.empty():
            oldest = self._queue._queue[0]  # type: ignore[attr-defined]  # deque, read only
        return {
            "backlog": self.backlog,
            "published": self.published,
            "refused": self.refused,
            "retries": self.retries,
            "oldest_s": time.monotonic() - oldest.queued_at if oldest else 0.0,
        }

    # ------------------------------------------------------------------ publisher
    def start(self) -> None:
        """Start the publisher task (done by :meth:`put` when needed)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="event outbox")

    async def close(self, timeout: float = 5.0) -> int:
        """Publish what is waiting for at most ``timeout`` seconds, then stop; returns the number
        of events left unpublished (logged: a successor recovers what storage holds)."""
        if self.backlog:
            await self.wait_published(timeout=timeout)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        left = self.backlog
        if left:
            log.error("event outbox closed with %d events not published", left)
        return left

    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            self._in_flight = item
            try:
                await self._publish(item)
                self.published += 1
            except PERMANENT as exc:
                self.refused += 1
                log.error(
                    "JetStream refused the event on %s for good (%s); skipped", item.subject, exc
                )
            finally:
                self._in_flight = None
                self._room.release()
            async with self._changed:
                self._done = item.number
                self._changed.notify_all()

    def _before_sleep(self, state: RetryCallState) -> None:
        self.retries += 1
        now = time.monotonic()
        if state.attempt_number == 1 or now - self._reported_at >= self.report_every_s:
            self._reported_at = now
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "publish to the bus failed (%s); %d events wait in the outbox, retrying",
                exc,
                self.backlog,
            )

    async def _publish(self, item: _Pending) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception(_retryable),
            wait=wait_exponential_jitter(
                multiplier=self.initial_backoff_s,
                max=self.max_backoff_s,
                jitter=self.initial_backoff_s,
            ),
            stop=stop_never,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                await self.js.publish(
                    item.subject,
                    item.data,
                    headers={"Nats-Msg-Id": item.msg_id},
                    timeout=self.publish_timeout_s,
                )
