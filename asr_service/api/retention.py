"""Retention: the periodic job that deletes what a tenant no longer wants kept.

Two rules, both checked on every run:

- **meetings**: a tenant's meetings older than its retention (``ASR_TENANT_RETENTION_DAYS__<id>``,
  else ``ASR_MEETING_RETENTION_DAYS``; unset keeps them) are deleted with everything derived from
  them (:func:`~asr_service.api.deletion.delete_meeting_everywhere`) and the deletion is audited;
- **audio**: the received audio (live tracks, or the uploaded recording) of meetings whose
  ``retention_until`` has passed is deleted, while the transcript and minutes stay (the storage layer sets that deadline when audio arrives).

The job runs in the API process every ``ASR_RETENTION_INTERVAL_S`` seconds; one meeting failing to
delete is logged and counted, and does not stop the others.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from asr_service.api.deletion import delete_meeting_everywhere, is_inside
from asr_service.api.metrics import ApiMetrics
from asr_service.config import Settings
from asr_service.storage import AudioStore, Database
from asr_service.storage import repository as repo
from asr_service.storage.models import Meeting, Tenant, utcnow

log = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    """What one retention run deleted."""

    meetings: list[tuple[str, str]] = field(default_factory=list)  # (tenant, meeting id)
    audio: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def retention_days(settings: Settings, tenant_id: str) -> float | None:
    """The tenant's retention in days, or ``None`` to keep its meetings."""
    days = settings.tenant_retention_days.get(tenant_id, settings.meeting_retention_days)
    return days if days is not None and days > 0 else None


def purge_expired(
    db: Database,
    settings: Settings,
    *,
    audio_store: AudioStore,
    upload_root: Path,
    now: datetime | None = None,
    metrics: ApiMetrics | None = None,
) -> PurgeReport:
    """Apply both retention rules once; each meeting is deleted in its own transaction."""
    now = now or utcnow()
    report = PurgeReport()
    with db.session() as session:
        tenants = list(session.scalars(select(Tenant.id)))
        expired: list[tuple[str, str]] = []
        for tenant_id in tenants:
            days = retention_days(settings, tenant_id)
            if days is None:
                continue
            cutoff = now - timedelta(days=days)
            expired.extend(
                (tenant_id, m)
                for m in session.scalars(
                    select(Meeting.meeting_id).where(
                        Meeting.tenant_id == tenant_id, Meeting.created_at < cutoff
                    )
                )
            )
        audio_expired = {
            (m.tenant_id, m.meeting_id): m.audio_path
            for m in repo.meetings_with_expired_audio(session, now)
        }

    for tenant_id, meeting_id in expired:
        try:
            with db.session() as session:
                deletion = delete_meeting_everywhere(
                    session,
                    tenant_id,
                    meeting_id,
                    audio_store=audio_store,
                    upload_root=upload_root,
                )
                repo.audit(
                    session,
                    "meeting.deleted",
                    tenant_id=tenant_id,
                    actor="retention",
                    target=meeting_id,
                    detail={"reason": "retention", "files": deletion.files_removed},
                )
            report.meetings.append((tenant_id, meeting_id))
            if metrics:
                metrics.purged.inc()
        except Exception as exc:  # keep purging the others; the next run retries this one
            log.exception("retention: could not delete meeting %s/%s", tenant_id, meeting_id)
            report.errors.append(f"{tenant_id}/{meeting_id}: {exc}")
            if metrics:
                metrics.errors.labels("retention").inc()

    gone = set(report.meetings)
    for (tenant_id, meeting_id), audio_path in audio_expired.items():
        if (tenant_id, meeting_id) in gone:
            continue
        try:
            with db.session() as session:
                audio_store.purge(tenant_id, meeting_id)
                if audio_path and is_inside(Path(audio_path), upload_root):
                    Path(audio_path).unlink(missing_ok=True)  # an uploaded recording
                repo.mark_audio_deleted(session, tenant_id, meeting_id)
                repo.audit(
                    session,
                    "audio.deleted",
                    tenant_id=tenant_id,
                    actor="retention",
                    target=meeting_id,
                    detail={"reason": "audio retention"},
                )
            report.audio.append((tenant_id, meeting_id))
        except Exception as exc:
            log.exception("retention: could not delete audio of %s/%s", tenant_id, meeting_id)
            report.errors.append(f"{tenant_id}/{meeting_id} audio: {exc}")
            if metrics:
                metrics.errors.labels("retention").inc()
    return report


class RetentionScheduler:
    """Runs :func:`purge_expired` every ``interval`` seconds on a daemon thread until stopped."""

    def __init__(self, run: callable, interval: float) -> None:  # type: ignore[valid-type]
        self._run = run
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._run()
            except Exception:
                log.exception("retention run failed")
