"""Request and response bodies of the HTTP API, with the examples shown in the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from asr_service.storage.models import ApiToken, Job, Meeting, MeetingStatusEvent

MEETING_EXAMPLE = {
    "meeting_id": "cm-2026-11-28",
    "title": "Conseil municipal du 28 novembre",
    "status": "done",
    "source": "upload",
    "language": "fr",
    "created_at": "2026-11-28T09:00:00Z",
    "started_at": None,
    "ended_at": "2026-11-28T11:02:00Z",
    "has_transcript": True,
    "has_minutes": True,
}


class StatusEvent(BaseModel):
    """One step of a meeting's life (created, live, finalizing, done, failed...)."""

    status: str
    detail: str = ""
    at: datetime

    @classmethod
    def of(cls, event: MeetingStatusEvent) -> StatusEvent:
        return cls(status=event.status, detail=event.detail or "", at=event.created_at)


class MeetingSummary(BaseModel):
    """A meeting as listed."""

    model_config = ConfigDict(json_schema_extra={"example": MEETING_EXAMPLE})

    meeting_id: str
    title: str
    status: str
    source: str = Field(description="live (from the bus) or upload (a recording sent over HTTP)")
    language: str
    created_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    has_transcript: bool = False
    has_minutes: bool = False

    @classmethod
    def of(cls, meeting: Meeting, *, has_transcript: bool, has_minutes: bool) -> MeetingSummary:
        return cls(
            meeting_id=meeting.meeting_id,
            title=meeting.title or "",
            status=meeting.status,
            source=meeting.source,
            language=meeting.language,
            created_at=meeting.created_at,
            started_at=meeting.started_at,
            ended_at=meeting.ended_at,
            has_transcript=has_transcript,
            has_minutes=has_minutes,
        )


class MeetingList(BaseModel):
    """One page of meetings, newest first."""

    items: list[MeetingSummary]
    limit: int
    offset: int


class MeetingDetail(MeetingSummary):
    """A meeting with its participants, status history and download links."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                **MEETING_EXAMPLE,
                "participants": [{"id": "S1", "name": "Mme Durand"}],
                "error": None,
                "history": [
                    {"status": "created", "detail": "fichier reçu", "at": "2026-11-28T11:03:00Z"},
                    {"status": "done", "detail": "", "at": "2026-11-28T11:09:00Z"},
                ],
                "downloads": {
                    "transcript.json": "/api/v1/meetings/cm-2026-11-28/transcript?format=json",
                    "minutes.odt": "/api/v1/meetings/cm-2026-11-28/minutes?format=odt",
                },
            }
        }
    )

    participants: list[dict[str, Any]] = Field(default_factory=list)
    error: str | None = None
    history: list[StatusEvent] = Field(default_factory=list)
    downloads: dict[str, str] = Field(default_factory=dict)


class JobOut(BaseModel):
    """A batch job: an uploaded recording on its way to a transcript and minutes."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "job_id": "5f0c3e9a2b7d4c1e8f6a0b9c8d7e6f5a",
                "meeting_id": "cm-2026-11-28",
                "filename": "conseil-28-11.mp3",
                "status": "running",
                "progress": 0.4,
                "error": None,
                "created_at": "2026-11-28T11:03:00Z",
                "finished_at": None,
            }
        }
    )

    job_id: str
    meeting_id: str | None
    filename: str
    status: str = Field(description="queued, running, done or failed")
    progress: float = Field(ge=0, le=1)
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None

    @classmethod
    def of(cls, job: Job, meeting_id: str | None) -> JobOut:
        return cls(
            job_id=job.id,
            meeting_id=meeting_id,
            filename=job.filename,
            status=job.status,
            progress=job.progress,
            error=job.error,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )


class UploadAccepted(BaseModel):
    """Answer to an upload: the job to poll and the meeting it will fill."""

    job: JobOut
    meeting_id: str
    status_url: str


class DeletionOut(BaseModel):
    """What a deletion removed."""

    meeting_id: str
    deleted: bool = True
    files_removed: int
    jobs_removed: int


class TokenCreate(BaseModel):
    """A token to create for the caller's tenant (admin only)."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"role": "clerk", "name": "Greffe — poste 2"}}
    )

    role: str = Field(pattern="^(clerk|backend|admin)$")
    name: str = Field(default="", max_length=200)
    expires_at: datetime | None = Field(
        default=None,
        ge=datetime(1970, 1, 2, tzinfo=UTC),
        le=datetime(9999, 12, 30, tzinfo=UTC),
        description="expiry (UTC when no zone is given); none: never expires",
    )

    @field_validator("expires_at", mode="before")
    @classmethod
    def _utc(cls, value: object) -> object:
        """A naive time is UTC (as stored), so it compares with the aware bounds."""
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TokenOut(BaseModel):
    """A token as listed (never its secret)."""

    id: int
    name: str
    role: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            role=token.role,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
        )


class TokenCreated(TokenOut):
    """A new token with its secret: shown once, store it now."""

    token: str


class AuditOut(BaseModel):
    """One audit entry: who downloaded or deleted what, when."""

    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any] = Field(default_factory=dict)


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    """Each check with its verdict; 503 when any fails."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "ready": True,
                "checks": {
                    "storage": {"ok": True, "detail": "ok"},
                    "models": {"ok": True, "detail": "/models/whisper-base"},
                    "bus": {"ok": True, "detail": "no bus configured (HTTP only)"},
                },
            }
        }
    )

    ready: bool
    checks: dict[str, dict[str, Any]]
