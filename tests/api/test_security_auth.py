"""Issue 15, finding 4: the clerk session is not the API token, logout ends it on the server,
state-changing cookie requests need this service's origin (CSRF), failures are throttled (429).

Reproduces the campaign's requests: the same cookie replayed after logout, admin token creation
with ``Origin: http://evil.example``, 300 wrong sign-ins in a row.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from asr_service.api.security import AuthThrottle
from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness

SAME_ORIGIN = {"Origin": "http://testserver"}
EVIL = {"Origin": "http://evil.example"}


def token_sign_in(api: ApiHarness, role: str = "clerk", tenant: str = "mairie") -> str:
    r = api.client.post(
        "/connexion",
        data={"token": api.tokens[(tenant, role)]},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return api.client.cookies.get("asr_session")


def test_session_cookie_is_not_the_token_and_dies_at_logout(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "cm-1")
    cookie = token_sign_in(api)
    assert cookie != api.tokens[("mairie", "clerk")]
    assert api.client.get("/api/v1/meetings").status_code == 200
    api.client.post("/deconnexion", headers=SAME_ORIGIN, follow_redirects=False)
    replay = TestClient(api.client.app, cookies={"asr_session": cookie})
    assert replay.get("/api/v1/meetings").status_code == 401
    assert replay.get("/api/v1/meetings/cm-1/minutes?format=md").status_code == 401
    assert replay.get("/reunions", follow_redirects=False).headers["location"] == "/connexion"
    # the token itself in the cookie (the old scheme) opens nothing either
    raw = TestClient(api.client.app, cookies={"asr_session": api.tokens[("mairie", "clerk")]})
    assert raw.get("/api/v1/meetings").status_code == 401


def test_revoking_the_token_ends_its_page_sessions(api: ApiHarness) -> None:
    token_sign_in(api, role="admin")
    with api.services.db.session() as s:
        (record,) = [t for t in repo.list_api_tokens(s, "mairie") if t.role == "admin"]
        repo.revoke_api_token(s, "mairie", record.id)
    assert api.client.get("/api/v1/meetings").status_code == 401


def test_cookie_requests_from_another_origin_are_refused(api: ApiHarness) -> None:
    token_sign_in(api, role="admin")
    body = {"role": "admin", "name": "porte dérobée"}
    assert api.client.post("/api/v1/tokens", json=body, headers=EVIL).status_code == 403
    assert api.client.post("/api/v1/tokens", json=body).status_code == 403  # neither header
    ok = api.client.post(
        "/api/v1/tokens", json=body, headers={"Referer": "http://testserver/reunions"}
    )
    assert ok.status_code == 201
    # logging out a victim from another site is refused too
    assert api.client.post("/deconnexion", headers=EVIL).status_code == 403
    assert api.client.get("/api/v1/meetings").status_code == 200
    # a Bearer call is not a browser's: no Origin rule
    bearer = {**api.auth("mairie", "admin"), **EVIL}
    api.client.cookies.clear()
    assert api.client.post("/api/v1/tokens", json=body, headers=bearer).status_code == 201


def test_a_sign_in_planted_by_another_site_is_refused(api: ApiHarness) -> None:
    r = api.client.post("/connexion", data={"token": api.tokens[("mairie", "clerk")]}, headers=EVIL)
    assert r.status_code == 403 and api.client.cookies.get("asr_session") is None


def test_wrong_sign_ins_and_bearer_failures_are_throttled(api: ApiHarness) -> None:
    """20 failures a minute per client IP (default), then 429 with Retry-After."""
    statuses = []
    for i in range(30):
        r = api.client.post("/connexion", data={"token": f"asr_faux{i:04d}"}, headers=SAME_ORIGIN)
        statuses.append(r.status_code)
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    limited = api.client.get("/api/v1/meetings", headers={"Authorization": "Bearer asr_x"})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # another client address is not blocked by this one's failures
    other = TestClient(api.client.app, client=("10.0.0.2", 50000))
    assert other.get("/api/v1/meetings", headers=api.auth()).status_code == 200


def test_guesses_at_one_token_prefix_are_throttled_across_addresses() -> None:
    throttle = AuthThrottle("30/minute", "5/minute")
    prefix = "asr_AbCdEfGh"
    for i in range(5):
        throttle.check(f"10.0.0.{i}", prefix)
        throttle.failed(f"10.0.0.{i}", prefix)
    try:
        throttle.check("10.0.0.99", prefix)
    except Exception as exc:  # noqa: BLE001 - asserting the exact type below
        assert exc.__class__.__name__ == "TooManyAttempts" and exc.retry_after >= 1  # type: ignore[attr-defined]
    else:
        raise AssertionError("a sixth address guessing the same prefix was not throttled")
    throttle.check("10.0.0.99", "asr_ZzZzZzZz")  # another prefix from a fresh address is fine


def test_sign_in_attempts_are_throttled_per_address(api: ApiHarness) -> None:
    """30 sign-in attempts a minute per address, successful or not (default)."""
    codes = [
        api.client.post(
            "/connexion", data={"token": api.tokens[("mairie", "clerk")]}, headers=SAME_ORIGIN,
            follow_redirects=False,
        ).status_code
        for _ in range(32)
    ]  # fmt: skip
    assert codes[:30] == [303] * 30 and codes[30:] == [429, 429]
