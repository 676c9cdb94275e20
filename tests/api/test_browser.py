"""The clerk pages in a real headless Chromium (Debian's chromium + chromium-driver, Selenium).

Signs in with a token, finds the meeting, opens it, downloads the minutes as DOCX and parses the
downloaded file. Skipped, with the reason, when Chromium or its driver is not installed
(``apt-get install chromium chromium-driver``). Set ``ASR_UPDATE_SCREENSHOTS=1`` to refresh the
screenshots kept in ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
import uvicorn

from asr_service.api import create_app
from asr_service.storage import Database
from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness, light_processor, make_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless browser test needs Debian's chromium and chromium-driver "
    "(apt-get install chromium chromium-driver)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, ApiHarness]]:
    """The real app served by uvicorn on a loopback port, with one seeded meeting."""
    db = Database(f"sqlite:///{tmp_path / 'asr.db'}")
    app = create_app(
        make_settings(tmp_path),
        db=db,
        processor=light_processor,
        model_check=lambda: (True, "test"),
        run_retention=False,
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    harness = ApiHarness(client=None, services=app.state.services)  # type: ignore[arg-type]
    with db.session() as s:
        _, harness.tokens[("mairie", "clerk")] = repo.create_api_token(s, "mairie", "clerk")
    harness.seed_meeting("mairie", "cm-2026-11-28", title="Conseil municipal du 28 novembre")
    harness.seed_meeting("mairie", "codir-12", title="Comité de direction des services")
    yield f"http://127.0.0.1:{port}", harness
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[object, Path]]:
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


def wait_for_file(folder: Path, suffix: str, timeout: float = 20) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file downloaded; folder holds {list(folder.iterdir())}")


def save_screenshot(driver: object, name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    driver.save_screenshot(str(target))  # type: ignore[attr-defined]
    if os.environ.get("ASR_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, SCREENSHOTS / name)
    return target


def test_clerk_signs_in_opens_a_meeting_and_downloads_the_minutes(
    live_server: tuple[str, ApiHarness], browser: tuple[object, Path], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, harness = live_server
    driver, downloads = browser
    wait = WebDriverWait(driver, 15)

    driver.get(base + "/")  # type: ignore[attr-defined]
    wait.until(ec.title_contains("Connexion"))
    token_field = driver.find_element(By.ID, "token")  # type: ignore[attr-defined]
    label = driver.find_element(By.CSS_SELECTOR, "label[for=token]")  # type: ignore[attr-defined]
    assert label.text == "Jeton d'accès"
    # keyboard only: type the token and press Enter
    token_field.send_keys(harness.tokens[("mairie", "clerk")], Keys.ENTER)
    wait.until(ec.title_contains("Réunions"))
    rows = driver.find_elements(By.CSS_SELECTOR, "table.meetings tbody tr")  # type: ignore[attr-defined]
    assert len(rows) == 2
    save_screenshot(driver, "clerk-meetings.png", tmp_path)

    driver.find_element(By.LINK_TEXT, "Conseil municipal du 28 novembre").click()  # type: ignore[attr-defined]
    wait.until(ec.presence_of_element_located((By.ID, "titre-cr")))
    body = driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
    assert "Relevé de décisions" in body and "Mme Durand" in body
    shot = save_screenshot(driver, "clerk-meeting.png", tmp_path)
    assert shot.stat().st_size > 10_000

    driver.find_element(By.ID, "minutes-docx").click()  # type: ignore[attr-defined]
    downloaded = wait_for_file(downloads, ".docx")
    time.sleep(0.2)  # let Chromium finish renaming the .crdownload
    document = docx.Document(str(downloaded))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Relevé de décisions" in headings and "Actions à mener" in headings
    with harness.services.db.session() as s:
        actions = [e.action for e in repo.list_audit(s, "mairie")]
    assert "minutes.downloaded" in actions
