"""The clerk's review of the minutes in a real headless Chromium (Debian's chromium, Selenium).

A clerk signs in, opens a finished meeting, corrects an action's owner and due date, rejects the
proposed point, validates; the ODT and DOCX downloaded through the page then hold the corrected
version and « Validé par <clerk> le <date> », and the audit log (read over the API with an admin
token) shows each step. Skipped, with the reason, when Chromium or its driver is not installed
(``apt-get install chromium chromium-driver``). ``ASR_UPDATE_SCREENSHOTS=1`` refreshes
``docs/screenshots/clerk-review.png``.
"""

from __future__ import annotations

import io
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from odf import teletype
from odf.opendocument import load as load_odt
from odf.text import P

from asr_service.storage import repository as repo
from tests.api.conftest import (
    ApiHarness,
    live_app,
    needs_chromium,
    sample_transcript,
    save_screenshot,
)

pytestmark = needs_chromium

MID = "cm-2026-11-28"
CLERK_NAME = "Mme Leroy, greffe"


@pytest.fixture
def review_server(tmp_path: Path) -> Iterator[tuple[str, ApiHarness]]:
    """The real app served by uvicorn on a loopback port, with one finished meeting."""
    with live_app(tmp_path) as (base, harness):
        with harness.services.db.session() as s:
            _, harness.tokens[("mairie", "clerk")] = repo.create_api_token(
                s, "mairie", "clerk", name=CLERK_NAME
            )
            _, harness.tokens[("mairie", "admin")] = repo.create_api_token(s, "mairie", "admin")
        harness.seed_meeting("mairie", MID, title="Conseil municipal du 28 novembre")
        yield base, harness


def wait_for_download(folder: Path, suffix: str, timeout: float = 20) -> Path:
    """The finished download with this suffix (Chromium writes ``.crdownload`` first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix and p.stat().st_size > 0]
        if done and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file downloaded; folder holds {list(folder.iterdir())}")


def odt_text(path: Path) -> str:
    document = load_odt(io.BytesIO(path.read_bytes()))
    return "\n".join(teletype.extractText(p) for p in document.getElementsByType(P))


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_clerk_corrects_rejects_validates_and_downloads_the_validated_minutes(
    review_server: tuple[str, ApiHarness],
    browser: tuple[object, Path],
    tmp_path: Path,
) -> None:
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, harness = review_server
    driver, downloads = browser
    wait = WebDriverWait(driver, 15)
    find = driver.find_element  # type: ignore[attr-defined]

    def status_says(text: str) -> None:
        """Wait for the review status to read ``text``. The page re-renders that region after
        each action: an element read mid-render is stale, which Selenium reports as a
        StaleElementReferenceException or, from Chromium's inspector, as "Node with given id
        does not belong to the document"; both mean "not yet", so the element is found anew."""

        def says(_driver: object) -> bool:
            try:
                return text in find(By.ID, "relecture").text
            except StaleElementReferenceException:
                return False
            except WebDriverException as exc:
                if "does not belong to the document" in str(exc):
                    return False
                raise

        wait.until(says)

    # sign in with the keyboard, open the finished meeting
    driver.get(base + "/connexion")  # type: ignore[attr-defined]
    wait.until(ec.title_contains("Connexion"))
    find(By.ID, "token").send_keys(harness.tokens[("mairie", "clerk")], Keys.ENTER)
    wait.until(ec.title_contains("Réunions"))
    find(By.LINK_TEXT, "Conseil municipal du 28 novembre").click()
    wait.until(ec.presence_of_element_located((By.ID, "relecture")))
    assert "Projet (version 1)" in find(By.ID, "etat-compte-rendu").text

    # each item shows its cited turn beside it
    action_row = find(By.ID, "action-0")
    cited = sample_transcript(MID).segments[4].text
    assert cited in action_row.text and "[00:01:10]" in action_row.text
    assert "Le conseil approuve le devis" in find(By.ID, "decision-0").text

    # correct the owner and the due date of the action
    owner = find(By.ID, "action-0-owner")
    owner.clear()
    owner.send_keys("Mme Durand")
    due = find(By.ID, "action-0-due")
    due.clear()
    due.send_keys("15/01/2027")
    find(By.ID, "cr-comment").send_keys("Responsable et échéance corrigés en relecture")
    find(By.ID, "enregistrer").click()
    status_says("Modifications enregistrées.")
    assert find(By.ID, "action-0-owner").get_attribute("value") == "Mme Durand"

    # reject the proposed point, then validate
    assert "Relancer l'entreprise" in find(By.ID, "point-1").text
    find(By.ID, "point-1-rejeter").click()
    status_says("Point rejeté.")
    assert not driver.find_elements(By.ID, "point-1")  # type: ignore[attr-defined]
    find(By.ID, "valider").click()
    status_says("Compte rendu validé.")
    state = find(By.ID, "etat-compte-rendu").text
    match = re.search(
        rf"Validé par {CLERK_NAME} le (\d{{2}}/\d{{2}}/\d{{4}}) à \d{{2}}:\d{{2}}", state
    )
    assert match, state
    label = match.group(0)
    history = find(By.ID, "historique-versions").text
    for line in ("Validé", "Projet (relu)", "Projet (généré)", CLERK_NAME,
                 "Action 1, responsable : « M. Bernard » → « Mme Durand »",
                 "Point rejeté : « Relancer l'entreprise »"):  # fmt: skip
        assert line in history, line
    save_screenshot(driver, "clerk-review.png", tmp_path)

    # the downloads carry the validated, corrected version
    for fmt, read in (("odt", odt_text), ("docx", docx_text)):
        find(By.ID, f"minutes-{fmt}").click()
        text = read(wait_for_download(downloads, f".{fmt}"))
        assert label in text, fmt
        assert "validé" in text.lower() and CLERK_NAME in text and match.group(1) in text, fmt
        assert "Mme Durand" in text and "15/01/2027" in text, fmt
        assert "Projet" not in text and "avant le 15 décembre" not in text, fmt
        assert "Relancer l'entreprise" not in text, fmt

    # the audit log, read by an admin over the API, shows each step
    request = urllib.request.Request(
        base + "/api/v1/audit?limit=100",
        headers={"Authorization": f"Bearer {harness.tokens[('mairie', 'admin')]}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback test server
        entries = list(reversed(json.load(answer)))
    steps = [(e["action"], e["detail"].get("format")) for e in entries if e["target"] == MID]
    review_steps = [a for a, _ in steps if a.startswith("minutes.") and a != "minutes.downloaded"]
    assert review_steps == ["minutes.edited", "minutes.point_rejected", "minutes.validated"]
    assert ("minutes.downloaded", "odt") in steps and ("minutes.downloaded", "docx") in steps
    edited = next(e for e in entries if e["action"] == "minutes.edited")
    assert edited["detail"]["changes"] == [
        "Action 1, responsable : « M. Bernard » → « Mme Durand »",
        "Action 1, échéance : « avant le 15 décembre » → « 15/01/2027 »",
    ]
    validated = next(e for e in entries if e["action"] == "minutes.validated")
    downloaded = [e for e in entries if e["action"] == "minutes.downloaded"]
    assert {e["detail"]["version"] for e in downloaded} == {validated["detail"]["version"]}
