"""Repository functions: every read and write of the service database, as plain functions.

Each function takes an open ``Session`` (from ``Database.session()``) first. Everything that belongs
to a tenant takes the ``tenant_id`` and filters on it, so one tenant can never read another's
meeting by guessing its ID. Meetings are addressed by their external ``meeting_id`` (unique per
tenant); the integer primary key stays internal. Functions flush but never commit: the caller's
``Database.session()`` block is the transaction.

Errors: ``NotFound`` for a missing tenant-scoped record, ``Conflict`` for a duplicate ID,
``ValueError`` for an invalid role, status or kind. All derive from ``StorageError`` except
``ValueError``.

API summary (stable; the HTTP API and the NATS worker both use it):

- tenants and tokens: ``ensure_tenant``, ``get_tenant``, ``hash_token``, ``create_api_token``
  (returns the record and the secret, shown once), ``authenticate_token``, ``list_api_tokens``,
  ``revoke_api_token``;
- meetings: ``create_meeting``, ``upsert_meeting``, ``get_meeting``, ``require_meeting``,
  ``list_meetings`` (by status, source, title, creation date), ``meeting_outputs``,
  ``set_meeting_status``, ``status_history``, ``save_meeting_state``, ``count_failure``,
  ``delete_meeting``, ``meetings_with_expired_audio``, ``mark_audio_deleted``;
- transcripts: ``add_live_segments`` (idempotent), ``live_segments``, ``live_segments_by_track``,
  ``save_transcript``,
  ``get_transcript`` (final when present, else live);
- minutes: ``save_minutes`` (also appends a ``draft`` version when the text changed),
  ``get_minutes``;
- minutes review: ``minutes_versions``, ``get_minutes_version``, ``add_minutes_version``,
  ``latest_minutes_version``;
- bus outbox: ``add_outbox``, ``pending_outbox``, ``mark_outbox_published``,
  ``mark_outbox_failed``;
- jobs: ``create_job``, ``get_job``, ``update_job``, ``list_jobs``;
- audit: ``audit``, ``list_audit``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from asr_service.storage.models import (
    JOB_STATUSES,
    MEETING_STATUSES,
    MINUTES_VERSION_STATUSES,
    ROLES,
    TRANSCRIPT_KINDS,
    ApiToken,
    AuditEntry,
    BusOutbox,
    Job,
    LiveSegment,
    Meeting,
    MeetingStatusEvent,
    MinutesRecord,
    MinutesVersion,
    Tenant,
    TranscriptRecord,
    utcnow,
)
from asr_service.transcript import Segment, Speaker, Transcript

TOKEN_PREFIX = "asr_"


class StorageError(RuntimeError):
    """A storage operation could not be done as asked."""


class NotFound(StorageError):
    """The tenant-scoped record does not exist (or belongs to another tenant)."""


class Conflict(StorageError):
    """A record with that ID already exists."""


# --------------------------------------------------------------------------- tenants and tokens


def ensure_tenant(session: Session, tenant_id: str, name: str = "") -> Tenant:
    """The tenant with this ID, created when missing (idempotent)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        tenant = Tenant(id=tenant_id, name=name or tenant_id)
        session.add(tenant)
        session.flush()
    return tenant


def get_tenant(session: Session, tenant_id: str) -> Tenant | None:
    return session.get(Tenant, tenant_id)


def hash_token(secret: str) -> str:
    """sha256 hex of a token secret: only the hash is stored, so a leaked table leaks no token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_token(
    session: Session,
    tenant_id: str,
    role: str,
    *,
    name: str = "",
    expires_at: datetime | None = None,
    secret: str | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``tenant_id``; returns the record and the secret (shown only once)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    ensure_tenant(session, tenant_id)
    secret = secret or TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        tenant_id=tenant_id,
        role=role,
        name=name,
        token_hash=hash_token(secret),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


def authenticate_token(session: Session, secret: str) -> ApiToken | None:
    """The live token matching ``secret`` (not revoked, not expired), stamping its last use."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    token.last_used_at = now
    session.flush()
    return token


def list_api_tokens(session: Session, tenant_id: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.tenant_id == tenant_id).order_by(ApiToken.id)
        )
    )


