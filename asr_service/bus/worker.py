"""The NATS worker: owns live meetings, streams them, stores them, runs the final pass.

Flow of one meeting (one-way: bus → streaming/pipeline → storage → bus events):

1. ``started`` reaches exactly one worker through the shared ``asr-dispatch`` consumer. The worker
   takes the meeting's lease in the ``ASR_LEASES`` KV bucket and keeps the ``started`` message
   un-acked for the meeting's whole life, sending in-progress heartbeats and refreshing the lease.
   If the worker dies, the heartbeats stop, the lease expires and JetStream redelivers ``started``
   to another worker, which takes the lease and resumes.
2. Audio is read through a durable per-meeting consumer. Each chunk is validated (error events
   name the problem), de-duplicated and re-ordered by its per-track ``seq``, appended to the
   meeting's audio on disk, and only then acked: the consumer's ack floor plus the on-disk index is
   the resume point, so a takeover loses nothing and stores nothing twice.
3. Each track feeds an :class:`~asr_service.streaming.UtteranceStream`; decodes go through one
   :class:`~asr_service.streaming.DecodeScheduler` shared by all meetings of the worker (one model
   instance, ``ASR_MODEL_WORKERS`` decode threads, waiting decodes batched, commits before
   partials). Committed segments are stored with the stream cursor (the
   checkpoint) in one transaction, then published with a ``Nats-Msg-Id`` so a republish after a
   takeover is dropped by JetStream's duplicate window.
4. ``ended``: streams are flushed, the final pass runs (:mod:`asr_service.bus.final_pass`) in a
   low-priority thread on the transcriber's whole-file model (other meetings' live decodes run on
   the live model and do not wait for it), the final transcript replaces the live one in storage
   and is announced, then the minutes; ``ended`` and ``started`` are acked and the lease released.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import nats.errors
import numpy as np
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from pydantic import BaseModel, ValidationError

from asr_service.bus import subjects as sub
from asr_service.bus.connection import (
    BusLimits,
    connect,
    dispatch_consumer,
    ensure_consumer,
    ensure_lease_bucket,
    ensure_streams,
    meeting_consumer,
    sentinel_consumer,
)
from asr_service.bus.final_pass import FinalResult, run_final_pass
from asr_service.bus.schemas import (
    SAMPLE_RATE,
    SUPPORTED_ENCODINGS,
    AudioChunk,
    CommittedEvent,
    ErrorEvent,
    FinalEvent,
    MeetingEnded,
    MeetingStarted,
    MinutesEvent,
    PartialEvent,
    StatusEvent,
)
from asr_service.languages import AUTO, is_known
from asr_service.storage import AudioStore, Database, TrackInfo, safe_name
from asr_service.storage import repository as repo
from asr_service.streaming import (
    DecodeContext,
    DecodeScheduler,
    SileroProbabilities,
    StreamingPolicy,
    StreamingVad,
    UtteranceStream,
    live_decoder,
    single_decoder,
)
from asr_service.streaming.scheduler import PRIORITY_COMMIT, PRIORITY_PARTIAL
from asr_service.transcript import Segment

log = logging.getLogger(__name__)

PARTIAL_MAX_LOAD = 0.4
"""Partials start only while the decode thread was busy less than this share of the last 5 s
(bench_streaming, N = 4: p95 commit latency 3.78 s with no bound, 3.30 s at 0.6, 2.8 s at 0.4)."""

REORDER_WAIT_S = 2.0
"""How long a missing chunk is waited for before the gap is reported and skipped."""
REORDER_MAX = 200
GAP_FILL_S = 1.0
"""A track whose capture timestamp jumps ahead by more than this is padded with silence."""
NATS_ERRORS = (nats.errors.Error, OSError, asyncio.TimeoutError)
BACKLOG_WINDOW = 2
"""A stream behind the stored audio is fed this many buffer bounds (``max_buffer_s``) at once."""
CHECKPOINT_SILENCE_S = 30.0
"""Dropped silence is saved as the resume point once it moved this far (seconds of audio)."""
LEASE_SAFETY = 0.7
"""A worker writes and acks a meeting's audio only within this share of the lease TTL after its
last confirmed refresh: the key cannot expire (so no other worker can take the meeting) before
then, so two workers never write the same meeting, even when one stalls or is cut off."""
SEEN_MEETINGS_MAX = 10_000
"""Meetings a worker remembers as started (or reported unknown) before forgetting them all."""
MAX_FAILED_ATTEMPTS = 3
"""A meeting whose processing failed this many times (across workers) is ``failed``."""
MAX_START_ATTEMPTS = 5
"""Deliveries of a ``started`` message that fail before its meeting runs before it is dropped."""


class LeaseLost(RuntimeError):
    """Another worker owns the meeting now; stop without acking anything more."""


def _json(model: BaseModel) -> bytes:
    return model.model_dump_json(exclude_none=False).encode()


def _niced_thread() -> None:
    """Final passes run below live decoding: lower this thread's CPU priority (Linux)."""
    with contextlib.suppress(Exception):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


@dataclass
class Track:
    """Reception and streaming state of one audio track of a meeting."""

    name: str
    speaker: str | None
    info: TrackInfo
    stream: UtteranceStream
    pending: dict[int, tuple[bytes, Msg, float | None, float]] = field(default_factory=dict)
    task: asyncio.Task | None = None
    probe: asyncio.Task | None = None
    waiting_partial: bool = False
    last_partial: str = ""
    shown_at: float = field(default_factory=time.monotonic)
    """When the track last showed its backend something new: a partial, a commit, or silence."""
    reported_out_of_order: bool = False
    progress_at: float = field(default_factory=time.monotonic)
    """When ``next_seq`` last advanced: a gap is skipped only when reception stalls on it."""


