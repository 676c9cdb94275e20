"""The clerk pages in a real headless Chromium (Debian's chromium + chromium-driver, Selenium).

Signs in with a token, finds the meeting, opens it, downloads the minutes as DOCX and parses the
downloaded file. Skipped, with the reason, when Chromium or its driver is not installed
(``apt-get install chromium chromium-driver``). Set ``ASR_UPDATE_SCREENSHOTS=1`` to refresh the
screenshots kept in ``docs/screenshots/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness, live_app, needs_chromium, save_screenshot

pytestmark = needs_chromium


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, ApiHarness]]:
    """The real app served by uvicorn on a loopback port, with one seeded meeting."""
    with live_app(tmp_path) as (base, harness):
        with harness.services.db.session() as s:
            _, harness.tokens[("mairie", "clerk")] = repo.create_api_token(s, "mairie", "clerk")
        harness.seed_meeting("mairie", "cm-2026-11-28", title="Conseil municipal du 28 novembre")
        harness.seed_meeting("mairie", "codir-12", title="Comité de direction des services")
        yield base, harness


def wait_for_file(folder: Path, suffix: str, timeout: float = 20) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file downloaded; folder holds {list(folder.iterdir())}")


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
