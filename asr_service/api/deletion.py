"""Delete a meeting and everything derived from it: records, received audio, uploaded files.

Used by ``DELETE /api/v1/meetings/{id}`` and by the retention job, so both remove exactly the same
things: the database rows (meeting, status history, live segments, transcripts, minutes, the jobs
that produced it), the live audio kept by :class:`~asr_service.storage.AudioStore`, and the upload
folder of a recording sent over HTTP. Files are removed after the rows are gone from the session
but before the transaction commits, so a failure to delete a file rolls the deletion back and the
meeting is still listed (never a record pointing at vanished audio, nor orphaned audio).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from asr_service.storage import AudioStore
from asr_service.storage import repository as repo
from asr_service.storage.models import Job


@dataclass
class DeletionReport:
    """What one deletion removed (for the audit log and the API answer)."""

    meeting_id: str
    files_removed: list[str]
    jobs_removed: int


def is_inside(path: Path, root: Path) -> bool:
    """True when ``path`` resolves to a place under ``root`` (guards every file deletion)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def delete_meeting_everywhere(
    session: Session,
    tenant_id: str,
    meeting_id: str,
    *,
    audio_store: AudioStore,
    upload_root: Path,
) -> DeletionReport:
    """Delete the tenant's meeting with its rows and files; ``NotFound`` if it is not theirs."""
    meeting = repo.require_meeting(session, tenant_id, meeting_id)
    removed: list[str] = []
    job_ids = list(session.scalars(select(Job.id).where(Job.meeting_pk == meeting.pk)))
    folders: list[Path] = []
    if meeting.audio_path:
        audio = Path(meeting.audio_path)
        # Upload folders are <upload_root>/<tenant>/<job>/; never delete outside that root.
        if is_inside(audio, upload_root):
            folders.append(audio.parent)
    folders.extend(upload_root / tenant_id / job_id for job_id in job_ids)
    session.execute(delete(Job).where(Job.meeting_pk == meeting.pk))
    repo.delete_meeting(session, tenant_id, meeting_id)

    for folder in dict.fromkeys(folders):
        if folder.exists() and is_inside(folder, upload_root):
            shutil.rmtree(folder)
            removed.append(str(folder))
    try:
        live_dir = audio_store.meeting_dir(tenant_id, meeting_id)
    except ValueError:  # an ID that cannot be a folder name never had live audio
        live_dir = None
    if live_dir is not None and audio_store.purge(tenant_id, meeting_id):
        removed.append(str(live_dir))
    return DeletionReport(meeting_id=meeting_id, files_removed=removed, jobs_removed=len(job_ids))
