"""Audio intake: each message checked against the contract, then stored in order, then acked.

The checks (:func:`check_started`, :func:`decode_chunk`) are pure functions of the message bytes:
a message that breaks the contract raises :class:`Rejected` naming the error code of
``docs/bus.md`` and the problem. :class:`IntakeMixin` is the reception side of a
:class:`~asr_service.bus.meeting.MeetingRunner`: it reads the meeting's audio consumer,
de-duplicates and re-orders chunks by their per-track ``seq``, appends them to the meeting's audio
on disk and only then acks them (the consumer's ack floor plus the on-disk index is the resume
point), and ends reception at ``ended`` or, when no audio came for ``ASR_MEETING_IDLE_TIMEOUT_S``,
on its own (status ``ended_by_timeout``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import nats.errors
import numpy as np
from nats.aio.msg import Msg
from pydantic import ValidationError

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import (
    SAMPLE_RATE,
    SUPPORTED_ENCODINGS,
    AudioChunk,
    MeetingEnded,
    MeetingStarted,
)
from asr_service.storage import safe_name

if TYPE_CHECKING:
    from asr_service.bus.live import Track

log = logging.getLogger(__name__)

REORDER_WAIT_S = 2.0
"""How long a missing chunk is waited for before the gap is reported and skipped."""
GAP_FILL_S = 1.0
"""A track whose capture timestamp jumps ahead by more than this is padded with silence."""
NATS_ERRORS = (nats.errors.Error, OSError, asyncio.TimeoutError)


class Rejected(Exception):
    """A message that breaks the contract: ``code`` is its error code (``docs/bus.md``)."""

    def __init__(self, code: str, message: str, **fields: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields
        """``track``/``seq`` of the chunk when known (copied into the error event)."""


def validation_code(exc: ValidationError) -> str:
    """``malformed_json`` when the message is not JSON at all, else ``invalid_message``."""
    return (
        "malformed_json"
        if any(e["type"] == "json_invalid" for e in exc.errors())
        else "invalid_message"
    )


def validation_summary(exc: ValidationError) -> str:
    """The first few problems, each with the field it is about."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err["loc"]) or "message"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def check_size(data: bytes, max_message_bytes: int) -> None:
    """Every input message is at most ``ASR_BUS_MAX_MESSAGE_BYTES``."""
    if len(data) > max_message_bytes:
        raise Rejected(
            "oversized_message",
            f"message of {len(data)} bytes exceeds {max_message_bytes} bytes "
            "(ASR_BUS_MAX_MESSAGE_BYTES)",
        )


def check_started(data: bytes, meeting_id: str, *, max_message_bytes: int) -> MeetingStarted:
    """A ``started`` message of the subject's meeting, within the contract's bounds (size,
    participants, vocabulary: :mod:`asr_service.bus.schemas`); raises :class:`Rejected`."""
    check_size(data, max_message_bytes)
    try:
        meta = MeetingStarted.model_validate_json(data)
    except ValidationError as exc:
        raise Rejected(validation_code(exc), f"started: {validation_summary(exc)}") from None
    if meta.meeting_id != meeting_id:
        raise Rejected(
            "invalid_message", f"meeting_id {meta.meeting_id!r} does not match the subject"
        )
    return meta


@dataclass
class DecodedChunk:
    """An accepted audio chunk: its place (track, seq, capture time) and its samples."""

    track: str
    seq: int
    timestamp: float | None
    pcm16: bytes
    """Little-endian 16-bit samples (``pcm_f32le`` is converted)."""


