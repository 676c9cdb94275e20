"""Pydantic schemas of every message on the bus (JSON, UTF-8). The subject table is in
``subjects``; ``docs/bus.md`` documents both for backend developers.

Audio is sent as JSON with base64 PCM (simple from any language). Accepted audio: mono, 16 kHz,
``pcm_s16le`` (default) or ``pcm_f32le``; anything else is refused with an ``unsupported_format``
error event. One chunk carries at most ``ASR_BUS_MAX_CHUNK_S`` seconds (5 s by default; 100-500 ms
is typical).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from asr_service.bus.subjects import valid_id
from asr_service.languages import normalize_language
from asr_service.transcript import Segment, Transcript, Word

SUPPORTED_ENCODINGS = {"pcm_s16le": 2, "pcm_f32le": 4}
SAMPLE_RATE = 16000
MAX_PARTICIPANTS = 200
"""Participants a ``started`` message may announce (more: ``invalid_message``, not started)."""
MAX_VOCABULARY_TERMS = 500
"""Vocabulary terms a ``started`` message may carry (Whisper's prompt holds far fewer anyway)."""
MAX_TERM_CHARS = 200
"""Longest vocabulary term, participant name or track (characters)."""
MAX_TITLE_CHARS = 1000


def _now() -> datetime:
    return datetime.now(UTC)


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore")


# ----------------------------------------------------------------------------- in


class Participant(_Message):
    """A participant; ``track`` is the audio track carrying their voice (defaults to ``id``)."""

    id: str = Field(min_length=1, max_length=128)
    name: str | None = Field(default=None, max_length=MAX_TERM_CHARS)
    track: str | None = Field(default=None, max_length=128)

    @property
    def track_id(self) -> str:
        return self.track or self.id


class MeetingStarted(_Message):
    """``meetings.<tenant>.<meeting>.started``: a meeting begins."""

    meeting_id: str
    title: str = Field(default="", max_length=MAX_TITLE_CHARS)
    language: str = "fr"
    """Whisper code or BCP 47 tag (``fr``, ``fr-FR``); ``auto`` detects it from the audio."""
    participants: list[Participant] = Field(default_factory=list, max_length=MAX_PARTICIPANTS)
    vocabulary: list[Annotated[str, Field(max_length=MAX_TERM_CHARS)]] = Field(
        default_factory=list, max_length=MAX_VOCABULARY_TERMS
    )
    per_track: bool = False
    """True when audio comes as one track per participant (speakers then come from tracks)."""
    started_at: datetime | None = None

    @field_validator("meeting_id")
    @classmethod
    def _check_id(cls, v: str) -> str:
        if not valid_id(v):
            raise ValueError("meeting_id must be 1-128 letters, digits, '_' or '-'")
        return v

    @field_validator("language")
    @classmethod
    def _normalize_language(cls, v: str) -> str:
        return normalize_language(v)

    def speaker_for(self, track: str) -> str:
        """The display name of the participant on ``track`` (the track ID when unknown)."""
        for p in self.participants:
            if p.track_id == track:
                return p.name or p.id
        return track


class AudioChunk(_Message):
    """``meetings.<tenant>.<meeting>.audio``: one chunk of audio of one track.

    ``seq`` counts from 0 per track without gaps; ``timestamp`` is the capture time of the first
    sample in seconds since the meeting started (used to place late-starting tracks and to fill
    gaps with silence); ``data`` is base64 of the raw samples.
    """

    meeting_id: str
    seq: int = Field(ge=0)
    timestamp: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    track: str = "mix"
    encoding: str = "pcm_s16le"
    sample_rate: int = SAMPLE_RATE
    channels: int = 1
    data: str


class MeetingEnded(_Message):
    """``meetings.<tenant>.<meeting>.ended``: no more audio will come.

    ``last_seq`` (optional, per track) lets the worker wait for chunks still in flight.
    """

    meeting_id: str
    ended_at: datetime | None = None
    last_seq: dict[str, int] = Field(default_factory=dict)


# ----------------------------------------------------------------------------- out


class PartialEvent(_Message):
    """``partial``: the current hypothesis of an utterance in progress (will change)."""

    meeting_id: str
    track: str
    speaker: str | None = None
    start: float
    end: float
    text: str
    sent_at: datetime = Field(default_factory=_now)


class CommittedEvent(_Message):
    """``committed``: a segment that the live pass will not change (meeting time, seconds)."""

    meeting_id: str
    track: str
    segment: Segment
    sent_at: datetime = Field(default_factory=_now)


Status = Literal["live", "ended_by_timeout", "ending", "finalizing", "done", "failed"]


class StatusEvent(_Message):
    """``status``: lifecycle changes of a meeting."""

    meeting_id: str
    status: Status
    detail: str = ""
    worker: str = ""
    sent_at: datetime = Field(default_factory=_now)


ErrorCode = Literal[
    "malformed_json",
    "invalid_message",
    "unknown_meeting",
    "oversized_message",
    "unsupported_format",
    "duplicate_chunk",
    "out_of_order",
    "missing_chunks",
    "meeting_over",
    "too_many_meetings",
    "processing_failed",
]


class ErrorEvent(_Message):
    """``error``: a problem, named by ``code``; ``fatal`` false means the meeting goes on."""

    meeting_id: str
    code: ErrorCode
    message: str
    fatal: bool = False
    subject: str | None = None
    track: str | None = None
    seq: int | None = None
    sent_at: datetime = Field(default_factory=_now)


class FinalEvent(_Message):
    """``final``: the accurate transcript is stored and replaces the live one.

    ``transcript`` is inline when it fits in a message (else fetch it over HTTP by meeting ID).
    """

    meeting_id: str
    segments: int
    duration: float
    speakers: list[str] = Field(default_factory=list)
    transcript: Transcript | None = None
    sent_at: datetime = Field(default_factory=_now)


class MinutesEvent(_Message):
    """``minutes``: the minutes are stored (Markdown inline when it fits)."""

    meeting_id: str
    markdown: str | None = None
    available: bool = True
    detail: str = ""
    sent_at: datetime = Field(default_factory=_now)


class MinutesValidatedEvent(_Message):
    """``minutes_validated``: a clerk validated the minutes (published by the HTTP API).

    The validated minutes are then what every download carries (``version``); fetch them over
    HTTP. A later validation of a newer version sends another event."""

    meeting_id: str = Field(description="the meeting")
    version: int = Field(description="the validated version of the minutes (counts from 1)")
    validated_by: str = Field(description="the clerk who validated them (name of the sign-in)")
    validated_at: datetime = Field(description="when they were validated (UTC)")
    title: str = Field(default="", description="the title of the validated minutes")
    decisions: int = Field(default=0, description="number of decisions in the validated minutes")
    actions: int = Field(default=0, description="number of actions in the validated minutes")
    sent_at: datetime = Field(default_factory=_now, description="when the event was queued (UTC)")


IN_MESSAGES: dict[str, type[BaseModel]] = {
    "started": MeetingStarted,
    "audio": AudioChunk,
    "ended": MeetingEnded,
}
"""Input kind (``subjects.IN_KINDS``) → model: what the backend publishes."""
OUT_MESSAGES: dict[str, type[BaseModel]] = {
    "partial": PartialEvent,
    "committed": CommittedEvent,
    "status": StatusEvent,
    "error": ErrorEvent,
    "final": FinalEvent,
    "minutes": MinutesEvent,
    "minutes_validated": MinutesValidatedEvent,
}
"""Output kind (``subjects.OUT_KINDS``) → model: what the service publishes."""


__all__ = [
    "IN_MESSAGES",
    "OUT_MESSAGES",
    "AudioChunk",
    "CommittedEvent",
    "ErrorEvent",
    "FinalEvent",
    "MeetingEnded",
    "MeetingStarted",
    "MinutesEvent",
    "MinutesValidatedEvent",
    "Participant",
    "PartialEvent",
    "Segment",
    "StatusEvent",
    "Word",
]
