"""Issue 15, finding 7: the API docs page renders in a real browser with no network beyond this
server (Swagger UI and ReDoc from the ``fastapi-offline`` wheel) and under the pages' strict
Content-Security-Policy (no request blocked, no script error). Skipped without Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import live_app, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    with live_app(tmp_path) as (base, _):
        yield base


@pytest.mark.parametrize(
    ("page", "rendered"),
    [("/docs", ".swagger-ui .opblock"), ("/redoc", "[data-section-id], .api-content")],
)
def test_api_docs_render_from_local_assets(
    base_url: str, browser: tuple[object, Path], page: str, rendered: str
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver, _ = browser
    driver.get(base_url + page)  # type: ignore[attr-defined]
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, rendered)))
    assert "Réunions" in driver.page_source or "réunions" in driver.page_source  # type: ignore[attr-defined]
    resources = driver.execute_script(  # type: ignore[attr-defined]
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    logs = driver.get_log("browser")  # type: ignore[attr-defined]
    blocked = [e["message"] for e in logs if "Content Security Policy" in e["message"]]
    # ReDoc's bundle always tries the Redocly logo from its CDN: the CSP blocks it (nothing is
    # sent) and ReDoc hides the image; anything else from elsewhere fails the test
    foreign = [
        url
        for url in resources
        if not url.startswith(base_url) and not any(url in m and "blocked" in m for m in blocked)
    ]
    assert foreign == [], f"{page} fetched from elsewhere: {foreign}"
    errors = [e["message"] for e in logs if e["level"] == "SEVERE" and e["message"] not in blocked]
    assert errors == [], errors
    print(f"\n{page}: rendered from local assets; blocked by the CSP: {len(blocked)}")
