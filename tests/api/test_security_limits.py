"""Issue 15, findings 5-7: no unhandled 500 on out-of-range input, uploads checked by content,
no server path shown to clients, security headers, API docs served locally, private files.

Each test reproduces one finding of the security campaign as a request an outside tester sent.
"""

from __future__ import annotations

import re
import shutil
import stat
import sys
from pathlib import Path

import av
import pytest

from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness
from tests.api.test_recordings import stored_state, upload

HUGE = "9223372036854775808"  # 2**63: one past SQLite's and PostgreSQL's largest integer


@pytest.mark.parametrize(
    ("method", "url", "role"),
    [
        ("DELETE", f"/api/v1/tokens/{HUGE}", "admin"),
        ("DELETE", "/api/v1/tokens/2147483648", "admin"),  # PostgreSQL's INTEGER overflows
        ("DELETE", "/api/v1/tokens/-1", "admin"),
        ("GET", f"/api/v1/meetings?offset={HUGE}", "clerk"),
        ("GET", "/api/v1/meetings?date_to=9999-12-31", "clerk"),
        ("GET", "/api/v1/meetings?date_from=0001-01-01", "clerk"),
        ("GET", f"/api/v1/jobs?limit={HUGE}", "clerk"),
        ("GET", f"/api/v1/audit?limit={HUGE}", "admin"),
    ],
)
def test_out_of_range_numbers_and_dates_are_422(
    api: ApiHarness, method: str, url: str, role: str
) -> None:
    r = api.client.request(method, url, headers=api.auth("mairie", role))
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith("Requête invalide")


def test_token_expiry_out_of_range_is_422(api: ApiHarness) -> None:
    for when in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"):
        r = api.client.post(
            "/api/v1/tokens",
            json={"role": "clerk", "expires_at": when},
            headers=api.auth("mairie", "admin"),
        )
        assert r.status_code == 422, r.text


