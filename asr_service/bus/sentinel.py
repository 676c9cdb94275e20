"""Input no running meeting will read: audio or ``ended`` of meetings never started or already over.

A shared, headers-only consumer (``asr-sentinel``) sees every new ``audio`` and ``ended``
subject cheaply. :class:`Sentinel` answers:

- audio or ``ended`` for a meeting whose ``started`` was never published: ``unknown_meeting``
  (once per meeting; the input stays in ``ASR_IN`` and is used if ``started`` comes later);
- audio or ``ended`` stored after a meeting's intake closed (``ended``, the idle timeout):
  ``meeting_over`` (once per meeting), since nothing will transcribe it;
- audio on a subject that names no valid meeting: ``invalid_message`` on ``asr.errors`` (once
  per subject).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from nats.js.errors import NotFoundError

from asr_service.bus import subjects as sub
from asr_service.bus.connection import sentinel_consumer
from asr_service.bus.intake import NATS_ERRORS
from asr_service.bus.schemas import ErrorEvent
from asr_service.storage import repository as repo

if TYPE_CHECKING:
    from asr_service.bus.worker import Worker

log = logging.getLogger(__name__)

SEEN_MEETINGS_MAX = 10_000
"""Meetings a worker remembers as started (or reported) before forgetting them all."""
RECHECK_S = 2.0
"""How often the storage is asked again whether a meeting it saw input for is over."""
SENTINEL_KINDS = ("audio", "ended")


async def ensure_sentinel(js: Any) -> None:
    """Create the sentinel consumer, or widen an older one (audio only) to ``ended`` too."""
    config = sentinel_consumer()
    config.filter_subject = None
    config.filter_subjects = [sub.wildcard(kind) for kind in SENTINEL_KINDS]
    try:
        info = await js.consumer_info(sub.STREAM_IN, config.durable_name)
    except NotFoundError:
        info = None
    if info is None or sorted(info.config.filter_subjects or []) != sorted(config.filter_subjects):
        await js.add_consumer(sub.STREAM_IN, config)  # create, or update the filter in place


class Sentinel:
    """Watches the sentinel consumer for one worker (each message goes to one worker)."""

    def __init__(self, worker: Worker):
        self.w = worker
        self.known: set[tuple[str, str]] = set()
        """Meetings whose ``started`` is in ``ASR_IN``."""
        self.reported: set[tuple[str, str] | str] = set()
        """Meetings (tenant, ID) reported as never started or over, and invalid audio subjects."""
        self.checked: dict[tuple[str, str], tuple[float, int | None]] = {}
        """Meeting → (when storage was asked, the ``closed_seq`` it had)."""
        self.deferred: dict[tuple[str, str], tuple[int, str, str, float]] = {}
        """Input of meetings open when last asked → (highest sequence, its subject and kind,
        when first deferred): asked again once the answer is :data:`RECHECK_S` old, so input
        that comes just after a meeting closed is reported too."""

    async def poll(self, sub_: Any) -> None:
        """Fetch what came since the last poll and report what no meeting will read."""
        try:
            msgs = await sub_.fetch(256, timeout=0.05)
        except NATS_ERRORS:  # including a timeout: nothing new
            msgs = []
        for seen in (self.known, self.reported, self.checked, self.deferred):
            if len(seen) > SEEN_MEETINGS_MAX:  # a long-lived worker: forget, at worst re-check
                seen.clear()
        for msg in msgs:
            try:
                await self.check(msg)
            except (ValueError, *NATS_ERRORS):
                continue
        await self.recheck()

    async def check(self, msg: Any) -> None:
        address = sub.parse(msg.subject)
        if address is None:  # no valid meeting to answer on: operators hear of it once
            if msg.subject.endswith(".audio") and msg.subject not in self.reported:
                self.reported.add(msg.subject)
                await self.w.service_error(
                    msg,
                    "invalid_message",
                    "audio on a subject naming no valid tenant or meeting ID (each 1-128 "
                    "letters, digits, '_' or '-', starting with a letter or digit): it is "
                    "never transcribed",
                )
            return
        key = (address.tenant, address.meeting_id)
        if key in self.reported:
            return
        running = self.w.meetings.get(key)
        if running is not None and not running.done():
            self.known.add(key)
            return
        if key not in self.known:
            try:
                await self.w.js.get_last_msg(sub.STREAM_IN, sub.subject(*key, "started"))
                self.known.add(key)
            except NotFoundError:
                self.reported.add(key)
                what = "audio" if address.kind == "audio" else "`ended`"
                await self.report(
                    key,
                    msg.subject,
                    "unknown_meeting",
                    f"{what} for meeting {address.meeting_id!r} of tenant {address.tenant!r}, "
                    "which was never started: publish `started` first; the input is kept and "
                    "used if it comes",
                )
                return
        seq = msg.metadata.sequence.stream if msg.metadata else 0
        closed = await self.closed_seq(key)
        if closed is None:  # open, or closed since storage was last asked: ask again later
            before = self.deferred.get(key)
            first = before[3] if before else time.monotonic()
            if before is None or seq > before[0]:
                self.deferred[key] = (seq, msg.subject, address.kind, first)
        elif seq > closed:
            await self.over(key, msg.subject, address.kind)

    async def recheck(self) -> None:
        """Ask storage again about meetings that had input while open, once the last answer is
        :data:`RECHECK_S` old; forget them once an answer that recent still says open."""
        now = time.monotonic()
        for key, (seq, subject, kind, first) in list(self.deferred.items()):
            asked = self.checked.get(key, (0.0, None))[0]
            if now - asked < RECHECK_S:
                continue
            closed = await self.closed_seq(key)
            if closed is not None:
                del self.deferred[key]
                if seq > closed:
                    await self.over(key, subject, kind)
            elif now - first >= RECHECK_S:
                del self.deferred[key]

    async def over(self, key: tuple[str, str], subject: str, kind: str) -> None:
        """Input stored after the meeting's intake closed: nothing will transcribe it."""
        self.reported.add(key)
        await self.report(
            key,
            subject,
            "meeting_over",
            f"meeting {key[1]!r} of tenant {key[0]!r} is over (ended, or ended by the idle "
            f"timeout): this {kind} and any later input are not transcribed; a new meeting "
            "needs a new meeting_id",
        )

    async def closed_seq(self, key: tuple[str, str]) -> int | None:
        """The last ``ASR_IN`` sequence the meeting used (``None`` while it is open), from
        storage, asked at most every :data:`RECHECK_S` per meeting."""
        now = time.monotonic()
        cached = self.checked.get(key)
        if cached is not None and (cached[1] is not None or now - cached[0] < RECHECK_S):
            return cached[1]

        def lookup(session: Any) -> int | None:
            meeting = repo.get_meeting(session, *key)
            state = (meeting.state or {}) if meeting is not None else {}
            value = state.get("closed_seq")
            return int(value) if value is not None else None

        closed = await self.w.db_call(lookup)
        self.checked[key] = (now, closed)
        return closed

    async def report(self, key: tuple[str, str], subject: str, code: str, message: str) -> None:
        log.warning("%s: %s: %s", subject, code, message)
        await self.w.emit(
            sub.subject(*key, "error"),
            ErrorEvent(meeting_id=key[1], code=code, message=message, subject=subject),
        )