def revoke_api_token(session: Session, tenant_id: str, token_id: int) -> ApiToken:
    """Revoke one of the tenant's tokens (idempotent); ``NotFound`` if it is not the tenant's."""
    token = session.get(ApiToken, token_id)
    if token is None or token.tenant_id != tenant_id:
        raise NotFound(f"token {token_id} not found for tenant {tenant_id!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


# --------------------------------------------------------------------------- meetings


def _check_status(status: str) -> None:
    if status not in MEETING_STATUSES:
        raise ValueError(f"unknown meeting status {status!r}; expected one of {MEETING_STATUSES}")


def get_meeting(session: Session, tenant_id: str, meeting_id: str) -> Meeting | None:
    """The tenant's meeting with this external ID, or ``None``."""
    return session.scalar(
        select(Meeting).where(Meeting.tenant_id == tenant_id, Meeting.meeting_id == meeting_id)
    )


def require_meeting(session: Session, tenant_id: str, meeting_id: str) -> Meeting:
    """Like ``get_meeting`` but raises ``NotFound``."""
    meeting = get_meeting(session, tenant_id, meeting_id)
    if meeting is None:
        raise NotFound(f"meeting {meeting_id!r} not found for tenant {tenant_id!r}")
    return meeting


def create_meeting(
    session: Session,
    tenant_id: str,
    meeting_id: str | None = None,
    *,
    title: str = "",
    language: str = "fr",
    participants: list[dict[str, Any]] | None = None,
    vocabulary: list[str] | None = None,
    source: str = "live",
    status: str = "created",
    audio_path: str | None = None,
    retention_until: datetime | None = None,
    detail: str = "",
) -> Meeting:
    """Create a meeting (ID generated when ``None``); ``Conflict`` if the tenant already has it."""
    _check_status(status)
    ensure_tenant(session, tenant_id)
    meeting_id = meeting_id or uuid.uuid4().hex
    if get_meeting(session, tenant_id, meeting_id) is not None:
        raise Conflict(f"meeting {meeting_id!r} already exists for tenant {tenant_id!r}")
    meeting = Meeting(
        tenant_id=tenant_id,
        meeting_id=meeting_id,
        title=title,
        language=language,
        participants=list(participants or []),
        vocabulary=list(vocabulary or []),
        source=source,
        status=status,
        audio_path=audio_path,
        retention_until=retention_until,
        started_at=utcnow() if status == "live" else None,
        state={},
    )
    session.add(meeting)
    session.flush()
    session.add(MeetingStatusEvent(meeting_pk=meeting.pk, status=status, detail=detail))
    session.flush()
    return meeting


def upsert_meeting(
    session: Session, tenant_id: str, meeting_id: str, **fields: Any
) -> tuple[Meeting, bool]:
    """Create the meeting or return the existing one unchanged; ``(meeting, created)``.

    Used for ``started`` events, which a redelivery may repeat.
    """
    meeting = get_meeting(session, tenant_id, meeting_id)
    if meeting is not None:
        return meeting, False
    return create_meeting(session, tenant_id, meeting_id, **fields), True


def list_meetings(
    session: Session,
    tenant_id: str,
    *,
    status: str | None = None,
    source: str | None = None,
    title: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Meeting]:
    """The tenant's meetings, newest first.

    ``title`` matches a case-insensitive substring of the title or the meeting ID;
    ``created_from``/``created_to`` bound the creation time (inclusive / exclusive).
    """
    query = select(Meeting).where(Meeting.tenant_id == tenant_id)
    if status is not None:
        query = query.where(Meeting.status == status)
    if source is not None:
        query = query.where(Meeting.source == source)
    if title:
        pattern = "%" + title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            Meeting.title.ilike(pattern, escape="\\")
            | Meeting.meeting_id.ilike(pattern, escape="\\")
        )
    if created_from is not None:
        query = query.where(Meeting.created_at >= created_from)
    if created_to is not None:
        query = query.where(Meeting.created_at < created_to)
    query = query.order_by(Meeting.created_at.desc(), Meeting.pk.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def meeting_outputs(session: Session, meetings: Iterable[Meeting]) -> dict[int, tuple[bool, bool]]:
    """``{meeting pk: (has a transcript, has minutes)}`` for listing many meetings at once."""
    pks = [m.pk for m in meetings]
    if not pks:
        return {}
    with_transcript = set(
        session.scalars(
            select(TranscriptRecord.meeting_pk).where(TranscriptRecord.meeting_pk.in_(pks))
        )
    ) | set(session.scalars(select(LiveSegment.meeting_pk).where(LiveSegment.meeting_pk.in_(pks))))
    with_minutes = set(
        session.scalars(select(MinutesRecord.meeting_pk).where(MinutesRecord.meeting_pk.in_(pks)))
    )
    return {pk: (pk in with_transcript, pk in with_minutes) for pk in pks}


def set_meeting_status(
    session: Session,
    tenant_id: str,
    meeting_id: str,
    status: str,
    *,
    detail: str = "",
    error: str | None = None,
) -> Meeting:
    """Move a meeting to ``status`` and append it to the history (also ``started/ended_at``)."""
    _check_status(status)
    meeting = require_meeting(session, tenant_id, meeting_id)
    now = utcnow()
    if status == "live" and meeting.started_at is None:
        meeting.started_at = now
    if status in ("ending", "finalizing", "done") and meeting.ended_at is None:
        meeting.ended_at = now
    if error is not None:
        meeting.error = error
    meeting.status = status
    session.add(MeetingStatusEvent(meeting_pk=meeting.pk, status=status, detail=detail or ""))
    session.flush()
    return meeting


def status_history(session: Session, tenant_id: str, meeting_id: str) -> list[MeetingStatusEvent]:
    """Every status the meeting went through, oldest first."""
    meeting = require_meeting(session, tenant_id, meeting_id)
    return list(
        session.scalars(
            select(MeetingStatusEvent)
            .where(MeetingStatusEvent.meeting_pk == meeting.pk)
            .order_by(MeetingStatusEvent.id)
        )
    )


def save_meeting_state(
    session: Session, tenant_id: str, meeting_id: str, state: dict[str, Any]
) -> None:
    """Store the worker's checkpoint of a live meeting (stream cursors, next segment id); keys
    not in ``state`` (e.g. the failure count) are kept."""
    _merge_state(require_meeting(session, tenant_id, meeting_id), state)
    session.flush()


def _merge_state(meeting: Meeting, updates: dict[str, Any]) -> None:
    """Update some keys of a meeting's worker state, keeping the others."""
    meeting.state = {**(meeting.state or {}), **updates}


def count_failure(session: Session, tenant_id: str, meeting_id: str) -> int:
    """Record one failed processing attempt of a meeting; returns how many there were.

    Kept with the meeting, not taken from the bus's delivery count, which also counts
    takeovers and lease waits."""
    meeting = require_meeting(session, tenant_id, meeting_id)
    failures = int((meeting.state or {}).get("failures", 0)) + 1
    _merge_state(meeting, {"failures": failures})
    session.flush()
    return failures


def delete_meeting(session: Session, tenant_id: str, meeting_id: str) -> bool:
    """Delete a meeting and everything attached to it; ``False`` if it did not exist."""
    meeting = get_meeting(session, tenant_id, meeting_id)
    if meeting is None:
        return False
    pk = meeting.pk
    for table in (
        LiveSegment,
        TranscriptRecord,
        MinutesRecord,
        MinutesVersion,
        MeetingStatusEvent,
    ):
        session.execute(delete(table).where(table.meeting_pk == pk))
    session.delete(meeting)
    session.flush()
    return True


def meetings_with_expired_audio(session: Session, now: datetime | None = None) -> list[Meeting]:
    """Meetings of every tenant whose audio retention has passed and is still on disk."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Meeting).where(
                Meeting.retention_until.is_not(None),
                Meeting.retention_until <= now,
                Meeting.audio_deleted_at.is_(None),
            )
        )
    )


def mark_audio_deleted(session: Session, tenant_id: str, meeting_id: str) -> None:
    meeting = require_meeting(session, tenant_id, meeting_id)
    meeting.audio_deleted_at = utcnow()
    session.flush()


# --------------------------------------------------------------------------- transcripts


def add_live_segments(
    session: Session,
    tenant_id: str,
    meeting_id: str,
    segments: Iterable[Segment],
    *,
    track: str | None = None,
    state: dict[str, Any] | None = None,
) -> int:
    """Store committed live segments, skipping ids already stored; returns how many were new.

    ``state`` (the worker checkpoint) is saved in the same transaction, so segments and the cursor
    that produced them can never disagree after a crash.
    """
    meeting = require_meeting(session, tenant_id, meeting_id)
    wanted = list(segments)
    existing = set(
        session.scalars(
            select(LiveSegment.segment_id).where(
                LiveSegment.meeting_pk == meeting.pk,
                LiveSegment.segment_id.in_([s.id for s in wanted]),
            )
        )
    )
    added = 0
    for seg in wanted:
        if seg.id in existing:
            continue
        existing.add(seg.id)
        session.add(
            LiveSegment(
                meeting_pk=meeting.pk,
                segment_id=seg.id,
                track=track,
                start=seg.start,
                end=seg.end,
                data=seg.model_dump(mode="json"),
            )
        )
        added += 1
    if state is not None:
        _merge_state(meeting, state)
    session.flush()
    return added


def live_segments(session: Session, tenant_id: str, meeting_id: str) -> list[Segment]:
    """The committed live segments of a meeting, in meeting-time order."""
    meeting = require_meeting(session, tenant_id, meeting_id)
    rows = session.scalars(
        select(LiveSegment)
        .where(LiveSegment.meeting_pk == meeting.pk)
        .order_by(LiveSegment.start, LiveSegment.segment_id)
    )
    return [Segment.model_validate(row.data) for row in rows]


def live_segments_by_track(
    session: Session, tenant_id: str, meeting_id: str
) -> list[tuple[str | None, Segment]]:
    """``(track, segment)`` of the committed live segments, in meeting-time order."""
    meeting = require_meeting(session, tenant_id, meeting_id)
    rows = session.scalars(
        select(LiveSegment)
        .where(LiveSegment.meeting_pk == meeting.pk)
        .order_by(LiveSegment.start, LiveSegment.segment_id)
    )
    return [(row.track, Segment.model_validate(row.data)) for row in rows]


def _check_kind(kind: str) -> None:
    if kind not in TRANSCRIPT_KINDS:
        raise ValueError(f"unknown transcript kind {kind!r}; expected one of {TRANSCRIPT_KINDS}")


def save_transcript(
    session: Session, tenant_id: str, meeting_id: str, kind: str, transcript: Transcript
) -> TranscriptRecord:
    """Store (or replace) the ``live`` or ``final`` transcript of a meeting."""
    _check_kind(kind)
    meeting = require_meeting(session, tenant_id, meeting_id)
    record = session.scalar(
        select(TranscriptRecord).where(
            TranscriptRecord.meeting_pk == meeting.pk, TranscriptRecord.kind == kind
        )
    )
    data = transcript.model_dump(mode="json")
    if record is None:
        record = TranscriptRecord(meeting_pk=meeting.pk, kind=kind, data=data)
        session.add(record)
    else:
        record.data = data
        record.updated_at = utcnow()
    session.flush()
    return record


def get_transcript(
    session: Session, tenant_id: str, meeting_id: str, kind: str | None = None
) -> Transcript | None:
    """A meeting's transcript: ``kind=None`` gives the final one when present, else the live one.

    The live transcript is the stored snapshot when there is one, else it is assembled from the
    committed live segments (so it is readable while the meeting is still running).
    """
    if kind is not None:
        _check_kind(kind)
    meeting = require_meeting(session, tenant_id, meeting_id)
    for k in [kind] if kind else ["final", "live"]:
        record = session.scalar(
            select(TranscriptRecord).where(
                TranscriptRecord.meeting_pk == meeting.pk, TranscriptRecord.kind == k
            )
        )
        if record is not None:
            return Transcript.model_validate(record.data)
        if k == "live":
            segments = live_segments(session, tenant_id, meeting_id)
            if segments or meeting.source == "live":
                speakers = [
                    Speaker(id=str(p.get("id")), name=p.get("name"))
                    for p in meeting.participants
                    if isinstance(p, dict) and p.get("id")
                ]
                return Transcript(
                    meeting_id=meeting_id,
                    language=meeting.language,
                    segments=segments,
                    speakers=speakers,
                    duration=max((s.end for s in segments), default=0.0),
                    settings={"pass": "live"},
                )
    return None


# --------------------------------------------------------------------------- minutes


def save_minutes(
    session: Session, tenant_id: str, meeting_id: str, data: dict[str, Any], markdown: str = ""
) -> MinutesRecord:
    """Store (or replace) the minutes of a meeting as the model wrote them.

    The review history gets a new ``draft`` version when they differ from the last version the
    service wrote: a regeneration never touches the versions a clerk edited or validated.
    """
    meeting = require_meeting(session, tenant_id, meeting_id)
    record = session.scalar(select(MinutesRecord).where(MinutesRecord.meeting_pk == meeting.pk))
    if record is None:
        record = MinutesRecord(meeting_pk=meeting.pk, data=data, markdown=markdown)
        session.add(record)
    else:
        record.data = data
        record.markdown = markdown
        record.updated_at = utcnow()
    last_generated = session.scalar(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_pk == meeting.pk, MinutesVersion.author == SERVICE_AUTHOR)
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )
    if last_generated is None or _content(last_generated.data) != _content(data):
        add_minutes_version(
            session,
            tenant_id,
            meeting_id,
            data,
            status="draft",
            author=SERVICE_AUTHOR,
            author_name="Génération automatique",
            summary="Compte rendu généré automatiquement"
            if last_generated is None
            else "Compte rendu régénéré automatiquement",
        )
    session.flush()
    return record


def _content(data: dict[str, Any]) -> dict[str, Any]:
    """The minutes without how they were produced: a re-run that writes the same words (a worker
    takeover, a regeneration of an unchanged transcript) is not a new version."""
    return {key: value for key, value in data.items() if key != "generation"}


def get_minutes(session: Session, tenant_id: str, meeting_id: str) -> MinutesRecord | None:
    meeting = require_meeting(session, tenant_id, meeting_id)
    return session.scalar(select(MinutesRecord).where(MinutesRecord.meeting_pk == meeting.pk))


# --------------------------------------------------------------------------- minutes review

SERVICE_AUTHOR = "service"
"""``author`` of the versions the minutes model wrote (a clerk's is their principal subject)."""


def minutes_versions(session: Session, tenant_id: str, meeting_id: str) -> list[MinutesVersion]:
    """Every version of the meeting's minutes, oldest first."""
    meeting = require_meeting(session, tenant_id, meeting_id)
    return list(
        session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_pk == meeting.pk)
            .order_by(MinutesVersion.number)
        )
    )


