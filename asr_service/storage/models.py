"""SQLAlchemy 2 ORM models: the persisted records of tenants, tokens, meetings and their outputs.

One relational schema serves both the NATS worker (issue 7) and the HTTP API (issue 5):

- ``tenants``: an organisation; every other record belongs to one.
- ``api_tokens``: hashed bearer tokens (sha256 of the secret) with a role
  (``clerk`` | ``backend`` | ``admin``), optional expiry and revocation.
- ``meetings``: a live meeting (from the bus) or an uploaded recording (from HTTP), addressed by its
  external ``meeting_id`` which is unique per tenant; an integer ``pk`` links the child rows.
- ``meeting_status_events``: the status history of a meeting (append-only).
- ``live_segments``: committed segments of the live pass, one row per segment, so that each commit
  is a small insert whatever the meeting length (idempotent on ``(meeting_pk, segment_id)``).
- ``transcripts``: whole transcripts as JSON (``asr_service.transcript.Transcript``), one per
  ``(meeting, kind)`` with kind ``live`` (snapshot at meeting end) or ``final`` (accurate pass).
- ``minutes``: the minutes of a meeting as JSON plus their Markdown rendering (the latest
  machine output).
- ``minutes_versions``: the clerk's review of the minutes, one immutable row per version (who, when,
  what changed, ``draft`` | ``reviewed`` | ``validated``, the whole Minutes JSON); a validated
  version is never changed, later edits or regenerations append new versions.
- ``bus_outbox``: bus events the API must publish (``minutes_validated``), written in the same
  transaction as the change they announce and marked published once NATS acknowledged them.
- ``jobs``: file-upload processing jobs (status, progress, error).
- ``audit_log``: who did what, when (append-only).
- ``sign_in_sessions`` / ``sign_in_requests``: clerks' server-side sessions and OpenID Connect
  sign-ins under way (migration 0002).

The schema is created and upgraded by the Alembic migrations in ``asr_service/migrations``; keep
the two in step (a test compares them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Timezone-aware current time (UTC); every timestamp column stores UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of every table; ``Base.metadata`` is what the migrations describe."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime()}


ROLES = ("clerk", "backend", "admin")
"""Token roles: ``clerk`` reads/edits meetings, ``backend`` feeds meetings, ``admin`` manages."""

MEETING_STATUSES = ("created", "live", "ending", "finalizing", "done", "failed")
"""Meeting lifecycle, in order; ``failed`` may follow any status."""

JOB_STATUSES = ("queued", "running", "done", "failed")
TRANSCRIPT_KINDS = ("live", "final")


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class SignInSession(Base):
    """A clerk's server-side sign-in session (OIDC or token sign-in on the pages).

    The browser holds only an opaque random id in a cookie; this row holds its SHA-256, so a
    leaked table yields no usable cookie. Logout deletes the row: the cookie is dead everywhere.
    A session opened with an API token (``token_id``) also dies with that token.
    """

    __tablename__ = "sign_in_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(200), default="")
    method: Mapped[str] = mapped_column(String(16))  # oidc | token
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), default=None
    )
    # the provider's ID token, sent back as ``id_token_hint`` when the clerk signs out there too
    id_token: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class SignInRequest(Base):
    """An OpenID Connect sign-in under way: the browser went to the provider and comes back with
    ``state``; this row (keyed by the state's SHA-256) keeps the PKCE verifier and the nonce."""

    __tablename__ = "sign_in_requests"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "meeting_id", name="uq_meetings_tenant_meeting"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16), default="live")  # live | upload
    title: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(8), default="fr")
    participants: Mapped[list[Any]] = mapped_column(default=list)
    vocabulary: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="created", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    audio_path: Mapped[str | None] = mapped_column(String(1000), default=None)
    retention_until: Mapped[datetime | None] = mapped_column(default=None)
    audio_deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # Worker checkpoint (stream cursors, next segment id); opaque to the HTTP API.
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)

    status_events: Mapped[list[MeetingStatusEvent]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingStatusEvent.id"
    )


class MeetingStatusEvent(Base):
    __tablename__ = "meeting_status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_pk: Mapped[int] = mapped_column(
        ForeignKey("meetings.pk", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="status_events")


class LiveSegment(Base):
    __tablename__ = "live_segments"
    __table_args__ = (
        UniqueConstraint("meeting_pk", "segment_id", name="uq_live_segments_meeting_segment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_pk: Mapped[int] = mapped_column(
        ForeignKey("meetings.pk", ondelete="CASCADE"), index=True
    )
    segment_id: Mapped[int] = mapped_column(Integer)
    track: Mapped[str | None] = mapped_column(String(128), default=None)
    start: Mapped[float] = mapped_column()
    end: Mapped[float] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TranscriptRecord(Base):
    __tablename__ = "transcripts"
    __table_args__ = (UniqueConstraint("meeting_pk", "kind", name="uq_transcripts_meeting_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_pk: Mapped[int] = mapped_column(
        ForeignKey("meetings.pk", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    data: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MinutesRecord(Base):
    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_pk: Mapped[int] = mapped_column(
        ForeignKey("meetings.pk", ondelete="CASCADE"), unique=True
    )
    data: Mapped[dict[str, Any]] = mapped_column()
    markdown: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


MINUTES_VERSION_STATUSES = ("draft", "reviewed", "validated")
"""``draft``: as the model wrote it; ``reviewed``: changed by a clerk; ``validated``: frozen."""


class MinutesVersion(Base):
    __tablename__ = "minutes_versions"
    __table_args__ = (
        UniqueConstraint("meeting_pk", "number", name="uq_minutes_versions_meeting_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_pk: Mapped[int] = mapped_column(
        ForeignKey("meetings.pk", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    data: Mapped[dict[str, Any]] = mapped_column()
    based_on: Mapped[int | None] = mapped_column(Integer, default=None)
    author: Mapped[str] = mapped_column(String(200), default="")
    author_name: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BusOutbox(Base):
    __tablename__ = "bus_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(400))
    msg_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    meeting_pk: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.pk", ondelete="SET NULL"), default=None
    )
    filename: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(default=0.0)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64), default=None)
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
