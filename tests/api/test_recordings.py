"""Uploads: streamed to disk, processed by a job; bad input refused with nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness


def stored_state(api: ApiHarness) -> tuple[int, int, list[Path]]:
    """(meetings, jobs, files under the upload folder) for the ``mairie`` tenant."""
    with api.services.db.session() as s:
        meetings = len(repo.list_meetings(s, "mairie"))
        jobs = len(repo.list_jobs(s, "mairie"))
    root = api.services.upload_root
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    return meetings, jobs, files


def upload(api: ApiHarness, name: str, content: bytes, role: str = "backend", **fields: str):
    return api.client.post(
        "/api/v1/recordings",
        files={"file": (name, content, "application/octet-stream")},
        data=fields,
        headers=api.auth("mairie", role),
    )


def test_upload_runs_a_job_and_stores_the_results(api: ApiHarness, wav_file: Path) -> None:
    r = upload(api, "Conseil du 28.wav", wav_file.read_bytes(), title="Conseil", meeting_id="cm-9")
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["meeting_id"] == "cm-9" and body["job"]["filename"] == "Conseil du 28.wav"
    api.services.jobs.wait(timeout=30)
    job = api.client.get(body["status_url"], headers=api.auth()).json()
    assert job["status"] == "done" and job["progress"] == 1.0 and job["meeting_id"] == "cm-9"
    assert [j["job_id"] for j in api.client.get("/api/v1/jobs", headers=api.auth()).json()] == [
        body["job"]["job_id"]
    ]
    detail = api.client.get("/api/v1/meetings/cm-9", headers=api.auth()).json()
    assert detail["status"] == "done" and detail["source"] == "upload"
    assert [e["status"] for e in detail["history"]] == ["created", "finalizing", "done"]
    transcript = api.client.get("/api/v1/meetings/cm-9/transcript", headers=api.auth()).json()
    assert transcript["duration"] == pytest.approx(2.0, abs=0.05)  # the real decoded length
    minutes = api.client.get("/api/v1/meetings/cm-9/minutes?format=json", headers=api.auth())
    assert minutes.status_code == 200
    # stored under a name of ours, never the client's
    _, _, files = stored_state(api)
    assert [f.name for f in files] == ["recording.wav"]
    # another tenant sees neither the job nor the meeting
    other = api.auth("prefecture", "admin")
    assert api.client.get(body["status_url"], headers=other).status_code == 404
    assert api.client.get("/api/v1/jobs", headers=other).json() == []


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("notes.wav", b"ceci n'est pas de l'audio" * 100, 415, "pas un enregistrement audio"),
        ("rapport.pdf", b"%PDF-1.4 fake", 415, "Type de fichier non pris en charge"),
        ("../../etc/passwd.wav", b"RIFF", 400, "ressemble à un chemin"),
        ("..\\..\\boot.wav", b"RIFF", 400, "ressemble à un chemin"),
        ("/abs/path.wav", b"RIFF", 400, "ressemble à un chemin"),
        (".hidden.wav", b"RIFF", 400, "ressemble à un chemin"),
        ("vide.wav", b"", 400, "vide"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(
    api: ApiHarness, name: str, content: bytes, status: int, message: str
) -> None:
    r = upload(api, name, content)
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]
    assert stored_state(api) == (0, 0, [])


def test_oversized_upload_is_cut_off(api: ApiHarness, wav_file: Path) -> None:
    too_big = wav_file.read_bytes() + b"\0" * (2 * 1024 * 1024)  # the limit is 2 MiB here
    r = upload(api, "long.wav", too_big)
    assert r.status_code == 413
    assert "limite est de 2 Mo" in r.json()["detail"]
    assert stored_state(api) == (0, 0, [])
    metrics = api.client.get("/metrics").text
    assert 'asr_errors_total{kind="upload_rejected"} 1.0' in metrics


def test_upload_form_errors(api: ApiHarness, wav_file: Path) -> None:
    audio = wav_file.read_bytes()
    assert upload(api, "a.wav", audio, meeting_id="../x").status_code == 400
    assert upload(api, "a.wav", audio, language="français!").status_code == 400
    no_file = api.client.post(
        "/api/v1/recordings", data={"title": "x"}, headers=api.auth("mairie", "backend")
    )
    assert no_file.status_code in (400, 415)
    raw = api.client.post(
        "/api/v1/recordings", content=audio, headers=api.auth("mairie", "backend")
    )
    assert raw.status_code == 415 and "multipart/form-data" in raw.json()["detail"]
    assert stored_state(api) == (0, 0, [])
    assert upload(api, "a.wav", audio, meeting_id="dup").status_code == 202
    api.services.jobs.wait(timeout=30)
    second = upload(api, "b.wav", audio, meeting_id="dup")
    assert second.status_code == 409
    meetings, jobs, files = stored_state(api)
    assert (meetings, jobs, len(files)) == (1, 1, 1)  # the refused duplicate left nothing


def test_failed_job_is_reported(api: ApiHarness, wav_file: Path) -> None:
    def broken(job, progress):  # noqa: ANN001, ANN202 - a processor that fails
        raise RuntimeError("modèle indisponible")

    api.services.jobs.processor = broken
    r = upload(api, "a.wav", wav_file.read_bytes(), meeting_id="ko")
    api.services.jobs.wait(timeout=30)
    job = api.client.get(r.json()["status_url"], headers=api.auth()).json()
    assert job["status"] == "failed" and "modèle indisponible" in job["error"]
    detail = api.client.get("/api/v1/meetings/ko", headers=api.auth()).json()
    assert detail["status"] == "failed" and "modèle indisponible" in detail["error"]
    assert 'asr_jobs_total{outcome="failed"} 1.0' in api.client.get("/metrics").text


def test_unfinished_jobs_resume_at_start_up(database, tmp_path: Path, wav_file: Path) -> None:  # noqa: ANN001
    """A job left queued by a stopped process is processed when the next app starts."""
    import shutil

    from fastapi.testclient import TestClient

    from asr_service.api import create_app
    from tests.api.conftest import light_processor, make_settings

    settings = make_settings(tmp_path)
    database.migrate()
    recording = settings.resolved_data_dir / "uploads" / "mairie" / "job-1" / "recording.wav"
    recording.parent.mkdir(parents=True)
    shutil.copy(wav_file, recording)
    with database.session() as s:
        repo.create_meeting(s, "mairie", "left-over", source="upload", audio_path=str(recording))
        repo.create_job(s, "mairie", filename="a.wav", meeting_id="left-over", job_id="job-1")
    app = create_app(settings, db=database, processor=light_processor, run_retention=False,
                     model_check=lambda: (True, "test"))  # fmt: skip
    with TestClient(app):
        app.state.services.jobs.wait(timeout=30)
    with database.session() as s:
        assert repo.get_job(s, "mairie", "job-1").status == "done"
        assert repo.get_transcript(s, "mairie", "left-over", "final") is not None
