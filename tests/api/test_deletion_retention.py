"""Deletion removes a meeting with everything derived; retention purges per tenant."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np

from asr_service.audio import float_to_pcm16
from asr_service.config import Settings
from asr_service.storage import repository as repo
from asr_service.storage.models import Meeting, utcnow
from tests.api.conftest import ApiHarness


def live_audio(api: ApiHarness, tenant: str, meeting_id: str) -> Path:
    """Store one chunk of live audio for a meeting the way the NATS worker does."""
    pcm = float_to_pcm16(np.zeros(1600, dtype=np.float32))
    api.services.audio_store.append(tenant, meeting_id, "mix", 0, pcm, 0)
    return api.services.audio_store.meeting_dir(tenant, meeting_id)


def test_delete_removes_records_audio_and_files(api: ApiHarness, wav_file: Path) -> None:
    # an uploaded recording (files under the upload folder) and a live meeting (audio store)
    r = api.client.post(
        "/api/v1/recordings",
        files={"file": ("a.wav", wav_file.read_bytes())},
        data={"meeting_id": "up-1"},
        headers=api.auth("mairie", "backend"),
    )
    api.services.jobs.wait(timeout=30)
    upload_dir = api.services.upload_root / "mairie" / r.json()["job"]["job_id"]
    assert (upload_dir / "recording.wav").is_file()
    api.seed_meeting("mairie", "live-1")
    audio_dir = live_audio(api, "mairie", "live-1")
    assert audio_dir.is_dir()

    backend = api.auth("mairie", "backend")
    gone = api.client.delete("/api/v1/meetings/up-1", headers=backend)
    assert gone.status_code == 200 and gone.json()["jobs_removed"] == 1
    assert not upload_dir.exists()
    gone = api.client.delete("/api/v1/meetings/live-1", headers=backend)
    assert gone.status_code == 200 and gone.json()["files_removed"] == 1
    assert not audio_dir.exists()

    for meeting_id in ("up-1", "live-1"):
        assert api.client.get(f"/api/v1/meetings/{meeting_id}", headers=backend).status_code == 404
        again = api.client.delete(f"/api/v1/meetings/{meeting_id}", headers=backend)
        assert again.status_code == 404
    with api.services.db.session() as s:
        assert repo.list_meetings(s, "mairie") == []
        assert repo.list_jobs(s, "mairie") == []
        assert s.query(Meeting).count() == 0
    audit = api.client.get("/api/v1/audit", headers=api.auth("mairie", "admin")).json()
    deleted = [e["target"] for e in audit if e["action"] == "meeting.deleted"]
    assert deleted == ["live-1", "up-1"]


def test_retention_purges_per_tenant(api: ApiHarness) -> None:
    api.services.settings = Settings(
        data_dir=api.services.settings.data_dir,
        meeting_retention_days=None,
        tenant_retention_days={"mairie": 30},
    )
    api.seed_meeting("mairie", "old")
    api.seed_meeting("mairie", "recent")
    api.seed_meeting("prefecture", "old-but-kept")
    old_audio = live_audio(api, "mairie", "old")
    with api.services.db.session() as s:
        for tenant, meeting_id in (("mairie", "old"), ("prefecture", "old-but-kept")):
            repo.require_meeting(s, tenant, meeting_id).created_at = utcnow() - timedelta(days=45)

    report = api.services.purge_expired()
    assert report.meetings == [("mairie", "old")] and report.errors == []
    assert not old_audio.exists()
    headers = api.auth("mairie")
    assert api.client.get("/api/v1/meetings/old", headers=headers).status_code == 404
    assert api.client.get("/api/v1/meetings/recent", headers=headers).status_code == 200
    kept = api.client.get("/api/v1/meetings/old-but-kept", headers=api.auth("prefecture"))
    assert kept.status_code == 200  # the prefecture has no retention set
    audit = api.client.get("/api/v1/audit", headers=api.auth("mairie", "admin")).json()
    assert (audit[0]["action"], audit[0]["actor"], audit[0]["target"]) == (
        "meeting.deleted",
        "retention",
        "old",
    )
    assert "asr_retention_purged_meetings_total 1.0" in api.client.get("/metrics").text
    assert api.services.purge_expired().meetings == []  # idempotent


def test_audio_retention_keeps_the_minutes(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "cm-1")
    audio_dir = live_audio(api, "mairie", "cm-1")
    with api.services.db.session() as s:
        repo.require_meeting(s, "mairie", "cm-1").retention_until = utcnow() - timedelta(hours=1)
    report = api.services.purge_expired()
    assert report.audio == [("mairie", "cm-1")] and report.meetings == []
    assert not audio_dir.exists()
    r = api.client.get("/api/v1/meetings/cm-1/minutes?format=md", headers=api.auth())
    assert r.status_code == 200


def test_audio_retention_removes_the_uploaded_recording(api: ApiHarness, wav_file: Path) -> None:
    r = api.client.post(
        "/api/v1/recordings",
        files={"file": ("a.wav", wav_file.read_bytes())},
        data={"meeting_id": "up-1"},
        headers=api.auth("mairie", "backend"),
    )
    api.services.jobs.wait(timeout=30)
    recording = api.services.upload_root / "mairie" / r.json()["job"]["job_id"] / "recording.wav"
    assert recording.is_file()
    with api.services.db.session() as s:
        meeting = repo.require_meeting(s, "mairie", "up-1")
        assert meeting.retention_until is not None  # set from ASR_AUDIO_RETENTION_DAYS
        meeting.retention_until = utcnow() - timedelta(minutes=1)
    assert api.services.purge_expired().audio == [("mairie", "up-1")]
    assert not recording.exists()
    transcript = api.client.get("/api/v1/meetings/up-1/transcript", headers=api.auth())
    assert transcript.status_code == 200


def test_purge_command_applies_retention_where_no_api_runs(tmp_path: Path, monkeypatch) -> None:
    """`asr-service purge`: the retention job once, for deployments with bus workers only."""
    from typer.testing import CliRunner

    from asr_service.api.services import storage_locations
    from asr_service.cli import app
    from asr_service.storage import Database

    monkeypatch.setenv("ASR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ASR_DATABASE_URL", raising=False)
    settings = Settings()
    db = Database.from_settings(settings)
    db.migrate()
    audio_store, _ = storage_locations(settings)
    with db.session() as s:
        for meeting_id in ("expired", "kept"):
            repo.create_meeting(s, "mairie", meeting_id, source="live")
        repo.require_meeting(s, "mairie", "expired").retention_until = utcnow() - timedelta(hours=1)
    pcm = float_to_pcm16(np.zeros(1600, dtype=np.float32))
    for meeting_id in ("expired", "kept"):
        audio_store.append("mairie", meeting_id, "mix", 0, pcm, 0)

    result = CliRunner().invoke(app, ["purge"])
    assert result.exit_code == 0, result.output
    assert "audio of 1 meeting(s) deleted" in result.output
    assert not audio_store.meeting_dir("mairie", "expired").exists()
    assert audio_store.meeting_dir("mairie", "kept").exists()
    with db.session() as s:  # the transcript's meeting stays: only its audio expired
        assert repo.get_meeting(s, "mairie", "expired") is not None
    db.dispose()
