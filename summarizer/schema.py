"""The minutes document ("compte rendu"): typed records every renderer and API reads.

This is the contract between the minutes step and its consumers (Markdown here, ODT/DOCX/PDF in the
HTTP layer, storage). Everything printed as fact has passed the checks of :mod:`summarizer.verify`:
each decision and action carries the transcript segments that support it (ids and timestamps) so a
clerk can check it in one click. Items the model proposed but that failed a check are kept apart in
:attr:`Minutes.to_check` with the reason, never mixed with the verified ones.

Text fields are French, impersonal administrative style, third person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

MINUTES_SCHEMA_VERSION = "1"


class SourceRef(BaseModel):
    """One transcript segment cited as evidence (``segment_id`` is ``Segment.id``)."""

    segment_id: int
    start: float = Field(description="seconds from the start of the recording")
    end: float
    speaker: str | None = Field(default=None, description="display name of the speaker, if known")
    text: str = Field(default="", description="the segment's words, for one-click checking")


class Participant(BaseModel):
    """A person present (a transcript speaker), with a role only when the transcript states it."""

    name: str
    role: str | None = None
    speaker_id: str | None = Field(default=None, description="``Speaker.id`` in the transcript")


class Topic(BaseModel):
    """An agenda item / subject discussed, with a short impersonal summary."""

    title: str
    summary: str = ""
    segment_ids: list[int] = Field(default_factory=list)
    start: float | None = None
    end: float | None = None


class Decision(BaseModel):
    """A decision the meeting took ("relevé de décisions"), verified against the cited text."""

    text: str
    sources: list[SourceRef] = Field(min_length=1)


class Action(BaseModel):
    """A task someone must do. ``owner`` and ``due`` are only set when stated in the transcript.

    ``due`` is the deadline *as said* (e.g. "avant le 15 mars", "fin juin"), never a computed date.
    """

    task: str
    owner: str | None = None
    due: str | None = None
    sources: list[SourceRef] = Field(min_length=1)
    notes: list[str] = Field(
        default_factory=list,
        description="what verification removed, e.g. an owner not found in the transcript",
    )


class OpenQuestion(BaseModel):
    """A point raised but left unresolved, to carry to a later meeting."""

    text: str
    sources: list[SourceRef] = Field(default_factory=list)


class Unverified(BaseModel):
    """An item the model proposed that failed verification: shown to the clerk, never as fact."""

    kind: Literal["decision", "action", "open_question"]
    text: str
    reason: str
    segment_ids: list[int] = Field(default_factory=list)


class GenerationInfo(BaseModel):
    """How the minutes were produced (for audit and benchmarks)."""

    backend: str = ""
    model: str = ""
    windows: int = 0
    llm_calls: int = 0
    seconds: float = 0.0
    verified: bool = True
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    extra: dict[str, Any] = Field(default_factory=dict)


class Minutes(BaseModel):
    """The meeting minutes: what renderers and the API expose.

    ``status`` is ``"empty"`` when the transcript holds no speech: then ``notice`` explains it and
    every list is empty (no LLM was called, nothing was invented).
    """

    schema_version: str = MINUTES_SCHEMA_VERSION
    status: Literal["ok", "empty"] = "ok"
    notice: str | None = None
    meeting_id: str | None = None
    title: str = "Compte rendu de réunion"
    date: str | None = Field(default=None, description="the meeting date as stated, if stated")
    duration: float = Field(default=0.0, description="seconds of recording covered")
    language: str = "fr"
    participants: list[Participant] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    to_check: list[Unverified] = Field(
        default_factory=list, description="proposals that failed verification (not facts)"
    )
    generation: GenerationInfo = Field(default_factory=GenerationInfo)

    def cited_segment_ids(self) -> set[int]:
        """Every segment id cited by a decision, action, open question or topic."""
        ids: set[int] = set()
        for item in [*self.decisions, *self.actions, *self.open_questions]:
            ids.update(s.segment_id for s in item.sources)
        for topic in self.topics:
            ids.update(topic.segment_ids)
        return ids
