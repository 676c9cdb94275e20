"""Play a recording into the bus as a meeting backend would, and collect what comes back.

``asr-service simulate`` wraps :func:`simulate`; tests and the benchmark call it directly. It
publishes ``started``, the audio as ordered PCM16 chunks paced at ``speed`` × real time (one track
for a single file, one track per participant with several files), then ``ended``, and listens to
``meetings.<tenant>.<meeting>.>`` until the meeting is ``done`` (or ``failed``).
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats.errors
import numpy as np
from nats.aio.client import Client
from nats.js.errors import NotFoundError, ServiceUnavailableError
from tenacity import AsyncRetrying, retry_if_exception, stop_before_delay, wait_exponential_jitter

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import (
    OUT_MESSAGES,
    AudioChunk,
    CommittedEvent,
    ErrorEvent,
    FinalEvent,
    MeetingEnded,
    MeetingStarted,
    MinutesEvent,
    PartialEvent,
    Participant,
    StatusEvent,
)


@dataclass
class SimulationResult:
    """Everything received for the meeting, with arrival times (``time.monotonic()``)."""

    meeting_id: str
    started: float = 0.0
    sent_until: list[tuple[float, float]] = field(default_factory=list)
    """(meeting time sent, monotonic time) after each chunk: maps audio time to wall time."""
    partials: list[tuple[float, PartialEvent]] = field(default_factory=list)
    committed: list[tuple[float, CommittedEvent]] = field(default_factory=list)
    statuses: list[StatusEvent] = field(default_factory=list)
    errors: list[ErrorEvent] = field(default_factory=list)
    final: FinalEvent | None = None
    minutes: MinutesEvent | None = None

    @property
    def done(self) -> bool:
        return any(s.status in ("done", "failed") for s in self.statuses)

    @property
    def committed_text(self) -> str:
        segs = sorted((e.segment for _, e in self.committed), key=lambda s: s.start)
        return " ".join(s.text for s in segs)

    def sent_at(self, meeting_time: float) -> float:
        """Wall time when audio up to ``meeting_time`` had been sent."""
        for t, wall in self.sent_until:
            if t >= meeting_time:
                return wall
        return self.sent_until[-1][1] if self.sent_until else self.started


PUBLISH_TRANSIENT = (TimeoutError, nats.errors.Error, OSError)
"""What a server restart or a lost connection raises on publish: worth trying again."""
PUBLISH_PERMANENT = (nats.errors.MaxPayloadError,)
"""What no retry can fix (a message over the server's payload limit): raised at once."""
PUBLISH_WAIT = wait_exponential_jitter(multiplier=0.25, max=5.0)
"""0.25 s, 0.5 s, 1 s... capped at 5 s, each plus up to 1 s of random jitter, so simulators that
lost the same server do not all come back in the same instant."""


def _publish_failure_is_transient(exc: BaseException) -> bool:
    return isinstance(exc, PUBLISH_TRANSIENT) and not isinstance(exc, PUBLISH_PERMANENT)


async def publish_retry(
    js: Any, subject: str, data: bytes, *, msg_id: str | None = None, patience: float = 60.0
) -> None:
    """Publish to JetStream, retrying through a server restart as a real backend should; the
    ``Nats-Msg-Id`` makes a retry of a publish that did land harmless (duplicate window).

    Transient failures (:data:`PUBLISH_TRANSIENT`) are retried with exponential backoff and
    jitter (:data:`PUBLISH_WAIT`, tenacity) until ``patience`` seconds have passed, then the last
    error is raised; anything else is raised at once."""
    headers = {"Nats-Msg-Id": msg_id} if msg_id else None
    retrying = AsyncRetrying(
        retry=retry_if_exception(_publish_failure_is_transient),
        stop=stop_before_delay(patience),
        wait=PUBLISH_WAIT,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            await js.publish(subject, data, headers=headers, timeout=2.0)


class MeetingIdInUse(ValueError):
    """The bus already holds a ``started`` for this meeting ID: a new meeting needs a new ID."""


async def refuse_used_id(js: Any, tenant: str, meeting_id: str) -> None:
    """Raise :class:`MeetingIdInUse` if ``ASR_IN`` already holds this meeting's ``started``:
    replayed within the duplicate window it would be silently dropped, and after it the service
    refuses a finished meeting's ID; either way the simulation would wait for nothing."""
    try:
        await js.get_last_msg(sub.STREAM_IN, sub.subject(tenant, meeting_id, "started"))
    except NotFoundError:
        return
    raise MeetingIdInUse(
        f"meeting {meeting_id!r} of tenant {tenant!r} was already started on this bus: "
        "use a new --meeting-id"
    )


class StreamsMissing(TimeoutError):
    """The bus has no ``ASR_IN`` stream (no worker ever started on it) or no JetStream at all:
    anything published would go nowhere. The message names the fix."""


async def wait_for_streams(js: Any, timeout: float = 60.0) -> None:
    """Wait until a worker has declared the input stream (else publishes would go nowhere);
    raise :class:`StreamsMissing` naming the cause after ``timeout`` (0: look once)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await js.stream_info(sub.STREAM_IN)
            return
        except Exception as exc:  # noqa: BLE001 - not there yet
            if time.monotonic() >= deadline:
                raise StreamsMissing(_missing_stream_cause(exc)) from exc
            await asyncio.sleep(0.2)


def _missing_stream_cause(exc: BaseException) -> str:
    """Why ``ASR_IN`` could not be looked up, with the fix."""
    if isinstance(exc, NotFoundError):
        return (
            f"the bus has no {sub.STREAM_IN} stream: no worker has started on it yet; start "
            "`asr-service serve` or `asr-service worker` first (and wait for its 'ready' line)"
        )
    if isinstance(exc, ServiceUnavailableError | nats.errors.NoRespondersError):
        return (
            "the NATS server has no JetStream: start it with JetStream enabled (`-js`), or use "
            "`asr-service serve`, which starts one"
        )
    return f"cannot look up stream {sub.STREAM_IN} on the bus: {exc!r}"


class FinalStatusTimeout(TimeoutError):
    """No ``done``/``failed`` status (nor fatal error) came within ``timeout`` after the audio."""


def chunk_payloads(
    audio: np.ndarray, meeting_id: str, track: str, chunk_s: float
) -> list[AudioChunk]:
    """Split 16 kHz float32 audio into PCM16 chunks with seq and capture timestamps."""
    step = max(1, int(chunk_s * 16000))
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    return [
        AudioChunk(
            meeting_id=meeting_id,
            seq=i,
            timestamp=round(start / 16000, 4),
            track=track,
            data=base64.b64encode(pcm[start : start + step].tobytes()).decode(),
        )
        for i, start in enumerate(range(0, len(pcm), step))
    ]


async def simulate(
    nc: Client,
    tracks: dict[str, np.ndarray],
    *,
    meeting_id: str,
    tenant: str = "default",
    title: str = "",
    language: str = "fr",
    vocabulary: Sequence[str] = (),
    participants: Sequence[Participant] | None = None,
    speed: float = 1.0,
    chunk_s: float = 0.2,
    timeout: float = 600.0,
    streams_timeout: float | None = None,
    on_event: Callable[[str, Any], None] | None = None,
) -> SimulationResult:
    """Play ``tracks`` (name → audio) as one meeting; returns what the service sent back.

    ``speed``: playback rate, > 0 (1 = real time, 4 = four times faster, ``inf``: no pauses).
    ``timeout``: seconds to wait, after the last chunk, for the meeting's end
    (:class:`FinalStatusTimeout`). ``streams_timeout``: how long to wait for a worker to declare
    the input stream (default ``min(timeout, 60)``; a worker may be starting beside us), then
    :class:`StreamsMissing`."""
    if not speed > 0:  # also refuses NaN
        raise ValueError(f"speed must be > 0 (1 = real time), got {speed}")
    js = nc.jetstream()
    result = SimulationResult(meeting_id=meeting_id)
    done = asyncio.Event()

    async def on_msg(msg: Any) -> None:
        address = sub.parse(msg.subject)
        if address is None or address.kind not in OUT_MESSAGES:
            return
        event: Any = OUT_MESSAGES[address.kind].model_validate_json(msg.data)
        now = time.monotonic()
        if address.kind == "partial":
            result.partials.append((now, event))
        elif address.kind == "committed":
            if all(e.segment.id != event.segment.id for _, e in result.committed):
                result.committed.append((now, event))
        elif address.kind == "status":
            result.statuses.append(event)
            if event.status in ("done", "failed"):
                done.set()
        elif address.kind == "error":
            result.errors.append(event)
            if event.fatal:  # the service gave up on (or refused) this meeting
                done.set()
        elif address.kind == "final":
            result.final = event
        elif address.kind == "minutes":
            result.minutes = event
        if on_event:
            on_event(address.kind, event)

    await wait_for_streams(
        js, timeout=min(timeout, 60.0) if streams_timeout is None else streams_timeout
    )
    await refuse_used_id(js, tenant, meeting_id)
    # the output subjects only, as a backend should: not our own started/audio/ended back
    subscriptions = [
        await nc.subscribe(sub.subject(tenant, meeting_id, kind), cb=on_msg)
        for kind in sub.OUT_KINDS
    ]
    per_track = list(tracks) != ["mix"]
    if participants is None:
        participants = [Participant(id=name, name=name) for name in tracks] if per_track else []
    started = MeetingStarted(
        meeting_id=meeting_id,
        title=title,
        language=language,
        participants=list(participants),
        vocabulary=list(vocabulary),
        per_track=per_track,
    )
    await publish_retry(
        js,
        sub.subject(tenant, meeting_id, "started"),
        started.model_dump_json().encode(),
        msg_id=f"{tenant}.{meeting_id}.started",
    )
    chunks = {name: chunk_payloads(a, meeting_id, name, chunk_s) for name, a in tracks.items()}
    n_chunks = max(len(c) for c in chunks.values())
    result.started = t0 = time.monotonic()
    audio_subject = sub.subject(tenant, meeting_id, "audio")
    for i in range(n_chunks):
        for name, items in chunks.items():
            if i < len(items):
                await publish_retry(
                    js,
                    audio_subject,
                    items[i].model_dump_json().encode(),
                    msg_id=f"{tenant}.{meeting_id}.{name}.{i}",
                )
        result.sent_until.append(((i + 1) * chunk_s, time.monotonic()))
        delay = t0 + (i + 1) * chunk_s / speed - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    ended = MeetingEnded(meeting_id=meeting_id, last_seq={k: len(v) - 1 for k, v in chunks.items()})
    await publish_retry(
        js, sub.subject(tenant, meeting_id, "ended"), ended.model_dump_json().encode()
    )
    try:
        try:
            await asyncio.wait_for(done.wait(), timeout)
        except TimeoutError as exc:
            raise FinalStatusTimeout(
                f"no final status within {timeout:g} s after the end of the audio"
            ) from exc
        await asyncio.sleep(0.2)  # let the minutes event that precedes "done" be processed
    finally:
        for subscription in subscriptions:
            await subscription.unsubscribe()
    return result


def load_tracks(files: Sequence[Path], names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """One file: the mixed track ``mix``; several: one track each, named by ``names`` or stems.

    Raises ``ValueError`` (before decoding anything) unless there is one distinct, non-empty
    name per file: :func:`check_track_names`."""
    from asr_service.audio import decode_audio

    if len(files) == 1 and not names:
        return {"mix": decode_audio(files[0])}
    names = list(names or [Path(f).stem for f in files])
    check_track_names(len(files), names)
    return {name: decode_audio(f) for name, f in zip(names, files, strict=True)}


def check_track_names(n_files: int, names: Sequence[str]) -> None:
    """Raise ``ValueError`` unless ``names`` gives each of ``n_files`` files its own non-empty
    track name: a missing one has no track, a repeated one would merge two recordings."""
    if len(names) != n_files:
        raise ValueError(
            f"{n_files} file(s) but {len(names)} track name(s): give one name per file"
        )
    if any(not n for n in names):
        raise ValueError("empty track name")
    repeated = sorted({n for n in names if list(names).count(n) > 1})
    if repeated:
        raise ValueError(f"track name(s) {', '.join(repeated)} given twice: one name per file")
