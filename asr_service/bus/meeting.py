"""One live meeting on one worker, from its lease to its final transcript.

:class:`MeetingRunner` puts the parts together: the lease (:mod:`~asr_service.bus.lease`),
registration and recovery of what earlier owners stored (here), audio intake
(:mod:`~asr_service.bus.intake`), the live pass (:mod:`~asr_service.bus.live`), the final pass
(:mod:`~asr_service.bus.final_pass`), and the events it sends (:mod:`~asr_service.bus.events`).
Everything logged while it runs carries ``meeting_id``, ``tenant`` and ``worker_id``
(structlog context variables, bound in the meeting's task).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from asr_service.bus import subjects as sub
from asr_service.bus.connection import meeting_consumer
from asr_service.bus.events import MeetingEvents
from asr_service.bus.final_pass import FinalPassMixin
from asr_service.bus.intake import NATS_ERRORS, IntakeMixin
from asr_service.bus.lease import LeaseLost, MeetingLease, count_leases
from asr_service.bus.live import LiveMixin, Track
from asr_service.bus.schemas import CommittedEvent, MeetingEnded, MeetingStarted
from asr_service.languages import AUTO, is_known
from asr_service.logging import bound as bound_contextvars
from asr_service.storage import repository as repo
from asr_service.transcript import Segment

if TYPE_CHECKING:
    from asr_service.bus.worker import Worker

log = logging.getLogger(__name__)

MAX_FAILED_ATTEMPTS = 3
"""A meeting whose processing failed this many times (across workers) is ``failed``."""


class MeetingRunner(IntakeMixin, LiveMixin, FinalPassMixin):
    """Everything one worker does for one live meeting, from lease to final transcript."""

    def __init__(self, worker: Worker, tenant: str, meta: MeetingStarted, start_msg: Msg):
        self.w = worker
        self.tenant = tenant
        self.meta = meta
        self.mid = meta.meeting_id
        self.start_msg = start_msg
        self.events = MeetingEvents(worker, tenant, self.mid)
        self.lease = MeetingLease(
            worker.kv,
            sub.lease_key(tenant, self.mid),
            worker.id,
            worker.limits.lease_ttl_s,
            on_refresh=start_msg.in_progress,
        )
        self.tracks: dict[str, Track] = {}
        self.cursors: dict[str, int] = {}
        self.next_id = 0
        self.ended_msg: Msg | None = None
        self.ended: MeetingEnded | None = None
        self.ended_at = 0.0
        self.last_input_at = time.monotonic()
        """When the meeting's consumer last delivered anything (the idle timeout counts from)."""
        self.timed_out = False
        self.sub_: Any = None
        self.redelivered_upto = 0
        """Stream sequence up to which a takeover redelivers messages an earlier owner already
        saw: already-stored chunks among them are dropped silently (not the backend's doing)."""
        self.lock = asyncio.Lock()

    # ------------------------------------------------------------------ life
    async def run(self) -> None:
        with bound_contextvars(meeting_id=self.mid, tenant=self.tenant, worker_id=self.w.id):
            await self._run()

    async def _run(self) -> None:
        if not await self.lease.acquire():
            # Owned elsewhere (the previous owner may still be alive): try again later.
            with contextlib.suppress(Exception):
                await self.start_msg.nak(delay=max(1.0, self.w.limits.lease_ttl_s / 3))
            return
        beat = asyncio.create_task(self.lease.heartbeat())
        try:
            if await self.prepare():
                await self.receive()
                await self.finish()
            await self.events.published()
            await self.w.ack(self.start_msg)
        except LeaseLost:
            log.warning("lease lost; leaving the meeting to its new owner")
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self.start_msg.nak()
            raise
        except Exception as exc:  # noqa: BLE001 - report, then let another attempt happen
            log.exception("meeting failed")
            await self.failed(exc)
        finally:
            beat.cancel()
            for track in self.tracks.values():
                for task in (track.task, track.probe):
                    if task:
                        task.cancel()
            if self.sub_ is not None:
                with contextlib.suppress(Exception):
                    await self.sub_.unsubscribe()
            await self.lease.release()

    async def failed(self, exc: Exception) -> None:
        """Count the failure; the third one (across workers) is fatal, earlier ones retried."""
        try:
            attempts = await self.w.db_call(repo.count_failure, self.tenant, self.mid)
        except Exception:  # noqa: BLE001 - failed before it was registered
            meta = self.start_msg.metadata
            attempts = meta.num_delivered if meta else 1
        fatal = attempts >= MAX_FAILED_ATTEMPTS
        with contextlib.suppress(Exception):
            await self.events.error(
                "processing_failed", f"{type(exc).__name__}: {exc}", fatal=fatal
            )
            if fatal:
                await self.events.status("failed", detail=str(exc), error=str(exc))
                await self.events.published(timeout=10.0)
                await self.start_msg.term()
            else:
                await self.start_msg.nak(delay=2.0)

    async def over_tenant_cap(self) -> bool:
        """A new meeting beyond ``ASR_BUS_TENANT_MAX_MEETINGS`` held meetings of its tenant is
        refused (fatal ``too_many_meetings``); resumed meetings always go on."""
        cap = self.w.tenant_max_meetings
        if not cap:
            return False
        existing = await self.w.db_call(repo.get_meeting, self.tenant, self.mid)
        if existing is not None:
            return False
        counted = await count_leases(self.w.kv, self.tenant)
        held = counted - 1 if counted is not None else 0  # less this meeting's own lease
        if held < cap:
            return False
        await self.events.error(
            "too_many_meetings",
            f"tenant {self.tenant!r} already has {held} live meetings, the most allowed "
            f"(ASR_BUS_TENANT_MAX_MEETINGS={cap}): this meeting does not start; end a meeting "
            "and start it again",
            fatal=True,
            subject=self.start_msg.subject,
        )
        return True

    async def prepare(self) -> bool:
        """Register the meeting, recover what earlier owners stored, bind the audio consumer."""
        w = self.w
        if await self.over_tenant_cap():
            return False
        if not is_known(self.meta.language):
            await self.events.error(
                "invalid_message",
                f"language {self.meta.language!r} is not a language code Whisper knows (ISO 639-1 "
                "such as 'fr', or a tag such as 'fr-FR'); the meeting is transcribed with "
                "language detection instead",
                subject=self.start_msg.subject,
            )
            self.meta = self.meta.model_copy(update={"language": AUTO})
        meta = self.meta
        folder = w.audio.meeting_dir(self.tenant, self.mid)
        seq = self.start_msg.metadata.sequence.stream if self.start_msg.metadata else None

        def register(
            session: Any,
        ) -> tuple[str, dict[str, Any], list[tuple[str | None, Segment]], bool]:
            meeting, created = repo.upsert_meeting(
                session,
                self.tenant,
                self.mid,
                title=meta.title,
                language=meta.language,
                participants=[p.model_dump() for p in meta.participants],
                vocabulary=list(meta.vocabulary),
                source="live",
                status="live",
                audio_path=str(folder),
                retention_until=w.audio.retention_until(),
            )
            if created and seq is not None:  # tells a redelivered start from a reused ID
                repo.save_meeting_state(session, self.tenant, self.mid, {"started_seq": seq})
            recent = repo.live_segments_by_track(session, self.tenant, self.mid)[-20:]
            return meeting.status, dict(meeting.state or {}), recent, created

        status, state, recent, created = await w.db_call(register)
        if status == "done":
            if seq is not None and state.get("started_seq") != seq:
                await self.events.error(
                    "invalid_message",
                    f"meeting {self.mid!r} of tenant {self.tenant!r} already took place and is "
                    "done: a new meeting needs a new meeting_id; this `started` is ignored",
                    fatal=True,
                    subject=self.start_msg.subject,
                )
            else:  # our own start, redelivered after the meeting was done: nothing to do
                log.info("meeting already done; acking its start")
            return False
        self.next_id = int(state.get("next_segment_id", 0))
        self.cursors = {k: int(v) for k, v in state.get("cursors", {}).items()}
        if not created:  # the previous owner may have died between storing and publishing
            published = await self.last_published_segment()
            for track, seg in recent:
                if seg.id > published:
                    await self.events.committed(seg, track or "mix")
        await self.events.status(
            "live", detail=("started" if created else "resumed") + f" by {w.id}"
        )
        for name in w.audio.tracks(self.tenant, self.mid):
            self.open_track(name)
        await self.bind_consumer()
        self.sub_ = await w.js.pull_subscribe_bind(
            sub.meeting_consumer(self.tenant, self.mid), stream=sub.STREAM_IN
        )
        self.last_input_at = time.monotonic()
        return True

    async def last_published_segment(self) -> int:
        """The id of the last committed segment in ASR_OUT (-1: none). Segments are published in
        id order, so every id up to it reached the bus: a takeover re-publishes only later ones
        (core-NATS subscribers would otherwise see them twice; JetStream alone de-duplicates)."""
        try:
            msg = await self.w.js.get_last_msg(sub.STREAM_OUT, self.events.subject("committed"))
            return CommittedEvent.model_validate_json(msg.data).segment.id
        except (NotFoundError, ValidationError, *NATS_ERRORS):
            return -1

    async def bind_consumer(self) -> None:
        """Create the meeting's audio consumer, or, on a takeover, restart it just after its ack
        floor: chunks the previous owner received but never acked come back at once instead of
        after the ack wait (by then reception would have skipped them as missing)."""
        js = self.w.js
        config = meeting_consumer(self.tenant, self.mid)
        name = config.durable_name or ""
        try:
            info = await js.consumer_info(sub.STREAM_IN, name)
        except NotFoundError:
            info = None
        if info is not None:
            floor = info.ack_floor.stream_seq if info.ack_floor else 0
            self.redelivered_upto = info.delivered.stream_seq if info.delivered else 0
            if self.redelivered_upto > floor:
                await js.delete_consumer(sub.STREAM_IN, name)
                config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
                config.opt_start_seq = floor + 1
                info = None
        if info is None:
            await js.add_consumer(sub.STREAM_IN, config)
