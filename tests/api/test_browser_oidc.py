"""A clerk signs in through a real OpenID Connect provider in a real browser (headless Chromium).

The app runs under uvicorn, the provider (oidc-provider on Node, tests/oidc/) on another port.
The clerk clicks "Se connecter avec ProConnect", types a login on the provider's page, consents,
comes back signed in, sees only the town hall's meetings, signs out; the old session cookie put
back into the browser (or replayed by another client) is refused. Skipped, with the reason,
without Chromium and its driver, or without Node and npm.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ApiHarness, live_app, needs_chromium, save_screenshot
from tests.api.oidc_provider import free_port, provider_install, start_provider
from tests.api.test_oidc_flow import oidc_settings

pytestmark = needs_chromium


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, str, ApiHarness]]:
    """(app URL, provider issuer, harness): both servers running, one meeting per tenant."""
    folder = provider_install()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with start_provider(folder, [f"{base}/connexion/oidc/retour"], tmp_path) as provider:
        settings = oidc_settings(tmp_path, provider.issuer)
        with live_app(tmp_path, settings, port) as (_, harness):
            harness.seed_meeting(
                "mairie", "cm-2026-11-28", title="Conseil municipal du 28 novembre"
            )
            harness.seed_meeting("prefecture", "pref-7", title="Comité préfectoral de sécurité")
            yield base, provider.issuer, harness


def test_clerk_signs_in_with_oidc_sees_her_tenant_and_signs_out(
    site: tuple[str, str, ApiHarness], browser: tuple[object, Path], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, issuer, _ = site
    driver, _ = browser
    wait = WebDriverWait(driver, 20)

    driver.get(base + "/")  # type: ignore[attr-defined]
    wait.until(ec.title_contains("Connexion"))
    driver.find_element(By.ID, "connexion-oidc").click()  # type: ignore[attr-defined]
    # the provider's sign-in page
    wait.until(ec.url_contains(issuer))
    login = wait.until(ec.presence_of_element_located((By.NAME, "login")))
    login.send_keys("alice")
    driver.find_element(By.NAME, "password").send_keys("mot-de-passe")  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # type: ignore[attr-defined]
    # consent, then back to the service
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[value=consent]")))
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # type: ignore[attr-defined]
    wait.until(ec.title_contains("Réunions"))
    assert driver.current_url == base + "/reunions"  # type: ignore[attr-defined]
    rows = driver.find_elements(By.CSS_SELECTOR, "table.meetings tbody tr")  # type: ignore[attr-defined]
    assert len(rows) == 1 and "Conseil municipal du 28 novembre" in rows[0].text
    assert "Comité préfectoral" not in driver.page_source  # type: ignore[attr-defined]
    account = driver.find_element(By.CSS_SELECTOR, "nav .tenant").text  # type: ignore[attr-defined]
    assert "Alice Martin" in account and "mairie" in account and "clerk" in account
    save_screenshot(driver, "clerk-oidc-meetings.png", tmp_path)

    cookie = driver.get_cookie("asr_session")  # type: ignore[attr-defined]
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    old = cookie["value"]
    with httpx.Client(base_url=base, cookies={"asr_session": old}) as replay:
        assert replay.get("/api/v1/meetings").status_code == 200

    driver.find_element(By.CSS_SELECTOR, "form[action='/deconnexion'] button").click()  # type: ignore[attr-defined]
    # the service's session is gone; the provider asks to end its own session too
    wait.until(ec.url_contains(issuer))
    wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "button[value=yes]"))).click()
    wait.until(ec.title_contains("Connexion"))
    assert driver.current_url == base + "/connexion"  # type: ignore[attr-defined]
    assert driver.get_cookie("asr_session") is None  # type: ignore[attr-defined]
    # signing in again asks for the account again (the provider's session ended too)
    driver.find_element(By.ID, "connexion-oidc").click()  # type: ignore[attr-defined]
    wait.until(ec.presence_of_element_located((By.NAME, "login")))
    driver.get(base + "/connexion")  # type: ignore[attr-defined]

    # the old session cookie, put back in the browser, opens nothing
    driver.add_cookie({"name": "asr_session", "value": old, "path": "/"})  # type: ignore[attr-defined]
    driver.get(base + "/reunions")  # type: ignore[attr-defined]
    wait.until(ec.title_contains("Connexion"))
    assert driver.current_url == base + "/connexion"  # type: ignore[attr-defined]
    with httpx.Client(base_url=base, cookies={"asr_session": old}) as replay:
        assert replay.get("/api/v1/meetings").status_code == 401
