"""Downloads of a meeting's transcript and minutes, each one written to the audit log.

Minutes downloads carry the validated version once a clerk validated one ("Validé par <clerk> le
<date>" under the title), else the current version marked "Projet"; ``version=N`` asks for one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from asr_service.api.auth import Principal
from asr_service.api.deps import ClerkDep, ServicesDep, SessionDep, require_meeting
from asr_service.api.exports import (
    MinutesFormat,
    TranscriptFormat,
    attachment,
    minutes_bytes,
    transcript_bytes,
)
from asr_service.api.minutes_review import draft_label, validation_label
from asr_service.documents import MEDIA_TYPES
from asr_service.storage import repository as repo
from summarizer.schema import Minutes

router = APIRouter(prefix="/api/v1/meetings", tags=["téléchargements"])


def _file_responses(formats: list[str]) -> dict[int | str, dict]:
    return {
        200: {"content": {MEDIA_TYPES[f].split(";")[0]: {} for f in formats}},
        404: {"description": "Unknown meeting, another tenant's meeting, or nothing produced yet"},
    }


def _audit_download(
    session: SessionDep, who: Principal, kind: str, meeting_id: str, fmt: str
) -> None:
    repo.audit(
        session,
        f"{kind}.downloaded",
        tenant_id=who.tenant_id,
        actor=who.subject,
        target=meeting_id,
        detail={"format": fmt},
    )


@router.get(
    "/{meeting_id}/transcript",
    summary="Download the transcript (JSON, TXT, SRT, WebVTT, or a readable ODT/DOCX/PDF)",
    response_class=Response,
    responses=_file_responses([f.value for f in TranscriptFormat]),
)
def download_transcript(
    meeting_id: str,
    session: SessionDep,
    services: ServicesDep,
    who: ClerkDep,
    format: Annotated[TranscriptFormat, Query(description="file format")] = TranscriptFormat.json,
    kind: Annotated[
        str | None,
        Query(pattern="^(live|final)$", description="default: final when present, else live"),
    ] = None,
) -> Response:
    """The final transcript when the accurate pass has run, else the live one."""
    meeting = require_meeting(session, who.tenant_id, meeting_id)
    transcript = repo.get_transcript(session, who.tenant_id, meeting_id, kind)
    if transcript is None or (not transcript.segments and meeting.status != "done"):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="Pas encore de transcription pour cette réunion."
        )
    content = transcript_bytes(
        transcript, format, title=meeting.title or meeting_id, tz=services.settings.timezone
    )
    _audit_download(session, who, "transcript", meeting_id, format.value)
    services.metrics.downloads.labels("transcript", format.value).inc()
    return attachment(content, format.value, f"{meeting_id}-transcription")


@router.get(
    "/{meeting_id}/minutes",
    summary="Download the minutes (JSON, Markdown, ODT, DOCX, PDF)",
    response_class=Response,
    responses=_file_responses([f.value for f in MinutesFormat]),
)
def download_minutes(
    meeting_id: str,
    session: SessionDep,
    services: ServicesDep,
    who: ClerkDep,
    format: Annotated[MinutesFormat, Query(description="file format")] = MinutesFormat.odt,
    version: Annotated[
        int | None,
        Query(
            ge=1,
            le=2**31 - 1,
            description="a version of the review history; default: the latest validated "
            "version, else the current draft (marked « Projet »)",
        ),
    ] = None,
) -> Response:
    """ODT is the default: the format of the French administration's interoperability rules."""
    meeting = require_meeting(session, who.tenant_id, meeting_id)
    record = repo.get_minutes(session, who.tenant_id, meeting_id)
    latest = repo.latest_minutes_version(session, who.tenant_id, meeting_id)
    if record is None and latest is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="Pas encore de compte rendu pour cette réunion."
        )
    if version is not None:
        chosen = repo.get_minutes_version(session, who.tenant_id, meeting_id, version)
        if chosen is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail=f"Version {version} du compte rendu introuvable."
            )
    else:
        validated = repo.latest_minutes_version(
            session, who.tenant_id, meeting_id, status="validated"
        )
        chosen = validated or latest
    if chosen is not None:
        minutes = Minutes.model_validate(chosen.data)
        markdown = ""  # rendered from this version, not the model's last output
        label = (
            validation_label(chosen, services.settings.timezone)
            if chosen.status == "validated"
            else draft_label(chosen)
        )
    else:  # minutes stored without a version (not written through the repository)
        minutes = Minutes.model_validate(record.data)
        markdown = record.markdown
        label = draft_label(None)
    content = minutes_bytes(
        minutes,
        markdown,
        format,
        title=meeting.title or meeting_id,
        review_status=label,
        tz=services.settings.timezone,
    )
    repo.audit(
        session,
        "minutes.downloaded",
        tenant_id=who.tenant_id,
        actor=who.subject,
        target=meeting_id,
        detail={
            "format": format.value,
            "version": chosen.number if chosen else None,
            "status": chosen.status if chosen else "draft",
        },
    )
    services.metrics.downloads.labels("minutes", format.value).inc()
    response = attachment(content, format.value, f"{meeting_id}-compte-rendu")
    if chosen is not None:
        response.headers["X-Minutes-Version"] = str(chosen.number)
        response.headers["X-Minutes-Status"] = chosen.status
    return response