class MeetingRunner:
    """Everything one worker does for one live meeting, from lease to final transcript."""

    def __init__(self, worker: Worker, tenant: str, meta: MeetingStarted, start_msg: Msg):
        self.w = worker
        self.tenant = tenant
        self.meta = meta
        self.mid = meta.meeting_id
        self.start_msg = start_msg
        self.tracks: dict[str, Track] = {}
        self.cursors: dict[str, int] = {}
        self.next_id = 0
        self.ended_msg: Msg | None = None
        self.ended: MeetingEnded | None = None
        self.ended_at = 0.0
        self.lease_rev: int | None = None
        self.lease_valid_until = 0.0
        self.lost = False
        self.sub_: Any = None
        self.redelivered_upto = 0
        """Stream sequence up to which a takeover redelivers messages an earlier owner already
        saw: already-stored chunks among them are dropped silently (not the backend's doing)."""
        self.lock = asyncio.Lock()

    # ------------------------------------------------------------------ events out
    def subject(self, kind: str) -> str:
        return sub.subject(self.tenant, self.mid, kind)

    async def error(self, code: str, message: str, **kw: Any) -> None:
        log.warning("meeting %s/%s: %s: %s", self.tenant, self.mid, code, message)
        await self.w.emit(
            self.subject("error"), ErrorEvent(meeting_id=self.mid, code=code, message=message, **kw)
        )

    async def status(self, status: str, detail: str = "", error: str | None = None) -> None:
        await self.w.db_call(
            repo.set_meeting_status, self.tenant, self.mid, status, detail=detail, error=error
        )
        await self.w.emit(
            self.subject("status"),
            StatusEvent(meeting_id=self.mid, status=status, detail=detail, worker=self.w.id),
        )

    # ------------------------------------------------------------------ lease
    def _confirmed(self, sent_at: float) -> None:
        """A lease write sent at ``sent_at`` succeeded: the key lives at least a TTL from then."""
        self.lease_valid_until = sent_at + self.w.limits.lease_ttl_s * LEASE_SAFETY

    async def acquire(self) -> bool:
        kv = self.w.kv
        key = sub.lease_key(self.tenant, self.mid)
        sent_at = time.monotonic()
        try:
            self.lease_rev = await kv.create(key, self.w.id.encode())
            self._confirmed(sent_at)
            return True
        except KeyWrongLastSequenceError:
            with contextlib.suppress(Exception):
                entry = await kv.get(key)
                if entry.value and entry.value.decode() == self.w.id:
                    # Ours from an earlier run under the same --id: refresh it before use.
                    sent_at = time.monotonic()
                    self.lease_rev = await kv.update(key, self.w.id.encode(), last=entry.revision)
                    self._confirmed(sent_at)
                    return True
        return False

    async def hold_lease(self) -> None:
        """Return once the lease is known to be ours for a while; raise :class:`LeaseLost` if
        another worker took it. Called before anything a successor would also write (audio,
        acks, segments, the final transcript): while the lease is unconfirmed (NATS cut off,
        a stalled loop), this waits for the heartbeat instead."""
        while True:
            if self.lost:
                raise LeaseLost(self.mid)
            if time.monotonic() < self.lease_valid_until:
                return
            await asyncio.sleep(0.05)

    async def heartbeat(self) -> None:
        """Refresh the lease and tell JetStream the ``started`` message is still being worked on."""
        kv = self.w.kv
        key = sub.lease_key(self.tenant, self.mid)
        period = self.w.limits.lease_ttl_s / 4
        delay = period
        while True:
            await asyncio.sleep(delay)
            delay = period
            sent_at = time.monotonic()
            try:
                self.lease_rev = await kv.update(key, self.w.id.encode(), last=self.lease_rev)
                self._confirmed(sent_at)
                await self.start_msg.in_progress()
            except KeyWrongLastSequenceError:
                try:
                    entry = await kv.get(key)
                    owner = entry.value.decode() if entry.value else ""
                    self.lease_rev = entry.revision
                except (NotFoundError, nats.js.errors.KeyNotFoundError):
                    owner = ""
                if owner and owner != self.w.id:
                    self.lost = True
                    return
                delay = 0.0  # ours (or expired, then re-created below): confirm it at once
                if not owner:
                    await self._recreate(key)
            except (NotFoundError, nats.js.errors.KeyNotFoundError):
                await self._recreate(key)
            except NATS_ERRORS as exc:
                log.debug("heartbeat failed (will retry): %s", exc)
                delay = min(period, 0.5)

    async def _recreate(self, key: str) -> None:
        """The key expired while nobody else took it: take it again (a CAS create, so a worker
        that took it meanwhile wins and this one finds out at the next beat)."""
        sent_at = time.monotonic()
        with contextlib.suppress(Exception):
            self.lease_rev = await self.w.kv.create(key, self.w.id.encode())
            self._confirmed(sent_at)

    async def release(self) -> None:
        """Delete the lease if it is still ours (compare-and-delete on our last revision)."""
        if self.lost or self.lease_rev is None:
            return
        with contextlib.suppress(Exception):
            await self.w.kv.delete(sub.lease_key(self.tenant, self.mid), last=self.lease_rev)

    # ------------------------------------------------------------------ life
    async def run(self) -> None:
        if not await self.acquire():
            # Owned elsewhere (the previous owner may still be alive): try again later.
            with contextlib.suppress(Exception):
                await self.start_msg.nak(delay=max(1.0, self.w.limits.lease_ttl_s / 3))
            return
        beat = asyncio.create_task(self.heartbeat())
        try:
            if await self.prepare():
                await self.receive()
                await self.finish()
            await self.w.ack(self.start_msg)
        except LeaseLost:
            log.warning("lease of %s/%s lost; leaving it to its new owner", self.tenant, self.mid)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self.start_msg.nak()
            raise
        except Exception as exc:  # noqa: BLE001 - report, then let another attempt happen
            log.exception("meeting %s/%s failed", self.tenant, self.mid)
            try:
                attempts = await self.w.db_call(repo.count_failure, self.tenant, self.mid)
            except Exception:  # noqa: BLE001 - failed before it was registered
                meta = self.start_msg.metadata
                attempts = meta.num_delivered if meta else 1
            fatal = attempts >= MAX_FAILED_ATTEMPTS
            with contextlib.suppress(Exception):
                await self.error("processing_failed", f"{type(exc).__name__}: {exc}", fatal=fatal)
                if fatal:
                    await self.status("failed", detail=str(exc), error=str(exc))
                    await self.start_msg.term()
                else:
                    await self.start_msg.nak(delay=2.0)
        finally:
            beat.cancel()
            for track in self.tracks.values():
                for task in (track.task, track.probe):
                    if task:
                        task.cancel()
            if self.sub_ is not None:
                with contextlib.suppress(Exception):
                    await self.sub_.unsubscribe()
            await self.release()

    def _check(self) -> None:
        if self.lost:
            raise LeaseLost(self.mid)

    async def prepare(self) -> bool:
        """Register the meeting, recover what earlier owners stored, bind the audio consumer."""
        w = self.w
        if not is_known(self.meta.language):
            await self.error(
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
                await self.error(
                    "invalid_message",
                    f"meeting {self.mid!r} of tenant {self.tenant!r} already took place and is "
                    "done: a new meeting needs a new meeting_id; this `started` is ignored",
                    fatal=True,
                    subject=self.start_msg.subject,
                )
            else:  # our own start, redelivered after the meeting was done: nothing to do
                log.info("meeting %s/%s already done; acking its start", self.tenant, self.mid)
            return False
        self.next_id = int(state.get("next_segment_id", 0))
        self.cursors = {k: int(v) for k, v in state.get("cursors", {}).items()}
        if not created:  # the previous owner may have died between storing and publishing
            published = await self.last_published_segment()
            for track, seg in recent:
                if seg.id > published:
                    await self.publish_committed(seg, track or "mix")
        await self.status("live", detail=("started" if created else "resumed") + f" by {w.id}")
        for name in w.audio.tracks(self.tenant, self.mid):
            self.open_track(name)
        await self.bind_consumer()
        self.sub_ = await w.js.pull_subscribe_bind(
            sub.meeting_consumer(self.tenant, self.mid), stream=sub.STREAM_IN
        )
        return True

    async def last_published_segment(self) -> int:
        """The id of the last committed segment in ASR_OUT (-1: none). Segments are published in
        id order, so every id up to it reached the bus: a takeover re-publishes only later ones
        (core-NATS subscribers would otherwise see them twice; JetStream alone de-duplicates)."""
        try:
            msg = await self.w.js.get_last_msg(sub.STREAM_OUT, self.subject("committed"))
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

    def open_track(self, name: str) -> Track:
        """The track's state, recovering audio stored by an earlier owner past the checkpoint."""
        track = self.tracks.get(name)
        if track is not None:
            return track
        w = self.w
        info = w.audio.recover(self.tenant, self.mid, name)
        cursor = min(self.cursors.get(name, 0), info.samples)
        speaker = self.meta.speaker_for(name) if name != "mix" else None
        # Unpadded regions, split at the shortest pause the policy acts on: the policy's pause
        # lengths are then real silence lengths (it pads its own cuts).
        vad = StreamingVad(
            w.vad_probabilities,
            threshold=w.vad_threshold,
            min_silence_s=w.policy.phrase_pause_s,
            speech_pad_s=0.0,
        )
        context = w.live_context(self.meta)
        stream = UtteranceStream(
            single_decoder(w.decode_many, context),
            vad,
            w.policy,
            start=cursor,
            speaker=speaker,
            context=context,
        )
        track = Track(name=name, speaker=speaker, info=info, stream=stream)
        self.tracks[name] = track
        self.cursors.setdefault(name, cursor)
        self.feed(track)
        return track

    def feed(self, track: Track) -> None:
        """Top up a stream that is behind the stored audio (a takeover's backlog) from disk, a
        window at a time: the buffer, and so each step's cost, stays bounded whatever the length
        of the backlog (hours of a silent participant's track after a crash)."""
        stream = track.stream
        end = stream.end
        missing = track.info.samples - end
        room = int(BACKLOG_WINDOW * self.w.policy.max_buffer_s * SAMPLE_RATE) - len(stream.buffer)
        if missing > 0 and room > 0:
            stream.push(self.w.audio.read(self.tenant, self.mid, track.name, end, end + room))

    def behind(self, track: Track) -> bool:
        """The track's stream has audio to work through without waiting for new chunks."""
        stream = track.stream
        return stream.end < track.info.samples or stream.buffered_s > self.w.policy.max_buffer_s

    # ------------------------------------------------------------------ reception
    async def receive(self) -> None:
        """Consume audio until ``ended`` and every expected chunk are in."""
        while True:
            self._check()
            try:
                msgs = await self.sub_.fetch(64, timeout=0.25)
            except TimeoutError:  # nats' own, or asyncio's (nats-py raises both): nothing came
                msgs = []
            except NATS_ERRORS as exc:
                log.debug("fetch failed (reconnecting?): %s", exc)
                await asyncio.sleep(0.5)
                msgs = []
            for msg in msgs:
                await self.handle(msg)
            await self.resolve_gaps()
            self.drive()
            if self.ended is not None and self.complete():
                return

    def complete(self) -> bool:
        assert self.ended is not None
        waited = time.monotonic() - self.ended_at
        for name, last in self.ended.last_seq.items():
            track = self.tracks.get(name)
            if (track is None or track.info.next_seq <= last) and waited < REORDER_WAIT_S * 2:
                return False
        return not any(t.pending for t in self.tracks.values())

    async def handle(self, msg: Msg) -> None:
        address = sub.parse(msg.subject)
        if address is not None and address.kind == "ended":
            try:
                self.ended = MeetingEnded.model_validate_json(msg.data)
            except ValidationError as exc:
                await self.error(_code(exc), f"ended: {_summary(exc)}", subject=msg.subject)
                self.ended = MeetingEnded(meeting_id=self.mid)
            self.ended_msg = msg
            self.ended_at = time.monotonic()
            await self.drop_after_end()
            return
        await self.handle_audio(msg)

    async def reject(self, msg: Msg, code: str, message: str, **kw: Any) -> None:
        await self.error(code, message, subject=msg.subject, **kw)
        await self.w.ack(msg, term=True)

    async def handle_audio(self, msg: Msg) -> None:
        w = self.w
        if len(msg.data) > w.limits.max_message_bytes:
            await self.reject(
                msg,
                "oversized_message",
                f"message of {len(msg.data)} bytes exceeds {w.limits.max_message_bytes} bytes",
            )
            return
        try:
            payload = json.loads(msg.data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            await self.reject(msg, "malformed_json", f"audio chunk is not valid JSON: {exc}")
            return
        try:
            chunk = AudioChunk.model_validate(payload)
        except ValidationError as exc:
            await self.reject(msg, "invalid_message", f"audio chunk: {_summary(exc)}")
            return
        kw = {"track": chunk.track, "seq": chunk.seq}
        if chunk.meeting_id != self.mid:
            await self.reject(
                msg,
                "invalid_message",
                f"meeting_id {chunk.meeting_id!r} does not match the subject's {self.mid!r}",
                **kw,
            )
            return
        width = SUPPORTED_ENCODINGS.get(chunk.encoding)
        if width is None or chunk.sample_rate != SAMPLE_RATE or chunk.channels != 1:
            await self.reject(
                msg,
                "unsupported_format",
                f"got encoding={chunk.encoding!r} sample_rate={chunk.sample_rate} "
                f"channels={chunk.channels}; expected pcm_s16le or pcm_f32le, 16000 Hz, mono",
                **kw,
            )
            return
        try:
            raw = base64.b64decode(chunk.data, validate=True)
        except (binascii.Error, ValueError):
            await self.reject(msg, "invalid_message", "data is not valid base64", **kw)
            return
        if len(raw) % width:
            await self.reject(
                msg,
                "unsupported_format",
                f"{len(raw)} bytes is not a whole number of {chunk.encoding} samples "
                f"({width} bytes each)",
                **kw,
            )
            return
        seconds = len(raw) / width / SAMPLE_RATE
        if seconds > w.max_chunk_s:
            await self.reject(
                msg,
                "oversized_message",
                f"chunk holds {seconds:.2f} s of audio; the limit is {w.max_chunk_s:g} s "
                "(ASR_BUS_MAX_CHUNK_S): send shorter chunks",
                **kw,
            )
            return
        if width == 4:
            samples = np.frombuffer(raw, dtype="<f4")
            if not np.all(np.isfinite(samples)):
                await self.reject(msg, "unsupported_format", "pcm_f32le data has NaN/inf", **kw)
                return
            raw = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        try:
            safe_name(chunk.track, "track")
        except ValueError as exc:
            await self.reject(msg, "invalid_message", str(exc), **kw)
            return
        last = self.ended.last_seq.get(chunk.track) if self.ended is not None else None
        if last is not None and chunk.seq > last:
            await self.reject_after_end(msg, chunk.track, chunk.seq, last)
            return
        track = self.open_track(chunk.track)
        expected = track.info.next_seq
        if chunk.seq < expected or chunk.seq in track.pending:
            if msg.metadata and msg.metadata.sequence.stream <= self.redelivered_upto:
                await w.ack(msg)  # redelivered after a takeover, stored by the earlier owner
                return
            await self.error(
                "duplicate_chunk",
                f"track {chunk.track!r} chunk {chunk.seq} was already received; ignored",
                subject=msg.subject,
                **kw,
            )
            await w.ack(msg)
            return
        if chunk.seq > expected:
            track.pending[chunk.seq] = (raw, msg, chunk.timestamp, time.monotonic())
            if not track.reported_out_of_order:
                track.reported_out_of_order = True
                await self.error(
                    "out_of_order",
                    f"track {chunk.track!r} chunk {chunk.seq} arrived before {expected}; "
                    "held and re-ordered",
                    subject=msg.subject,
                    **kw,
                )
            return
        await self.store(track, chunk.seq, raw, chunk.timestamp, msg)
        await self.drain(track)

    async def store(
        self, track: Track, seq: int, pcm16: bytes, timestamp: float | None, msg: Msg
    ) -> None:
        """Append to disk, then ack, then stream: disk is the truth a successor resumes from."""
        await self.hold_lease()
        offset = track.info.samples
        if timestamp is not None:
            target = int(round(timestamp * SAMPLE_RATE))
            gap = target - offset
            if GAP_FILL_S * SAMPLE_RATE < gap < 3600 * SAMPLE_RATE:
                pcm16 = bytes(2 * gap) + pcm16
        caught_up = track.stream.end == offset
        # synced to disk off the event loop: a slow (network) volume must not stall the leases
        await asyncio.to_thread(
            self.w.audio.append, self.tenant, self.mid, track.name, seq, pcm16, offset
        )
        track.info.samples += len(pcm16) // 2
        track.info.next_seq = seq + 1
        track.progress_at = time.monotonic()
        await self.w.ack(msg)
        if caught_up:
            track.stream.push(np.frombuffer(pcm16, dtype="<i2").astype(np.float32) / 32768.0)
        else:  # still working through a backlog: the chunk is read back from disk in its turn
            self.feed(track)

    async def drain(self, track: Track) -> None:
        while track.info.next_seq in track.pending:
            raw, msg, ts, _ = track.pending.pop(track.info.next_seq)
            await self.store(track, track.info.next_seq, raw, ts, msg)
        if not track.pending:
            track.reported_out_of_order = False

    async def drop_after_end(self) -> None:
        """Held chunks numbered after the last one ``ended`` announced will never be in order:
        drop them (named in an error event) instead of storing them after a gap."""
        assert self.ended is not None
        for name, last in self.ended.last_seq.items():
            track = self.tracks.get(name)
            for seq in sorted(s for s in (track.pending if track else {}) if s > last):
                _, msg, _, _ = track.pending.pop(seq)  # type: ignore[union-attr]
                await self.reject_after_end(msg, name, seq, last)

    async def reject_after_end(self, msg: Msg, track: str, seq: int, last: int) -> None:
        await self.reject(
            msg,
            "invalid_message",
            f"track {track!r} chunk {seq} comes after the last chunk ({last}) that `ended` "
            "announced; dropped",
            track=track,
            seq=seq,
        )

    async def resolve_gaps(self, force: bool = False) -> None:
        """Report and skip chunks that never came, so later audio is not held.

        A gap is skipped when reception has stalled on it for ``REORDER_WAIT_S`` (nothing stored
        since the oldest held chunk arrived), not merely because a chunk far ahead is held: in-order
        chunks that keep coming are stored, and one stray ``seq`` cannot make the track skip ahead
        and drop the real chunks after it."""
        now = time.monotonic()
        for track in self.tracks.values():
            if not track.pending:
                continue
            oldest = min(v[3] for v in track.pending.values())
            stalled = now - max(oldest, track.progress_at) > REORDER_WAIT_S
            if force or stalled or len(track.pending) > REORDER_MAX:
                first = min(track.pending)
                await self.error(
                    "missing_chunks",
                    f"track {track.name!r} chunks {track.info.next_seq}..{first - 1} never "
                    "arrived; continuing after them",
                    track=track.name,
                    seq=track.info.next_seq,
                )
                track.info.next_seq = first
                await self.drain(track)

    # ------------------------------------------------------------------ streaming
    def drive(self) -> None:
        """Start a streaming step for every track with enough new audio and none in flight.

        While a track waits for a partial decode, its VAD keeps being checked: an utterance end
        then starts its commit at once (the partial, if still queued, is made stale)."""
        for track in self.tracks.values():
            for task in (track.task, track.probe):
                if task is not None and task.done() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            idle = track.probe is None or track.probe.done()
            if track.task is None or track.task.done():
                if idle and (track.stream.wants_plan() or self.behind(track)):
                    track.task = asyncio.create_task(self.step(track))
            elif track.waiting_partial and idle and track.stream.wants_plan():
                track.probe = asyncio.create_task(self.step(track, urgent_only=True))

    async def step(self, track: Track, *, final: bool = False, urgent_only: bool = False) -> str:
        """One plan/execute round of a track; publishes partials, stores and publishes commits."""
        stream = track.stream
        self.feed(track)
        plan = await self.w.scheduler.vad(lambda: stream.plan(final=final))
        if urgent_only and not plan.urgent:
            return "none"
        if not plan.urgent:
            track.waiting_partial = True
        try:
            return await self._run_plan(track, plan)
        finally:
            if not plan.urgent:
                track.waiting_partial = False

    async def _run_plan(self, track: Track, plan: Any) -> str:
        stream = track.stream
        if plan.action == "none":
            return "none"
        if plan.action == "drop":
            stream.execute(plan)
            track.shown_at = time.monotonic()  # silence: nothing is waiting to be shown
            # Silence moves the resume point too (a silent participant's track would otherwise
            # make a successor re-read the whole meeting), saved once per CHECKPOINT_SILENCE_S.
            cursor = max(stream.cursor / SAMPLE_RATE, stream.committed_until)
            saved = self.cursors.get(track.name, 0) / SAMPLE_RATE
            if cursor - saved >= CHECKPOINT_SILENCE_S:
                await self.commit(track, [], cursor)
            return "drop"
        scheduler = self.w.scheduler
        max_gap = self.w.settings.stream_partial_max_gap_s
        starved = max_gap > 0 and time.monotonic() - track.shown_at >= max_gap
        if (
            not plan.urgent
            and not starved
            and (not scheduler.idle or scheduler.pending or scheduler.load() > PARTIAL_MAX_LOAD)
        ):
            # Load shedding: partials only start when no decode runs, and only while the decoders
            # have headroom (a commit arriving then takes the other decode thread), so under load
            # their cadence degrades while commits (utterance and phrase ends, the buffer bound)
            # keep the decoder to themselves and the worker never falls behind real time. A
            # stream that has shown nothing for ASR_STREAM_PARTIAL_MAX_GAP_S while someone speaks
            # gets its partial anyway, queued behind the commits.
            return "none"
        priority = PRIORITY_COMMIT if plan.urgent else PRIORITY_PARTIAL
        decoded = await asyncio.gather(
            *(scheduler.decode(r, priority=priority) for r in stream.requests(plan))
        )
        segments = [seg for part in decoded for seg in part]
        result = stream.apply(plan, stream.request(plan), segments)
        log.debug(
            "%s/%s %s: %s cut=%.2fs -> %s %s",
            self.tenant,
            self.mid,
            track.name,
            plan.action,
            plan.cut / SAMPLE_RATE,
            result.action,
            [s.text for s in result.committed],
        )
        if result.committed or result.action in ("commit", "agree", "final"):
            await self.commit(track, result.committed, result.cursor)
            if result.committed:
                track.shown_at = time.monotonic()
        if result.partial is not None and result.partial.text != track.last_partial:
            track.last_partial = result.partial.text
            track.shown_at = time.monotonic()
            await self.w.publish_core(
                self.subject("partial"),
                PartialEvent(
                    meeting_id=self.mid,
                    track=track.name,
                    speaker=track.speaker,
                    start=result.partial.start,
                    end=result.partial.end,
                    text=result.partial.text,
                ),
            )
        return result.action

    async def commit(self, track: Track, segments: list[Segment], cursor: float) -> None:
        async with self.lock:
            await self.hold_lease()
            numbered = []
            for seg in segments:
                numbered.append(seg.model_copy(update={"id": self.next_id}))
                self.next_id += 1
            self.cursors[track.name] = int(round(cursor * SAMPLE_RATE))
            state = {"cursors": dict(self.cursors), "next_segment_id": self.next_id}
            await self.w.db_call(
                repo.add_live_segments,
                self.tenant,
                self.mid,
                numbered,
                track=track.name,
                state=state,
            )
            # Published under the lock, so in id order across tracks: a successor then knows
            # every id up to the last one on the bus was published (``last_published_segment``).
            for seg in numbered:
                await self.publish_committed(seg, track.name)
        track.last_partial = ""

    async def publish_committed(self, seg: Segment, track: str) -> None:
        await self.w.emit(
            self.subject("committed"),
            CommittedEvent(meeting_id=self.mid, track=track, segment=seg),
            msg_id=f"{self.tenant}.{self.mid}.segment.{seg.id}",
        )

    # ------------------------------------------------------------------ end of meeting
    async def finish(self) -> None:
        w = self.w
        await self.resolve_gaps(force=True)
        await self.status("ending", detail="flushing live streams")
        for track in self.tracks.values():
            for task in (track.task, track.probe):
                if task is not None:
                    with contextlib.suppress(Exception):
                        await task
            # Each step advances the stream (a backlog by up to max_buffer_s): bounded by the
            # audio left, with room for steps that only drop silence or re-plan.
            left_s = (track.info.samples - track.stream.cursor) / SAMPLE_RATE
            for _ in range(1000 + 2 * int(left_s)):
                if await self.step(track, final=True) == "none":
                    break
        self._check()
        await self.status(
            "finalizing",
            detail="final pass: beam search, vocabulary, speakers"
            if w.final_pass_enabled
            else "final pass disabled: the live transcript is kept",
        )
        loop = asyncio.get_running_loop()
        if w.final_pass_enabled:
            result = await loop.run_in_executor(
                w.final_pool,
                lambda: run_final_pass(
                    w.pipeline, w.audio, self.tenant, self.meta, minutes=w.minutes_enabled
                ),
            )
        else:  # live-only mode (benchmarks): the live transcript is the final one
            live = await w.db_call(repo.get_transcript, self.tenant, self.mid, "live")
            live.settings["pass"] = "live"
            result = FinalResult(transcript=live, minutes_detail="final pass disabled")
        await self.hold_lease()
        transcript = result.transcript

        def save(session: Any) -> None:
            live = repo.get_transcript(session, self.tenant, self.mid, "live")
            if live is not None:
                repo.save_transcript(session, self.tenant, self.mid, "live", live)
            repo.save_transcript(session, self.tenant, self.mid, "final", transcript)
            if result.minutes is not None:
                repo.save_minutes(
                    session, self.tenant, self.mid, result.minutes, result.minutes_markdown or ""
                )

        await w.db_call(save)
        inline = (
            transcript
            if len(transcript.model_dump_json()) < w.limits.max_message_bytes // 2
            else None
        )
        await w.emit(
            self.subject("final"),
            FinalEvent(
                meeting_id=self.mid,
                segments=len(transcript.segments),
                duration=transcript.duration,
                speakers=[s.id for s in transcript.speakers],
                transcript=inline,
            ),
            msg_id=f"{self.tenant}.{self.mid}.final",
        )
        markdown = result.minutes_markdown
        if markdown is not None and len(markdown.encode()) > w.limits.max_message_bytes // 2:
            markdown = None
        await w.emit(
            self.subject("minutes"),
            MinutesEvent(
                meeting_id=self.mid,
                markdown=markdown,
                available=result.minutes is not None,
                detail=result.minutes_detail,
            ),
            msg_id=f"{self.tenant}.{self.mid}.minutes",
        )
        await self.status("done", detail=f"{len(transcript.segments)} segments")
        if self.ended_msg is not None:
            await w.ack(self.ended_msg)
        with contextlib.suppress(Exception):
            await w.js.delete_consumer(sub.STREAM_IN, sub.meeting_consumer(self.tenant, self.mid))
        with contextlib.suppress(Exception):
            # The audio is on disk (kept ASR_AUDIO_RETENTION_DAYS): free ASR_IN for live meetings.
            await w.js.purge_stream(sub.STREAM_IN, subject=self.subject("audio"))


def _code(exc: ValidationError) -> str:
    """``malformed_json`` when the message is not JSON at all, else ``invalid_message``."""
    return (
        "malformed_json"
        if any(e["type"] == "json_invalid" for e in exc.errors())
        else "invalid_message"
    )


def _summary(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err["loc"]) or "message"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


class Worker:
    """One worker process: a NATS connection, one model, many meetings."""

    def __init__(
        self,
        settings: Any,
        *,
        pipeline: Any,
        db: Database,
        audio: AudioStore,
        nats_url: str | None = None,
        worker_id: str | None = None,
        policy: StreamingPolicy | None = None,
        max_meetings: int | None = None,
        minutes: bool | None = None,
        final_pass: bool = True,
    ):
        self.settings = settings
        self.pipeline = pipeline
        self.db = db
        self.audio = audio
        self.nats_url = nats_url or settings.nats_url
        if not self.nats_url:
            raise ValueError("no NATS URL: set ASR_NATS_URL or use `asr-service serve`")
        self.id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.limits = BusLimits.from_settings(settings)
        self.max_chunk_s = settings.bus_max_chunk_s
        self.max_meetings = max_meetings or settings.worker_max_meetings
        self.minutes_enabled = settings.meeting_minutes if minutes is None else minutes
        self.final_pass_enabled = final_pass
        self.policy = policy or StreamingPolicy(
            end_silence_s=settings.stream_end_silence_s,
            phrase_pause_s=settings.stream_phrase_pause_s,
            phrase_after_s=settings.stream_phrase_after_s,
            partial_interval_s=settings.stream_partial_interval_s,
            max_buffer_s=settings.stream_max_buffer_s,
            agree_after_s=settings.stream_max_buffer_s,  # agreement only at the bound
        )
        transcriber = pipeline.transcriber
        live_language = settings.language if settings.language not in ("auto", "") else "fr"
        live = {
            "language": live_language,
            "beam_size": settings.live_beam_size,
            "encoder_window_s": settings.live_encoder_window_s,
        }
        self.decode_many = live_decoder(transcriber, **live)
        self.live_vocabulary = tuple(settings.vocabulary) if settings.live_vocabulary else None
        """The service's vocabulary when live decodes are primed (``ASR_LIVE_VOCABULARY``)."""
        self.vad_probabilities = SileroProbabilities()
        self.vad_threshold = settings.vad_threshold
        self.final_pool = ThreadPoolExecutor(1, "asr-final", initializer=_niced_thread)
        self.db_pool = ThreadPoolExecutor(1, "asr-db")
        self.scheduler: DecodeScheduler
        self.nc: Client
        self.js: JetStreamContext
        self.kv: KeyValue
        self.meetings: dict[tuple[str, str], asyncio.Task] = {}
        self.known: set[tuple[str, str]] = set()
        self.reported_unknown: set[tuple[str, str] | str] = set()
        """Meetings (tenant, ID) reported as never started, and invalid audio subjects."""

    # ------------------------------------------------------------------ helpers
    def live_context(self, meta: MeetingStarted) -> DecodeContext:
        """What the live decodes of a meeting are primed with: its language (a language Whisper
        does not know, or ``auto``, falls back to the service's) and, with
        ``ASR_LIVE_VOCABULARY``, its vocabulary (the service's when it has none)."""
        vocabulary = ()
        if self.live_vocabulary is not None:
            vocabulary = tuple(meta.vocabulary) or self.live_vocabulary
        return DecodeContext(language=meta.language, vocabulary=vocabulary)

    async def db_call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a repository function (or ``fn(session)``) in its own transaction, off the loop."""

        def work() -> Any:
            with self.db.session() as session:
                return fn(session, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self.db_pool, work)

    async def emit(self, subject: str, event: BaseModel, *, msg_id: str | None = None) -> None:
        """Publish a persisted event to JetStream, retrying through reconnections."""
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        data = _json(event)
        for attempt in range(120):
            try:
                await self.js.publish(subject, data, headers=headers, timeout=2.0)
                return
            except NATS_ERRORS as exc:
                if attempt == 0:
                    log.warning("publish to %s failed (%s); retrying", subject, exc)
                await asyncio.sleep(0.5)
        log.error("gave up publishing to %s", subject)

    async def publish_core(self, subject: str, event: BaseModel) -> None:
        with contextlib.suppress(*NATS_ERRORS):
            await self.nc.publish(subject, _json(event))

    async def ack(self, msg: Msg, *, term: bool = False) -> None:
        """Ack (or terminate); a failure is harmless: redelivery is de-duplicated by ``seq``."""
        with contextlib.suppress(*NATS_ERRORS, nats.errors.MsgAlreadyAckdError):
            await (msg.term() if term else msg.ack())

    # ------------------------------------------------------------------ main loop
    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Serve meetings until ``stop`` is set (or forever)."""
        stop = stop or asyncio.Event()
        self.scheduler = DecodeScheduler(self.decode_many, threads=self.settings.model_workers)
        self.nc = await connect(self.settings, url=self.nats_url, name=f"asr-worker {self.id}")
        self.js = self.nc.jetstream()
        await ensure_streams(self.js, self.limits)
        self.kv = await ensure_lease_bucket(self.js, self.limits)
        await ensure_consumer(self.js, sub.STREAM_IN, dispatch_consumer(self.limits))
        await ensure_consumer(self.js, sub.STREAM_IN, sentinel_consumer())
        dispatch = await self.js.pull_subscribe_bind(sub.DISPATCH_CONSUMER, stream=sub.STREAM_IN)
        sentinel = await self.js.pull_subscribe_bind(sub.SENTINEL_CONSUMER, stream=sub.STREAM_IN)
        log.info("worker %s ready on %s", self.id, self.nats_url)
        try:
            while not stop.is_set():
                self.meetings = {k: t for k, t in self.meetings.items() if not t.done()}
                if len(self.meetings) < self.max_meetings:
                    try:
                        for msg in await dispatch.fetch(1, timeout=0.3):
                            await self.dispatch(msg)
                    except TimeoutError:  # nats' or asyncio's: no meeting waiting
                        pass
                    except NATS_ERRORS as exc:
                        log.debug("dispatch fetch failed: %s", exc)
                        await asyncio.sleep(0.5)
                else:
                    await asyncio.sleep(0.3)
                await self.watch_unknown(sentinel)
        except Exception:
            log.exception("worker %s stopped on an error", self.id)
            raise
        finally:
            for task in self.meetings.values():
                task.cancel()
            await asyncio.gather(*self.meetings.values(), return_exceptions=True)
            await self.scheduler.close()
            with contextlib.suppress(Exception):
                await self.nc.close()
            self.final_pool.shutdown(wait=False, cancel_futures=True)
            self.db_pool.shutdown(wait=True)

    async def dispatch(self, msg: Msg) -> None:
        """Hand a ``started`` message to :meth:`on_started`; an unexpected error there is logged
        and the message retried later, then dropped after a few deliveries: one bad message
        never stops the worker (nor, redelivered, every worker in turn)."""
        try:
            await self.on_started(msg)
        except Exception as exc:  # noqa: BLE001 - the worker must outlive any one message
            log.exception("could not dispatch %s", msg.subject)
            delivered = msg.metadata.num_delivered if msg.metadata else MAX_START_ATTEMPTS
            if delivered < MAX_START_ATTEMPTS:
                with contextlib.suppress(*NATS_ERRORS):
                    await msg.nak(delay=5.0)
                return
            await self.service_error(
                msg,
                "processing_failed",
                f"the meeting could not be started ({delivered} attempts): "
                f"{type(exc).__name__}: {exc}",
            )
            await self.ack(msg, term=True)

    async def service_error(self, msg: Msg, code: str, message: str) -> None:
        """Report a fatal problem with a message on ``asr.errors`` (for operators), and on its
        meeting's ``error`` subject too when the subject names one (for its backend)."""
        address = sub.parse(msg.subject)
        mid = address.meeting_id if address else ""
        event = ErrorEvent(
            meeting_id=mid, code=code, message=message, fatal=True, subject=msg.subject
        )
        log.warning("%s: %s: %s", msg.subject, code, message)
        await self.publish_core(sub.SERVICE_ERRORS, event)
        if address is not None:
            await self.emit(sub.subject(address.tenant, mid, "error"), event)

    async def on_started(self, msg: Msg) -> None:
        address = sub.parse(msg.subject)
        if address is None:
            await self.service_error(
                msg,
                "invalid_message",
                "subject must be meetings.<tenant>.<meeting_id>.started, each ID 1-128 letters, "
                "digits, '_' or '-' starting with a letter or digit; message dropped",
            )
            await self.ack(msg, term=True)
            return
        key = (address.tenant, address.meeting_id)
        running = self.meetings.get(key)
        if running is not None and not running.done():
            with contextlib.suppress(*NATS_ERRORS):
                await msg.in_progress()
            return
        error_subject = sub.subject(address.tenant, address.meeting_id, "error")
        try:
            meta = MeetingStarted.model_validate_json(msg.data)
        except ValidationError as exc:
            await self.emit(
                error_subject,
                ErrorEvent(
                    meeting_id=address.meeting_id,
                    code=_code(exc),
                    message=f"started: {_summary(exc)}",
                    fatal=True,
                    subject=msg.subject,
                ),
            )
            await self.ack(msg, term=True)
            return
        if meta.meeting_id != address.meeting_id:
            await self.emit(
                error_subject,
                ErrorEvent(
                    meeting_id=address.meeting_id,
                    code="invalid_message",
                    fatal=True,
                    message=f"meeting_id {meta.meeting_id!r} does not match the subject",
                    subject=msg.subject,
                ),
            )
            await self.ack(msg, term=True)
            return
        self.known.add(key)
        runner = MeetingRunner(self, address.tenant, meta, msg)
        self.meetings[key] = asyncio.create_task(runner.run(), name=f"meeting {key}")

    async def watch_unknown(self, sentinel: Any) -> None:
        """Report audio for meetings that were never started (headers-only consumer, cheap)."""
        try:
            msgs = await sentinel.fetch(256, timeout=0.05)
        except NATS_ERRORS:  # including a timeout: nothing new
            return
        for seen in (self.known, self.reported_unknown):
            if len(seen) > SEEN_MEETINGS_MAX:  # a long-lived worker: forget, at worst re-check
                seen.clear()
        for msg in msgs:
            address = sub.parse(msg.subject)
            if address is None:  # no valid meeting to answer on: operators hear of it once
                if msg.subject not in self.reported_unknown:
                    self.reported_unknown.add(msg.subject)
                    await self.service_error(
                        msg,
                        "invalid_message",
                        "audio on a subject naming no valid tenant or meeting ID (each 1-128 "
                        "letters, digits, '_' or '-', starting with a letter or digit): it is "
                        "never transcribed",
                    )
                continue
            key = (address.tenant, address.meeting_id)
            if key in self.known or key in self.reported_unknown:
                continue
            try:
                await self.js.get_last_msg(sub.STREAM_IN, sub.subject(*key, "started"))
                self.known.add(key)
            except NotFoundError:
                self.reported_unknown.add(key)
                await self.emit(
                    sub.subject(*key, "error"),
                    ErrorEvent(
                        meeting_id=address.meeting_id,
                        code="unknown_meeting",
                        message=f"audio for meeting {address.meeting_id!r} of tenant "
                        f"{address.tenant!r}, which was never started: publish "
                        "`started` first; the audio is kept and used if it comes",
                        subject=msg.subject,
                    ),
                )
            except (ValueError, *NATS_ERRORS):
                continue
