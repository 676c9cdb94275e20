"""The live pass of a meeting: each track's stream driven through the shared decoder, gaps resolved.

Each track feeds an :class:`~asr_service.streaming.UtteranceStream`; decodes go through one
:class:`~asr_service.streaming.DecodeScheduler` shared by all meetings of the worker (one model,
``ASR_MODEL_WORKERS`` decode threads, waiting decodes batched, commits before partials).
Committed segments are stored with the stream cursor (the checkpoint) in one transaction, then
published in id order with a ``Nats-Msg-Id``, so a republish after a takeover is dropped by
JetStream's duplicate window.

Gap resolution: a chunk that never comes is waited for while reception is stalled on it
(:func:`gap_stalled`), then reported as ``missing_chunks`` and skipped.

:class:`LiveMixin` is the live side of a :class:`~asr_service.bus.meeting.MeetingRunner`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from nats.aio.msg import Msg

from asr_service.bus.intake import REORDER_WAIT_S
from asr_service.bus.schemas import SAMPLE_RATE, MeetingStarted, PartialEvent
from asr_service.storage import TrackInfo
from asr_service.storage import repository as repo
from asr_service.streaming import StreamingVad, UtteranceStream, single_decoder
from asr_service.streaming.scheduler import PRIORITY_COMMIT, PRIORITY_PARTIAL
from asr_service.transcript import Segment

log = logging.getLogger(__name__)

PARTIAL_MAX_LOAD = 0.4
"""Partials start only while the decode thread was busy less than this share of the last 5 s
(bench_streaming, N = 4: p95 commit latency 3.78 s with no bound, 3.30 s at 0.6, 2.8 s at 0.4)."""
REORDER_MAX = 200
"""Chunks held for re-ordering on one track before the gap before them is skipped."""
BACKLOG_WINDOW = 2
"""A stream behind the stored audio is fed this many buffer bounds (``max_buffer_s``) at once."""
CHECKPOINT_SILENCE_S = 30.0
"""Dropped silence is saved as the resume point once it moved this far (seconds of audio)."""


@dataclass
class Track:
    """Reception and streaming state of one audio track of a meeting."""

    name: str
    speaker: str | None
    info: TrackInfo
    stream: UtteranceStream
    pending: dict[int, tuple[bytes, Msg, float | None, float]] = field(default_factory=dict)
    """Chunks held for re-ordering: seq → (pcm16, message, capture time, arrival time)."""
    task: asyncio.Task | None = None
    probe: asyncio.Task | None = None
    waiting_partial: bool = False
    last_partial: str = ""
    shown_at: float = field(default_factory=time.monotonic)
    """When the track last showed its backend something new: a partial, a commit, or silence."""
    reported_out_of_order: bool = False
    progress_at: float = field(default_factory=time.monotonic)
    """When ``next_seq`` last advanced: a gap is skipped only when reception stalls on it."""


def gap_stalled(
    arrivals: list[float],
    progress_at: float,
    now: float,
    *,
    wait_s: float = REORDER_WAIT_S,
    max_held: int = REORDER_MAX,
) -> bool:
    """Skip the gap before held chunks (arrived at ``arrivals``)? Only when reception stalled on
    it for ``wait_s`` (nothing stored since the oldest held chunk arrived, ``progress_at`` being
    the last store), or too many chunks are held: in-order chunks that keep coming are stored, and
    one stray far-ahead ``seq`` cannot make the track skip ahead and drop the chunks after it."""
    if not arrivals:
        return False
    return now - max(min(arrivals), progress_at) > wait_s or len(arrivals) > max_held


def partials_allowed(*, urgent: bool, starved: bool, idle: bool, waiting: int, load: float) -> bool:
    """Load shedding: a partial starts only when no decode runs and the decoders have headroom
    (a commit arriving then takes the other decode thread), so under load their cadence degrades
    while commits keep the decoder to themselves and the worker never falls behind real time.
    Commits (``urgent``) always run; a stream that has shown nothing for
    ``ASR_STREAM_PARTIAL_MAX_GAP_S`` while someone speaks (``starved``) gets its partial anyway,
    queued behind the commits."""
    return urgent or starved or (idle and not waiting and load <= PARTIAL_MAX_LOAD)


class LiveMixin:
    """Live decoding of one meeting's tracks (part of
    :class:`~asr_service.bus.meeting.MeetingRunner`, whose attributes it uses)."""

    w: Any
    tenant: str
    mid: str
    meta: MeetingStarted
    tracks: dict[str, Track]
    cursors: dict[str, int]
    next_id: int
    lock: asyncio.Lock
    events: Any
    lease: Any

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

    async def resolve_gaps(self, force: bool = False) -> None:
        """Report and skip chunks that never came (see :func:`gap_stalled`), so later audio is
        not held; ``force`` at the end of the meeting."""
        now = time.monotonic()
        for track in self.tracks.values():
            if not track.pending:
                continue
            arrivals = [v[3] for v in track.pending.values()]
            if force or gap_stalled(arrivals, track.progress_at, now):
                first = min(track.pending)
                await self.events.error(
                    "missing_chunks",
                    f"track {track.name!r} chunks {track.info.next_seq}..{first - 1} never "
                    "arrived; continuing after them",
                    track=track.name,
                    seq=track.info.next_seq,
                )
                track.info.next_seq = first
                await self.drain(track)  # type: ignore[attr-defined]

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
        if not partials_allowed(
            urgent=plan.urgent,
            starved=starved,
            idle=scheduler.idle,
            waiting=scheduler.pending,
            load=scheduler.load(),
        ):
            return "none"
        priority = PRIORITY_COMMIT if plan.urgent else PRIORITY_PARTIAL
        decoded = await asyncio.gather(
            *(scheduler.decode(r, priority=priority) for r in stream.requests(plan))
        )
        segments = [seg for part in decoded for seg in part]
        result = stream.apply(plan, stream.request(plan), segments)
        log.debug(
            "%s: %s cut=%.2fs -> %s %s",
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
                self.events.subject("partial"),
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
        """Store segments with the stream checkpoint in one transaction, then publish them."""
        async with self.lock:
            await self.lease.hold()
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
            # Queued under the lock, so in id order across tracks: a successor then knows every
            # id up to the last one on the bus was published (``last_published_segment``).
            for seg in numbered:
                await self.events.committed(seg, track.name)
        track.last_partial = ""
