"""Issue 15, finding 7: the API docs page renders in a real browser with no network beyond this
server (Swagger UI and ReDoc from the ``fastapi-offline`` wheel) and under the pages' strict
Content-Security-Policy (no request blocked, no script error). Skipped without Chromium."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from asr_service.api import create_app
from asr_service.storage import Database
from tests.api import test_browser
from tests.api.conftest import light_processor, make_settings
from tests.api.oidc_provider import free_port
from tests.api.test_browser import CHROMEDRIVER, CHROMIUM

browser = test_browser.browser  # the same headless Chromium fixture

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless browser test needs Debian's chromium and chromium-driver",
)


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    db = Database(f"sqlite:///{tmp_path / 'asr.db'}")
    app = create_app(
        make_settings(tmp_path), db=db, processor=light_processor,
        model_check=lambda: (True, "test"), run_retention=False,
    )  # fmt: skip
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


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