def get_minutes_version(
    session: Session, tenant_id: str, meeting_id: str, number: int
) -> MinutesVersion | None:
    """One version by its number, or ``None``."""
    meeting = require_meeting(session, tenant_id, meeting_id)
    return session.scalar(
        select(MinutesVersion).where(
            MinutesVersion.meeting_pk == meeting.pk, MinutesVersion.number == number
        )
    )


def latest_minutes_version(
    session: Session, tenant_id: str, meeting_id: str, *, status: str | None = None
) -> MinutesVersion | None:
    """The most recent version (of that ``status`` when given, e.g. the validated one that
    downloads carry), or ``None``; one row, not the whole history."""
    meeting = require_meeting(session, tenant_id, meeting_id)
    query = select(MinutesVersion).where(MinutesVersion.meeting_pk == meeting.pk)
    if status is not None:
        query = query.where(MinutesVersion.status == status)
    return session.scalar(query.order_by(MinutesVersion.number.desc()).limit(1))


def add_minutes_version(
    session: Session,
    tenant_id: str,
    meeting_id: str,
    data: dict[str, Any],
    *,
    status: str,
    author: str,
    author_name: str = "",
    summary: str = "",
    changes: list[str] | None = None,
    based_on: int | None = None,
) -> MinutesVersion:
    """Append the next version (numbers count from 1 per meeting); versions are never updated.

    Two writers racing for the same number make the second transaction fail on the unique
    ``(meeting, number)`` constraint instead of overwriting anything.
    """
    if status not in MINUTES_VERSION_STATUSES:
        expected = ", ".join(MINUTES_VERSION_STATUSES)
        raise ValueError(f"unknown minutes version status {status!r}; expected one of {expected}")
    meeting = require_meeting(session, tenant_id, meeting_id)
    last = session.scalar(
        select(func.max(MinutesVersion.number)).where(MinutesVersion.meeting_pk == meeting.pk)
    )
    version = MinutesVersion(
        meeting_pk=meeting.pk,
        number=(last or 0) + 1,
        status=status,
        data=data,
        based_on=based_on,
        author=author,
        author_name=author_name,
        summary=summary,
        changes=list(changes or []),
    )
    session.add(version)
    session.flush()
    return version


