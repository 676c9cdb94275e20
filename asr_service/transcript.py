"""The transcript vocabulary shared by every stage: words, segments, speakers, transcript.

These records are what the ASR step produces, diarization enriches with speakers, the minutes step
reads, storage persists and the bus/HTTP layers serialise. Times are seconds from the start of the
recording (meeting time for live meetings).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

SCHEMA_VERSION = "1"


class Word(BaseModel):
    """One recognised word with its timing and the model's confidence."""

    start: float
    end: float
    word: str
    probability: float = 1.0
    speaker: str | None = None


class Segment(BaseModel):
    """A stretch of speech with its text; ``id`` is stable within a transcript and cited by minutes."""

    id: int
    start: float
    end: float
    text: str
    words: list[Word] = Field(default_factory=list)
    speaker: str | None = None
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None


class DroppedSpan(BaseModel):
    """Audio the pipeline heard but left out of the transcript, and why (nothing goes silently).

    ``reason`` names the stage that removed it: ``vad_rejected`` (the voice-activity detector
    found no speech there although the audio has energy, and a second decode found nothing
    confident), ``undecoded`` (speech the VAD kept but Whisper gave no words for, even on a
    second decode of its own), ``no_speech`` (Whisper's no-speech/log-probability guard), ``blocklisted``
    (a known subtitle-credit hallucination), ``vocabulary_echo`` (the hotword list recited),
    ``repetition`` (repeated copies of a loop), ``duplicate`` (words a second decode of a stretch
    heard again although the first decode had already written them next to it). ``text`` is what
    was decoded there, when anything was.
    """

    start: float
    end: float
    reason: str
    text: str | None = None
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


class Speaker(BaseModel):
    """A speaker label and, when known, the participant's display name."""

    id: str
    name: str | None = None

    @property
    def display(self) -> str:
        return self.name or self.id


class Transcript(BaseModel):
    """A whole transcript with the model and settings that produced it."""

    schema_version: str = SCHEMA_VERSION
    meeting_id: str | None = None
    source: str | None = None
    language: str = "fr"
    language_probability: float | None = None
    duration: float = 0.0
    segments: list[Segment] = Field(default_factory=list)
    speakers: list[Speaker] = Field(default_factory=list)
    dropped: list[DroppedSpan] = Field(
        default_factory=list, description="what VAD and the guards removed, with the reason"
    )
    model: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def speaker_name(self, speaker_id: str | None) -> str | None:
        """Display name of a speaker label (the label itself when no name is known)."""
        if speaker_id is None:
            return None
        for sp in self.speakers:
            if sp.id == speaker_id:
                return sp.display
        return speaker_id