def test_meeting_page_with_extreme_dates_answers_with_a_message(api: ApiHarness) -> None:
    signed_in = api.client.post(
        "/connexion",
        data={"token": api.tokens[("mairie", "clerk")]},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    for query in ("au=9999-12-31", "du=0001-01-01"):
        page = api.client.get(f"/reunions?{query}")
        assert page.status_code == 200 and "Date invalide" in page.text


def test_executable_renamed_mp3_is_refused_before_202(api: ApiHarness, tmp_path: Path) -> None:
    """FFmpeg's MP3 demuxer finds frame syncs in any binary; the probe decodes far enough to
    see that it is not audio."""
    exe = Path("/bin/ls") if Path("/bin/ls").exists() else Path(sys.executable)
    r = upload(api, "compte-rendu.mp3", exe.read_bytes())
    assert r.status_code == 415, r.text
    assert "pas un enregistrement audio" in r.json()["detail"]
    assert stored_state(api) == (0, 0, [])


def test_upload_errors_never_show_server_paths(api: ApiHarness, tmp_path: Path) -> None:
    data_dir = str(api.services.settings.data_dir)
    garbage = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 64
    r = upload(api, "faux.mp3", garbage)
    assert r.status_code == 415
    assert data_dir not in r.text and "/recording" not in r.text


def test_failed_job_error_shows_no_server_path(api: ApiHarness, wav_file: Path) -> None:
    """A library error carrying the upload's path (PyAV's errors do) reaches clients without it."""

    def decode_missing(job, progress):  # noqa: ANN001, ANN202 - the real decoder, a lost file
        av.open(str(job.path.with_suffix(".perdu")))

    api.services.jobs.processor = decode_missing
    r = upload(api, "a.wav", wav_file.read_bytes(), meeting_id="perdu")
    assert r.status_code == 202
    api.services.jobs.wait(timeout=30)
    job = api.client.get(r.json()["status_url"], headers=api.auth()).json()
    detail = api.client.get("/api/v1/meetings/perdu", headers=api.auth()).json()
    assert job["status"] == "failed" and job["error"]
    for text in (job["error"], detail["error"], str(detail["history"])):
        assert str(api.services.settings.data_dir) not in text, text
        assert not re.search(r"/[\w.-]+/[\w.-]+/", text), text
    assert "recording.perdu" in job["error"]  # the file's own name still tells what failed


def raw_multipart(filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A multipart body written byte for byte (HTTP clients percent-encode control characters)."""
    boundary = "----asr-test-boundary"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        + b"Content-Type: audio/wav\r\n\r\n" + content + f"\r\n--{boundary}--\r\n".encode()
    )  # fmt: skip
    return body, f"multipart/form-data; boundary={boundary}"


def test_file_name_with_nul_or_control_character_is_400(api: ApiHarness, wav_file: Path) -> None:
    audio = wav_file.read_bytes()
    for name in (b"a\x00b.wav", "r\xc3\xa9union\x07.wav".encode("latin-1"), b"tab\there.wav"):
        body, content_type = raw_multipart(name, audio)
        headers = {**api.auth("mairie", "backend"), "Content-Type": content_type}
        r = api.client.post("/api/v1/recordings", content=body, headers=headers)
        assert r.status_code == 400, (name, r.text)
        assert "caractères de contrôle" in r.json()["detail"]
    # what browsers and httpx send for the same names: control characters percent-encoded
    for name in ("a\x00b.wav", "ligne\nsuivante.wav"):
        r = upload(api, name, audio)
        assert r.status_code == 400, (name, r.text)
        assert "caractères de contrôle" in r.json()["detail"]
    assert stored_state(api) == (0, 0, [])


@pytest.mark.parametrize("value", ["maybe", "2", "peut-être"])
def test_minutes_flag_must_be_a_boolean(api: ApiHarness, wav_file: Path, value: str) -> None:
    r = upload(api, "a.wav", wav_file.read_bytes(), minutes=value)
    assert r.status_code == 422, r.text
    assert "minutes" in r.json()["detail"]
    assert stored_state(api) == (0, 0, [])


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("non", False), ("1", True)])
def test_minutes_flag_accepts_booleans(
    api: ApiHarness, wav_file: Path, value: str, expected: bool
) -> None:
    r = upload(api, "a.wav", wav_file.read_bytes(), minutes=value, meeting_id=f"m-{value}")
    assert r.status_code == 202, r.text
    api.services.jobs.wait(timeout=30)
    with api.services.db.session() as s:
        job = repo.get_job(s, "mairie", r.json()["job"]["job_id"])
        assert job.options["minutes"] is expected


def test_security_headers_on_pages_and_api(api: ApiHarness) -> None:
    for url in ("/connexion", "/api/v1/meetings", "/healthz", "/docs"):
        r = api.client.get(url, headers=api.auth())
        headers = r.headers
        assert headers["x-frame-options"] == "DENY", url
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["referrer-policy"] == "same-origin", url
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, url
    page_csp = api.client.get("/connexion").headers["content-security-policy"]
    assert "'unsafe-inline'" not in page_csp  # clerk pages run no inline script


def test_api_docs_work_air_gapped(api: ApiHarness) -> None:
    """/docs and /redoc load every asset from this server (no CDN)."""
    for url in ("/docs", "/redoc"):
        page = api.client.get(url)
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets, page.text
        for asset in assets:
            assert asset.startswith("/"), f"{url} loads {asset} from elsewhere"
            got = api.client.get(asset)
            assert got.status_code == 200 and len(got.content) > 1000, asset
        assert "cdn" not in page.text.lower()


def test_data_folder_and_files_are_private(api: ApiHarness, wav_file: Path) -> None:
    settings = api.services.settings
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(settings.resolved_data_dir) == 0o700
    r = upload(api, "a.wav", wav_file.read_bytes(), meeting_id="prive")
    assert r.status_code == 202
    api.services.jobs.wait(timeout=30)
    recording = next(api.services.upload_root.rglob("recording.wav"))
    assert mode(recording) == 0o600
    for folder in (recording.parent, recording.parent.parent):
        assert mode(folder) == 0o700, folder
    store = api.services.audio_store
    store.append("mairie", "live-1", "mix", 0, b"\0\0" * 1600, 0)
    for path in store.meeting_dir("mairie", "live-1").iterdir():
        assert mode(path) == 0o600, path
    assert mode(store.meeting_dir("mairie", "live-1")) == 0o700


def test_sqlite_database_file_is_private(tmp_path: Path) -> None:
    from asr_service.storage import Database

    db = Database(f"sqlite:///{tmp_path / 'data' / 'asr.db'}")
    db.migrate()
    with db.session() as s:
        repo.create_api_token(s, "mairie", "clerk")
    files = [p for p in (tmp_path / "data").glob("asr.db*") if p.suffix != ".lock"]
    assert files  # the database, and its WAL files when SQLite keeps them
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    db.dispose()
    shutil.rmtree(tmp_path / "data")