# --------------------------------------------------------------------------- bus outbox


def add_outbox(
    session: Session, tenant_id: str, subject: str, msg_id: str, payload: dict[str, Any]
) -> BusOutbox:
    """Queue a bus event in the caller's transaction: it exists exactly when the change does."""
    entry = BusOutbox(tenant_id=tenant_id, subject=subject, msg_id=msg_id, payload=payload)
    session.add(entry)
    session.flush()
    return entry


def pending_outbox(session: Session, *, limit: int = 100) -> list[BusOutbox]:
    """Events not yet acknowledged by NATS, oldest first (every tenant: the publisher's view)."""
    return list(
        session.scalars(
            select(BusOutbox)
            .where(BusOutbox.published_at.is_(None))
            .order_by(BusOutbox.id)
            .limit(limit)
        )
    )


def mark_outbox_published(session: Session, entry_id: int) -> None:
    entry = session.get(BusOutbox, entry_id)
    if entry is not None and entry.published_at is None:
        entry.published_at = utcnow()
        entry.attempts += 1
        entry.last_error = None
        session.flush()


def mark_outbox_failed(session: Session, entry_id: int, error: str) -> None:
    entry = session.get(BusOutbox, entry_id)
    if entry is not None:
        entry.attempts += 1
        entry.last_error = error[:2000]
        session.flush()


