"""Upload a recording for batch processing, and follow its job."""

from __future__ import annotations

import re
import shutil
import uuid
from typing import Annotated

import anyio
from fastapi import APIRouter, HTTPException, Query, Request, status

from asr_service.api.auth import Principal
from asr_service.api.deps import BackendDep, ClerkDep, ServicesDep, SessionDep
from asr_service.api.schemas import JobOut, UploadAccepted
from asr_service.api.services import ApiServices
from asr_service.api.uploads import ReceivedUpload, UploadError, receive_upload
from asr_service.storage import repository as repo
from asr_service.storage import safe_name
from asr_service.storage.models import Meeting

router = APIRouter(prefix="/api/v1", tags=["enregistrements"])

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "the recording (wav, mp3, ogg/opus, flac, m4a, webm...)",
                        },
                        "title": {"type": "string", "example": "Conseil municipal du 28 novembre"},
                        "meeting_id": {
                            "type": "string",
                            "description": "your ID for it (letters, digits, _ and -); generated "
                            "when absent",
                            "example": "cm-2026-11-28",
                        },
                        "language": {"type": "string", "example": "fr"},
                        "minutes": {
                            "type": "boolean",
                            "description": "also write the minutes (default true)",
                        },
                    },
                }
            }
        },
    }
}


TRUE_WORDS = ("true", "1", "oui", "yes", "on")
FALSE_WORDS = ("false", "0", "non", "no", "off")


def _flag(value: str | None, name: str, *, default: bool) -> bool:
    """A yes/no form field; UploadError(422) for anything else (``maybe`` is not a boolean)."""
    if value is None or value == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise UploadError(
        422, f"Requête invalide ({name}) : {value[:50]!r} n'est pas un booléen (true ou false)."
    )


def _register(
    services: ApiServices, who: Principal, job_id: str, upload: ReceivedUpload
) -> UploadAccepted:
    """Create the meeting and its job in one transaction (409 when the meeting ID is taken)."""
    fields = upload.fields
    meeting_id = fields.get("meeting_id") or None
    if meeting_id is not None:
        try:
            safe_name(meeting_id, "meeting id")
        except ValueError as exc:
            raise UploadError(400, f"Identifiant de réunion invalide : {exc}") from exc
    language = fields.get("language") or services.settings.language
    if language != "auto" and not LANGUAGE.match(language):
        raise UploadError(400, f"Code de langue invalide : {language!r} (ex. « fr »).")
    title = fields.get("title") or upload.filename
    if len(title) > 500:
        raise UploadError(400, "Titre trop long (500 caractères au plus).")
    minutes = _flag(fields.get("minutes"), "minutes", default=True)
    with services.db.session() as session:
        try:
            meeting = repo.create_meeting(
                session,
                who.tenant_id,
                meeting_id,
                title=title,
                language=language,
                source="upload",
                status="created",
                audio_path=str(upload.path),
                retention_until=services.audio_store.retention_until(),
                detail=f"fichier reçu : {upload.filename} ({upload.size} octets)",
            )
        except repo.Conflict as exc:
            raise UploadError(409, f"La réunion {meeting_id!r} existe déjà.") from exc
        job = repo.create_job(
            session,
            who.tenant_id,
            filename=upload.filename,
            options={"minutes": minutes, "size": upload.size},
            meeting_id=meeting.meeting_id,
            job_id=job_id,
        )
        repo.audit(
            session,
            "recording.uploaded",
            tenant_id=who.tenant_id,
            actor=who.subject,
            target=meeting.meeting_id,
            detail={"job": job_id, "filename": upload.filename, "size": upload.size},
        )
        out = JobOut.of(job, meeting.meeting_id)
    return UploadAccepted(
        job=out, meeting_id=out.meeting_id or "", status_url=f"/api/v1/jobs/{job_id}"
    )


@router.post(
    "/recordings",
    response_model=UploadAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Upload a recording: transcript, speakers and minutes are produced in the background",
    openapi_extra=UPLOAD_BODY,
    responses={
        400: {"description": "malformed form, path-like file name, bad meeting ID or language"},
        409: {"description": "the meeting ID is already used by this tenant"},
        413: {"description": "larger than ASR_UPLOAD_MAX_MB"},
        415: {"description": "not an audio/video file"},
    },
)
async def upload_recording(
    request: Request, services: ServicesDep, who: BackendDep
) -> UploadAccepted:
    """The body is streamed to disk; nothing is kept if any check fails."""
    job_id = uuid.uuid4().hex
    folder = services.upload_root / safe_name(who.tenant_id, "tenant id") / job_id
    try:
        upload = await receive_upload(request, folder, services.upload_max_bytes)
        accepted = await anyio.to_thread.run_sync(_register, services, who, job_id, upload)
    except UploadError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        services.metrics.errors.labels("upload_rejected").inc()
        raise HTTPException(exc.status_code, detail=exc.message) from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if services.settings.api_job_workers > 0:
        services.jobs.submit(who.tenant_id, job_id)
    return accepted


def _job_out(session: SessionDep, job) -> JobOut:  # noqa: ANN001 - storage Job
    meeting = session.get(Meeting, job.meeting_pk) if job.meeting_pk is not None else None
    return JobOut.of(job, meeting.meeting_id if meeting else None)


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    summary="Status and progress of a batch job",
    responses={404: {"description": "Unknown job, or a job of another tenant"}},
)
def get_job(job_id: str, session: SessionDep, who: ClerkDep) -> JobOut:
    job = repo.get_job(session, who.tenant_id, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Traitement introuvable : {job_id}")
    return _job_out(session, job)


@router.get("/jobs", response_model=list[JobOut], summary="The tenant's recent batch jobs")
def list_jobs(
    session: SessionDep,
    who: ClerkDep,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(queued|running|done|failed)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[JobOut]:
    return [
        _job_out(session, j)
        for j in repo.list_jobs(session, who.tenant_id, status=status_, limit=limit)
    ]
