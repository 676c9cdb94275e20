"""The events one meeting sends to its backend: errors, statuses, committed segments, results.

:class:`MeetingEvents` builds each event of ``docs/bus.md`` for one meeting and queues it in the
worker's :class:`~asr_service.bus.outbox.Outbox` (published in order, retried until the bus has
it). A status is recorded in the meeting's status history first, then announced.
:meth:`MeetingEvents.published` waits until everything the meeting queued is on the bus: the
meeting's ``started`` message is acked only after that.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import (
    CommittedEvent,
    ErrorEvent,
    FinalEvent,
    MinutesEvent,
    StatusEvent,
)
from asr_service.storage import repository as repo
from asr_service.transcript import Segment, Transcript

log = logging.getLogger(__name__)

STORED_STATUS = {"ended_by_timeout": "ending"}
"""Bus statuses stored under another meeting status (the detail keeps the bus one's name)."""


class MeetingEvents:
    """Events of meeting ``meeting_id`` of ``tenant``, sent through ``worker``'s outbox.

    ``worker`` provides ``emit(subject, event, msg_id=...) -> int`` (the outbox number),
    ``outbox``, ``db_call`` and ``id``.
    """

    def __init__(self, worker: Any, tenant: str, meeting_id: str):
        self.w = worker
        self.tenant = tenant
        self.mid = meeting_id
        self.last = 0
        """Outbox number of the last event queued for this meeting."""

    def subject(self, kind: str) -> str:
        return sub.subject(self.tenant, self.mid, kind)

    async def emit(self, kind: str, event: BaseModel, *, msg_id: str | None = None) -> None:
        self.last = max(self.last, await self.w.emit(self.subject(kind), event, msg_id=msg_id))

    async def error(self, code: str, message: str, **fields: Any) -> None:
        """An ``error`` event (``fields``: ``fatal``, ``subject``, ``track``, ``seq``)."""
        log.warning("%s: %s", code, message)
        await self.emit(
            "error", ErrorEvent(meeting_id=self.mid, code=code, message=message, **fields)
        )

    async def status(self, status: str, detail: str = "", error: str | None = None) -> None:
        """Record the status in the meeting's history, then announce it."""
        log.info("status %s: %s", status, detail)
        stored = STORED_STATUS.get(status, status)
        await self.w.db_call(
            repo.set_meeting_status,
            self.tenant,
            self.mid,
            stored,
            detail=f"{status}: {detail}" if stored != status else detail,
            error=error,
        )
        await self.emit(
            "status",
            StatusEvent(meeting_id=self.mid, status=status, detail=detail, worker=self.w.id),
        )

    async def committed(self, segment: Segment, track: str) -> None:
        await self.emit(
            "committed",
            CommittedEvent(meeting_id=self.mid, track=track, segment=segment),
            msg_id=f"{self.tenant}.{self.mid}.segment.{segment.id}",
        )

    async def final(self, transcript: Transcript, *, max_message_bytes: int) -> None:
        """``final``, with the transcript inline when its JSON fits in half a message."""
        inline = transcript if len(transcript.model_dump_json()) < max_message_bytes // 2 else None
        await self.emit(
            "final",
            FinalEvent(
                meeting_id=self.mid,
                segments=len(transcript.segments),
                duration=transcript.duration,
                speakers=[s.id for s in transcript.speakers],
                transcript=inline,
            ),
            msg_id=f"{self.tenant}.{self.mid}.final",
        )

    async def minutes(
        self, markdown: str | None, *, available: bool, detail: str, max_message_bytes: int
    ) -> None:
        """``minutes``, with the Markdown inline when it fits in half a message."""
        if markdown is not None and len(markdown.encode()) > max_message_bytes // 2:
            markdown = None
        await self.emit(
            "minutes",
            MinutesEvent(
                meeting_id=self.mid, markdown=markdown, available=available, detail=detail
            ),
            msg_id=f"{self.tenant}.{self.mid}.minutes",
        )

    async def published(self, timeout: float | None = None) -> bool:
        """Wait until every event this meeting queued is on the bus."""
        return await self.w.outbox.wait_published(self.last, timeout=timeout)