def decode_chunk(
    data: bytes, meeting_id: str, *, max_message_bytes: int, max_chunk_s: float
) -> DecodedChunk:
    """Check an ``audio`` message against the contract and decode its samples; raises
    :class:`Rejected` (with ``track``/``seq`` once they are known)."""
    check_size(data, max_message_bytes)
    try:
        payload = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Rejected("malformed_json", f"audio chunk is not valid JSON: {exc}") from None
    try:
        chunk = AudioChunk.model_validate(payload)
    except ValidationError as exc:
        raise Rejected("invalid_message", f"audio chunk: {validation_summary(exc)}") from None
    kw = {"track": chunk.track, "seq": chunk.seq}
    if chunk.meeting_id != meeting_id:
        raise Rejected(
            "invalid_message",
            f"meeting_id {chunk.meeting_id!r} does not match the subject's {meeting_id!r}",
            **kw,
        )
    width = SUPPORTED_ENCODINGS.get(chunk.encoding)
    if width is None or chunk.sample_rate != SAMPLE_RATE or chunk.channels != 1:
        raise Rejected(
            "unsupported_format",
            f"got encoding={chunk.encoding!r} sample_rate={chunk.sample_rate} "
            f"channels={chunk.channels}; expected pcm_s16le or pcm_f32le, 16000 Hz, mono",
            **kw,
        )
    try:
        raw = base64.b64decode(chunk.data, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected("invalid_message", "data is not valid base64", **kw) from None
    if len(raw) % width:
        raise Rejected(
            "unsupported_format",
            f"{len(raw)} bytes is not a whole number of {chunk.encoding} samples "
            f"({width} bytes each)",
            **kw,
        )
    seconds = len(raw) / width / SAMPLE_RATE
    if seconds > max_chunk_s:
        raise Rejected(
            "oversized_message",
            f"chunk holds {seconds:.2f} s of audio; the limit is {max_chunk_s:g} s "
            "(ASR_BUS_MAX_CHUNK_S): send shorter chunks",
            **kw,
        )
    if width == 4:
        samples = np.frombuffer(raw, dtype="<f4")
        if not np.all(np.isfinite(samples)):
            raise Rejected("unsupported_format", "pcm_f32le data has NaN/inf", **kw)
        raw = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    try:
        safe_name(chunk.track, "track")
    except ValueError as exc:
        raise Rejected("invalid_message", str(exc), **kw) from None
    return DecodedChunk(chunk.track, chunk.seq, chunk.timestamp, raw)


class IntakeMixin:
    """Reception of one meeting's audio (part of :class:`~asr_service.bus.meeting.MeetingRunner`,
    whose attributes it uses)."""

    w: Any
    tenant: str
    mid: str
    tracks: dict[str, Track]
    ended: MeetingEnded | None
    ended_msg: Msg | None
    ended_at: float
    redelivered_upto: int
    last_input_at: float
    timed_out: bool
    sub_: Any
    events: Any

    async def receive(self) -> None:
        """Consume audio until ``ended`` and every expected chunk are in, or until no input came
        for the idle timeout (the meeting then ends itself: ``ended_by_timeout``)."""
        idle_timeout = self.w.idle_timeout_s
        while True:
            self.lease.check()  # type: ignore[attr-defined]
            try:
                msgs = await self.sub_.fetch(64, timeout=0.25)
            except TimeoutError:  # nats' own, or asyncio's (nats-py raises both): nothing came
                msgs = []
            except NATS_ERRORS as exc:
                log.debug("fetch failed (reconnecting?): %s", exc)
                await asyncio.sleep(0.5)
                msgs = []
            if msgs:
                self.last_input_at = time.monotonic()
            for msg in msgs:
                await self.handle(msg)
            await self.resolve_gaps()  # type: ignore[attr-defined]
            self.drive()  # type: ignore[attr-defined]
            if self.ended is None and time.monotonic() - self.last_input_at > idle_timeout:
                await self.end_idle(idle_timeout)
            if self.ended is not None and self.complete():
                return

    async def end_idle(self, idle_timeout: float) -> None:
        """No input for ``idle_timeout`` seconds: end the meeting as if ``ended`` had come (the
        backend may be gone; its slot is freed and what was received is transcribed)."""
        log.warning("no audio for %g s: the meeting ends itself", idle_timeout)
        self.timed_out = True
        await self.events.status(
            "ended_by_timeout",
            detail=f"no audio for {idle_timeout:g} s (ASR_MEETING_IDLE_TIMEOUT_S): ended by the "
            "service, transcribed as received",
        )
        self.ended = MeetingEnded(meeting_id=self.mid)
        self.ended_at = time.monotonic()

    def complete(self) -> bool:
        """Every chunk ``ended`` announced is stored (or waited for long enough)."""
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
                check_size(msg.data, self.w.limits.max_message_bytes)
                self.ended = MeetingEnded.model_validate_json(msg.data)
            except Rejected as exc:
                await self.events.error(exc.code, f"ended: {exc.message}", subject=msg.subject)
                self.ended = MeetingEnded(meeting_id=self.mid)
            except ValidationError as exc:
                await self.events.error(
                    validation_code(exc),
                    f"ended: {validation_summary(exc)}",
                    subject=msg.subject,
                )
                self.ended = MeetingEnded(meeting_id=self.mid)
            self.ended_msg = msg
            self.ended_at = time.monotonic()
            await self.drop_after_end()
            return
        await self.handle_audio(msg)

    async def reject(self, msg: Msg, code: str, message: str, **kw: Any) -> None:
        """Name the problem in an error event and terminate the message (never redelivered)."""
        await self.events.error(code, message, subject=msg.subject, **kw)
        await self.w.ack(msg, term=True)

    async def handle_audio(self, msg: Msg) -> None:
        w = self.w
        try:
            chunk = decode_chunk(
                msg.data,
                self.mid,
                max_message_bytes=w.limits.max_message_bytes,
                max_chunk_s=w.max_chunk_s,
            )
        except Rejected as exc:
            await self.reject(msg, exc.code, exc.message, **exc.fields)
            return
        kw = {"track": chunk.track, "seq": chunk.seq}
        last = self.ended.last_seq.get(chunk.track) if self.ended is not None else None
        if last is not None and chunk.seq > last:
            await self.reject_after_end(msg, chunk.track, chunk.seq, last)
            return
        track = self.open_track(chunk.track)  # type: ignore[attr-defined]
        expected = track.info.next_seq
        if chunk.seq < expected or chunk.seq in track.pending:
            if msg.metadata and msg.metadata.sequence.stream <= self.redelivered_upto:
                await w.ack(msg)  # redelivered after a takeover, stored by the earlier owner
                return
            await self.events.error(
                "duplicate_chunk",
                f"track {chunk.track!r} chunk {chunk.seq} was already received; ignored",
                subject=msg.subject,
                **kw,
            )
            await w.ack(msg)
            return
        if chunk.seq > expected:
            track.pending[chunk.seq] = (chunk.pcm16, msg, chunk.timestamp, time.monotonic())
            if not track.reported_out_of_order:
                track.reported_out_of_order = True
                await self.events.error(
                    "out_of_order",
                    f"track {chunk.track!r} chunk {chunk.seq} arrived before {expected}; "
                    "held and re-ordered",
                    subject=msg.subject,
                    **kw,
                )
            return
        await self.store(track, chunk.seq, chunk.pcm16, chunk.timestamp, msg)
        await self.drain(track)

    async def store(
        self, track: Track, seq: int, pcm16: bytes, timestamp: float | None, msg: Msg
    ) -> None:
        """Append to disk, then ack, then stream: disk is the truth a successor resumes from."""
        await self.lease.hold()  # type: ignore[attr-defined]
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
            self.feed(track)  # type: ignore[attr-defined]

    async def drain(self, track: Track) -> None:
        """Store the held chunks that are now in order."""
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
