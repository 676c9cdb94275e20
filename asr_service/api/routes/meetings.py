"""Meetings of the caller's tenant: list and search, detail with status history, deletion."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from asr_service.api.deletion import delete_meeting_everywhere
from asr_service.api.deps import (
    DB_INT_MAX,
    FIRST_DAY,
    LAST_DAY,
    BackendDep,
    ClerkDep,
    ServicesDep,
    SessionDep,
    require_meeting,
)
from asr_service.api.exports import MinutesFormat, TranscriptFormat
from asr_service.api.schemas import (
    DeletionOut,
    MeetingDetail,
    MeetingList,
    MeetingSummary,
    StatusEvent,
)
from asr_service.localtime import DEFAULT_TIMEZONE, zone
from asr_service.storage import repository as repo
from asr_service.storage.models import MEETING_STATUSES

router = APIRouter(prefix="/api/v1/meetings", tags=["réunions"])

NOT_FOUND = {404: {"description": "Unknown meeting, or a meeting of another tenant"}}


def _day_start(day: date | None, tz: str) -> datetime | None:
    """Midnight starting ``day`` in the operator's time zone: days are the days people live."""
    return datetime.combine(day, time.min, tzinfo=zone(tz)) if day else None


def operator_timezone(services: ServicesDep) -> str:
    """The time zone days are read in (``ASR_TIMEZONE``)."""
    return services.settings.timezone


@router.get("", response_model=MeetingList, summary="List and search the tenant's meetings")
def list_meetings(
    session: SessionDep,
    who: ClerkDep,
    q: Annotated[
        str | None, Query(max_length=200, description="words of the title or the meeting ID")
    ] = None,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(MEETING_STATUSES) + ")$")] = None,
    source: Annotated[str | None, Query(pattern="^(live|upload)$")] = None,
    date_from: Annotated[
        date | None,
        Query(
            ge=FIRST_DAY,
            le=LAST_DAY,
            description="created on or after this day (in the operator's time zone)",
        ),
    ] = None,
    date_to: Annotated[
        date | None,
        Query(
            ge=FIRST_DAY,
            le=LAST_DAY,
            description="created on or before this day (in the operator's time zone)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0,
    tz: Annotated[str, Depends(operator_timezone)] = DEFAULT_TIMEZONE,
) -> MeetingList:
    """Newest first; only the caller's tenant is ever searched."""
    meetings = repo.list_meetings(
        session,
        who.tenant_id,
        status=status,
        source=source,
        title=q,
        created_from=_day_start(date_from, tz),
        created_to=_day_start(date_to + timedelta(days=1), tz) if date_to else None,
        limit=limit,
        offset=offset,
    )
    outputs = repo.meeting_outputs(session, meetings)
    items = [
        MeetingSummary.of(m, has_transcript=outputs[m.pk][0], has_minutes=outputs[m.pk][1])
        for m in meetings
    ]
    return MeetingList(items=items, limit=limit, offset=offset)


def meeting_detail(session: SessionDep, tenant_id: str, meeting_id: str) -> MeetingDetail:
    """The detail view shared by the API and the clerk page."""
    meeting = require_meeting(session, tenant_id, meeting_id)
    has_transcript, has_minutes = repo.meeting_outputs(session, [meeting])[meeting.pk]
    base = f"/api/v1/meetings/{meeting.meeting_id}"
    downloads: dict[str, str] = {}
    if has_transcript:
        downloads |= {f"transcript.{f}": f"{base}/transcript?format={f}" for f in TranscriptFormat}
    if has_minutes:
        downloads |= {f"minutes.{f}": f"{base}/minutes?format={f}" for f in MinutesFormat}
    summary = MeetingSummary.of(meeting, has_transcript=has_transcript, has_minutes=has_minutes)
    return MeetingDetail(
        **summary.model_dump(),
        participants=list(meeting.participants or []),
        error=meeting.error,
        history=[StatusEvent.of(e) for e in repo.status_history(session, tenant_id, meeting_id)],
        downloads=downloads,
    )


@router.get(
    "/{meeting_id}",
    response_model=MeetingDetail,
    summary="A meeting with its status history and download links",
    responses=NOT_FOUND,
)
def get_meeting(meeting_id: str, session: SessionDep, who: ClerkDep) -> MeetingDetail:
    return meeting_detail(session, who.tenant_id, meeting_id)


@router.delete(
    "/{meeting_id}",
    response_model=DeletionOut,
    summary="Delete a meeting and everything derived from it (records, audio, files)",
    responses=NOT_FOUND,
)
def delete_meeting(
    meeting_id: str, session: SessionDep, services: ServicesDep, who: BackendDep
) -> DeletionOut:
    """Removes the meeting, its history, transcripts, minutes, jobs, received audio and upload
    folder in one transaction, and records the deletion in the audit log."""
    require_meeting(session, who.tenant_id, meeting_id)
    report = delete_meeting_everywhere(
        session,
        who.tenant_id,
        meeting_id,
        audio_store=services.audio_store,
        upload_root=services.upload_root,
    )
    repo.audit(
        session,
        "meeting.deleted",
        tenant_id=who.tenant_id,
        actor=who.subject,
        target=meeting_id,
        detail={"files": report.files_removed, "jobs": report.jobs_removed},
    )
    return DeletionOut(
        meeting_id=meeting_id,
        files_removed=len(report.files_removed),
        jobs_removed=report.jobs_removed,
    )
