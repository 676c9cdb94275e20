"""Fixtures for the HTTP API tests: a real app on real storage (SQLite, and PostgreSQL when up).

``api`` is parametrised over both databases (PostgreSQL: ``ASR_TEST_POSTGRES_URL`` or the local
server at 127.0.0.1:5432, in a throw-away schema; skipped when no server answers). Two tenants,
``mairie`` and ``prefecture``, each get a clerk, a backend and an admin token. Batch jobs use a
light processor (the real pipeline is exercised by ``test_e2e_upload.py``): it decodes the
uploaded file with the project's decoder and returns a transcript that depends on it.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from asr_service.api import create_app
from asr_service.api.jobs import JobInput, JobOutput
from asr_service.api.services import ApiServices
from asr_service.audio import SAMPLE_RATE, decode_audio, write_wav
from asr_service.config import Settings
from asr_service.storage import Database
from asr_service.storage import repository as repo
from asr_service.transcript import Segment, Speaker, Transcript
from summarizer.schema import (
    Action,
    Decision,
    Minutes,
    OpenQuestion,
    Participant,
    SourceRef,
    Topic,
    Unverified,
)
from tests.api.oidc_provider import free_port

PG_URL = os.environ.get("ASR_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
TENANTS = ("mairie", "prefecture")
ROLES = ("clerk", "backend", "admin")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A URL on a fresh schema of the test PostgreSQL server, dropped at the end."""
    try:
        admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        schema = f"asr_api_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def sample_transcript(meeting_id: str | None = None) -> Transcript:
    """A short council transcript with two named speakers."""
    return Transcript(
        meeting_id=meeting_id,
        duration=95.0,
        speakers=[Speaker(id="S1", name="Mme Durand"), Speaker(id="S2", name="M. Bernard")],
        segments=[
            Segment(id=0, start=0.0, end=6.5, text="Bonjour à tous, la séance est ouverte.",
                    speaker="S1"),
            Segment(id=1, start=6.5, end=14.0, text="Premier point : la rénovation de l'école.",
                    speaker="S1"),
            Segment(id=2, start=14.0, end=30.0,
                    text="Le devis de l'entreprise Martin s'élève à 120 000 euros.", speaker="S2"),
            Segment(id=3, start=61.0, end=70.0,
                    text="Le conseil approuve le devis à l'unanimité.", speaker="S1"),
            Segment(id=4, start=70.0, end=95.0,
                    text="M. Bernard transmettra le dossier à la préfecture avant le 15 décembre.",
                    speaker="S1"),
        ],
    )  # fmt: skip


def sample_minutes(meeting_id: str | None = None) -> Minutes:
    """Minutes with every section filled, citing the sample transcript."""
    ref = lambda i, s, e, sp, t: SourceRef(segment_id=i, start=s, end=e, speaker=sp, text=t)  # noqa: E731
    return Minutes(
        meeting_id=meeting_id,
        title="Conseil municipal du 28 novembre",
        date="28 novembre 2026",
        duration=95.0,
        participants=[
            Participant(name="Mme Durand", role="maire", speaker_id="S1"),
            Participant(name="M. Bernard", role=None, speaker_id="S2"),
        ],
        topics=[
            Topic(
                title="Rénovation de l'école",
                summary="Le devis de l'entreprise Martin, de 120 000 euros, est présenté.",
                segment_ids=[1, 2],
                start=6.5,
                end=30.0,
            )
        ],
        decisions=[
            Decision(
                text="Le devis de l'entreprise Martin est approuvé à l'unanimité.",
                sources=[ref(3, 61.0, 70.0, "Mme Durand", "Le conseil approuve le devis")],
            )
        ],
        actions=[
            Action(
                task="Transmettre le dossier à la préfecture",
                owner="M. Bernard",
                due="avant le 15 décembre",
                sources=[ref(4, 70.0, 95.0, "Mme Durand", "M. Bernard transmettra le dossier")],
            )
        ],
        open_questions=[OpenQuestion(text="Le calendrier des travaux reste à fixer.")],
        to_check=[
            Unverified(kind="action", text="Relancer l'entreprise", reason="aucun responsable cité")
        ],
    )