# --------------------------------------------------------------------------- jobs


def create_job(
    session: Session,
    tenant_id: str,
    *,
    filename: str = "",
    options: dict[str, Any] | None = None,
    meeting_id: str | None = None,
    job_id: str | None = None,
) -> Job:
    """Queue a file-processing job, optionally attached to one of the tenant's meetings."""
    ensure_tenant(session, tenant_id)
    meeting_pk = require_meeting(session, tenant_id, meeting_id).pk if meeting_id else None
    job = Job(
        id=job_id or uuid.uuid4().hex,
        tenant_id=tenant_id,
        meeting_pk=meeting_pk,
        filename=filename,
        options=dict(options or {}),
        status="queued",
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, tenant_id: str, job_id: str) -> Job | None:
    job = session.get(Job, job_id)
    return job if job is not None and job.tenant_id == tenant_id else None


def update_job(
    session: Session,
    tenant_id: str,
    job_id: str,
    *,
    status: str | None = None,
    progress: float | None = None,
    error: str | None = None,
    meeting_id: str | None = None,
) -> Job:
    """Update a job's status/progress/error (``finished_at`` is set on done/failed)."""
    job = get_job(session, tenant_id, job_id)
    if job is None:
        raise NotFound(f"job {job_id!r} not found for tenant {tenant_id!r}")
    if status is not None:
        if status not in JOB_STATUSES:
            raise ValueError(f"unknown job status {status!r}; expected one of {JOB_STATUSES}")
        job.status = status
        if status in ("done", "failed"):
            job.finished_at = utcnow()
    if progress is not None:
        job.progress = float(progress)
    if error is not None:
        job.error = error
    if meeting_id is not None:
        job.meeting_pk = require_meeting(session, tenant_id, meeting_id).pk
    job.updated_at = utcnow()
    session.flush()
    return job


def list_jobs(
    session: Session, tenant_id: str, *, status: str | None = None, limit: int = 50
) -> list[Job]:
    query = select(Job).where(Job.tenant_id == tenant_id)
    if status is not None:
        query = query.where(Job.status == status)
    return list(session.scalars(query.order_by(Job.created_at.desc()).limit(limit)))


# --------------------------------------------------------------------------- audit


def audit(
    session: Session,
    action: str,
    *,
    tenant_id: str | None = None,
    actor: str = "",
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log."""
    entry = AuditEntry(
        tenant_id=tenant_id, actor=actor, action=action, target=target, detail=dict(detail or {})
    )
    session.add(entry)
    session.flush()
    return entry


def list_audit(session: Session, tenant_id: str, *, limit: int = 100) -> list[AuditEntry]:
    """The tenant's audit entries, newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.tenant_id == tenant_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