def light_processor(job: JobInput, progress: Callable[[float], None]) -> JobOutput:
    """Decode the upload for real; return a transcript whose length follows the audio."""
    audio = decode_audio(job.path)
    progress(0.5)
    duration = len(audio) / SAMPLE_RATE
    transcript = Transcript(
        meeting_id=job.meeting_id,
        duration=duration,
        segments=[Segment(id=0, start=0.0, end=duration, text="Texte de l'enregistrement.")],
    )
    minutes = sample_minutes(job.meeting_id) if job.options.get("minutes", True) else None
    return JobOutput(transcript=transcript, minutes=minutes, minutes_markdown="")


@dataclass
class ApiHarness:
    """A running app with its services, client and one token per (tenant, role)."""

    client: TestClient
    services: ApiServices
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def auth(self, tenant: str = "mairie", role: str = "clerk") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[(tenant, role)]}"}

    def seed_meeting(
        self,
        tenant: str,
        meeting_id: str,
        *,
        title: str = "Conseil municipal du 28 novembre",
        with_outputs: bool = True,
        status: str = "done",
    ) -> None:
        """A finished meeting with a final transcript and minutes, stored through storage."""
        with self.services.db.session() as s:
            repo.create_meeting(s, tenant, meeting_id, title=title, source="live", status="live")
            if with_outputs:
                repo.save_transcript(s, tenant, meeting_id, "final", sample_transcript(meeting_id))
                minutes = sample_minutes(meeting_id)
                repo.save_minutes(s, tenant, meeting_id, minutes.model_dump(mode="json"), "")
            if status != "live":
                repo.set_meeting_status(s, tenant, meeting_id, status)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'asr.db'}")
        yield db
        db.dispose()
        return
    db = Database(request.getfixturevalue("postgres_url"))
    yield db
    from asr_service.storage.models import Base

    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    db.dispose()


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        upload_max_mb=2,
        api_job_workers=1,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture
def api(database: Database, tmp_path: Path) -> Iterator[ApiHarness]:
    """The app on ``database`` with tokens for both tenants; jobs use :func:`light_processor`."""
    app = create_app(
        make_settings(tmp_path),
        db=database,
        processor=light_processor,
        model_check=lambda: (True, "test processor"),
        run_retention=False,
    )
    with TestClient(app) as client:
        harness = ApiHarness(client=client, services=app.state.services)
        with database.session() as s:
            for tenant in TENANTS:
                for role in ROLES:
                    _, secret = repo.create_api_token(s, tenant, role, name=f"{tenant}-{role}")
                    harness.tokens[(tenant, role)] = secret
        yield harness
        harness.services.jobs.wait(timeout=30)


@pytest.fixture(scope="session")
def wav_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of a real WAV file (a tone with a little noise)."""
    t = np.arange(2 * SAMPLE_RATE) / SAMPLE_RATE
    rng = np.random.default_rng(0)
    audio = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(t.size)).astype(
        np.float32
    )
    return write_wav(tmp_path_factory.mktemp("audio") / "reunion.wav", audio)


# --- the app under uvicorn, and a headless Chromium (the browser tests) ------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless browser test needs Debian's chromium and chromium-driver "
    "(apt-get install chromium chromium-driver)",
)
"""The browser test modules' ``pytestmark``: skipped, with the reason, without Chromium."""


@contextmanager
def live_app(
    tmp_path: Path, settings: Settings | None = None, port: int | None = None
) -> Iterator[tuple[str, ApiHarness]]:
    """(base URL, harness): the real app on SQLite in ``tmp_path``, jobs by
    :func:`light_processor`, served by uvicorn on a loopback port while the block runs (the
    harness has no client: talk to the URL)."""
    db = Database(f"sqlite:///{tmp_path / 'asr.db'}")
    app = create_app(
        settings or make_settings(tmp_path),
        db=db,
        processor=light_processor,
        model_check=lambda: (True, "test"),
        run_retention=False,
    )
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", ApiHarness(client=None, services=app.state.services)  # type: ignore[arg-type]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[object, Path]]:
    """(headless Chromium driver, its download folder), in French."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1400",
        "--lang=fr-FR",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "intl.accept_languages": "fr-FR,fr",
        },
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver, downloads
    finally:
        driver.quit()


def save_screenshot(driver: object, name: str, tmp_path: Path) -> Path:
    """A screenshot in ``tmp_path``, copied to ``docs/screenshots/`` with
    ``ASR_UPDATE_SCREENSHOTS=1``."""
    target = tmp_path / name
    driver.save_screenshot(str(target))  # type: ignore[attr-defined]
    if os.environ.get("ASR_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, SCREENSHOTS / name)
    return target
