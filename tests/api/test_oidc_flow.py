"""Clerk sign-in with OpenID Connect against a real provider (oidc-provider on Node), over HTTP.

The service redirects to the provider with an S256 code challenge, state and nonce; the test plays
the user on the provider's pages; the provider sends the browser back with a code; the service
exchanges it (client secret + PKCE verifier), verifies the ID token and the userinfo, maps the
SIRET to a tenant and the groups to a role, and opens a server-side session. Then: only the
tenant's meetings, CSRF refusals, logout ends the session (the old cookie is refused), a used or
foreign callback is refused, an unknown organisation gets no session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from asr_service.api import create_app
from asr_service.storage import Database
from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness, light_processor, make_settings
from tests.api.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANTS,
    Provider,
    provider_install,
    provider_sign_in,
    start_provider,
)

CALLBACK = "http://testserver/connexion/oidc/retour"
SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture(scope="module")
def provider_folder() -> Path:
    return provider_install()


@pytest.fixture
def provider(provider_folder: Path, tmp_path: Path) -> Iterator[Provider]:
    with start_provider(provider_folder, [CALLBACK], tmp_path) as running:
        yield running


def oidc_settings(tmp_path: Path, issuer: str, **overrides: object):  # noqa: ANN201 - Settings
    return make_settings(
        tmp_path,
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_scopes="openid email given_name usual_name siret groups",
        oidc_tenants=TENANTS,
        oidc_role_claim="groups",
        oidc_roles={"asr-admins": "admin"},
        **overrides,
    )


@pytest.fixture
def site(provider: Provider, tmp_path: Path) -> Iterator[ApiHarness]:
    """The app configured for the provider, with one meeting per tenant."""
    db = Database(f"sqlite:///{tmp_path / 'asr.db'}")
    app = create_app(
        oidc_settings(tmp_path, provider.issuer),
        db=db,
        processor=light_processor,
        model_check=lambda: (True, "test"),
        run_retention=False,
    )
    with TestClient(app) as client:
        harness = ApiHarness(client=client, services=app.state.services)
        harness.seed_meeting("mairie", "cm-2026-11-28", title="Conseil municipal du 28 novembre")
        harness.seed_meeting("prefecture", "pref-7", title="Comité préfectoral de sécurité")
        yield harness
    db.dispose()


def sign_in(site: ApiHarness, login: str) -> str:
    """The whole code flow for ``login``; returns the callback URL the provider gave."""
    start = site.client.get("/connexion/oidc", follow_redirects=False)
    assert start.status_code == 303, start.text
    return provider_sign_in(start.headers["location"], login, until=CALLBACK)


def test_code_flow_with_pkce_opens_a_session_for_the_tenant(
    site: ApiHarness, provider: Provider
) -> None:
    c = site.client
    login_page = c.get("/connexion")
    assert 'href="/connexion/oidc"' in login_page.text and "ProConnect" in login_page.text
    # forms may lead to the provider (logout), nowhere else
    csp = login_page.headers["content-security-policy"]
    assert f"form-action 'self' {provider.issuer};" in csp

    start = c.get("/connexion/oidc", follow_redirects=False)
    location = start.headers["location"]
    assert location.startswith(provider.issuer + "/auth?")
    query = parse_qs(urlsplit(location).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK]
    state_cookie = start.headers["set-cookie"]
    assert "HttpOnly" in state_cookie and "SameSite=lax" in state_cookie

    back = provider_sign_in(location, "alice", until=CALLBACK)
    done = c.get(back, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/reunions", done.text
    session_cookie = c.cookies.get("asr_session")
    assert session_cookie and len(session_cookie) >= 43
    assert "SameSite=lax" in done.headers["set-cookie"] and "HttpOnly" in done.headers["set-cookie"]

    page = c.get("/reunions")
    assert "Conseil municipal du 28 novembre" in page.text
    assert "Comité préfectoral" not in page.text
    listing = c.get("/api/v1/meetings").json()
    assert [m["meeting_id"] for m in listing["items"]] == ["cm-2026-11-28"]
    assert c.get("/api/v1/meetings/pref-7").status_code == 404
    # a clerk: reading yes, token administration no
    assert c.get("/api/v1/tokens").status_code == 403
    with site.services.db.session() as s:
        opened = [e for e in repo.list_audit(s, "mairie") if e.action == "session.opened"]
    assert opened and opened[0].actor == "oidc:alice"

    # the code and the state are single-use: replaying the callback gets no session
    c.cookies.clear()
    replay = c.get(back, follow_redirects=False)
    assert replay.status_code == 401 and "asr_session" not in replay.headers.get("set-cookie", "")


def test_logout_ends_the_session_on_the_server(site: ApiHarness, provider: Provider) -> None:
    c = site.client
    c.get(sign_in(site, "alice"), follow_redirects=False)
    old = c.cookies.get("asr_session")
    assert c.get("/api/v1/meetings").status_code == 200
    out = c.post("/deconnexion", headers=SAME_ORIGIN, follow_redirects=False)
    # then to the provider's logout (RP-initiated), which comes back to the sign-in page
    assert out.status_code == 303
    logout = urlsplit(out.headers["location"])
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == provider.issuer + "/session/end"
    params = parse_qs(logout.query)
    assert params["post_logout_redirect_uri"] == ["http://testserver/connexion"]
    assert params["client_id"] == [CLIENT_ID] and params["id_token_hint"][0].count(".") == 2
    # the browser forgot the cookie; an attacker who copied it replays it
    replayed = TestClient(site.client.app, cookies={"asr_session": old})
    assert replayed.get("/api/v1/meetings").status_code == 401
    assert replayed.get("/reunions", follow_redirects=False).headers["location"] == "/connexion"


def test_admin_by_group_and_csrf_on_cookie_requests(site: ApiHarness) -> None:
    c = site.client
    c.get(sign_in(site, "admin"), follow_redirects=False)
    body = {"role": "clerk", "name": "poste 3"}
    assert (
        c.post("/api/v1/tokens", json=body, headers={"Origin": "http://evil.example"}).status_code
        == 403
    )
    assert c.post("/api/v1/tokens", json=body).status_code == 403  # no Origin, no Referer
    referer = {"Referer": "http://evil.example/page"}
    assert c.post("/api/v1/tokens", json=body, headers=referer).status_code == 403
    assert c.delete("/api/v1/meetings/cm-2026-11-28", headers={"Origin": "null"}).status_code == 403
    created = c.post("/api/v1/tokens", json=body, headers=SAME_ORIGIN)
    assert created.status_code == 201, created.text
    with site.services.db.session() as s:
        assert len(repo.list_api_tokens(s, "mairie")) == 1  # only the same-origin one


def test_sign_in_rotates_the_session(site: ApiHarness) -> None:
    c = site.client
    c.get(sign_in(site, "alice"), follow_redirects=False)
    first = c.cookies.get("asr_session")
    c.get(sign_in(site, "alice"), follow_redirects=False)
    second = c.cookies.get("asr_session")
    assert first != second
    assert (
        TestClient(c.app, cookies={"asr_session": first}).get("/api/v1/meetings").status_code == 401
    )
    assert (
        TestClient(c.app, cookies={"asr_session": second}).get("/api/v1/meetings").status_code
        == 200
    )


def test_other_tenant_and_unknown_organisation(site: ApiHarness) -> None:
    c = site.client
    c.get(sign_in(site, "bob"), follow_redirects=False)
    assert [m["meeting_id"] for m in c.get("/api/v1/meetings").json()["items"]] == ["pref-7"]
    c.post("/deconnexion", headers=SAME_ORIGIN, follow_redirects=False)
    c.cookies.clear()

    refused = c.get(sign_in(site, "eve"), follow_redirects=False)
    assert refused.status_code == 403 and "rattaché à aucun espace" in refused.text
    assert c.cookies.get("asr_session") is None


def test_callback_from_another_browser_is_refused(site: ApiHarness) -> None:
    """Login CSRF: a callback URL started in the attacker's browser, opened in the victim's."""
    back = sign_in(site, "bob")
    victim = TestClient(site.client.app)  # no state cookie of that sign-in
    refused = victim.get(back, follow_redirects=False)
    assert refused.status_code == 401 and "Connexion expirée ou commencée ailleurs" in refused.text
    assert victim.cookies.get("asr_session") is None


def test_token_sign_in_can_be_switched_off(provider: Provider, tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'off.db'}")
    app = create_app(
        oidc_settings(tmp_path, provider.issuer, token_sign_in=False),
        db=db,
        processor=light_processor,
        model_check=lambda: (True, "test"),
        run_retention=False,
    )
    with TestClient(app) as c:
        with app.state.services.db.session() as s:
            _, secret = repo.create_api_token(s, "mairie", "admin")
        assert 'name="token"' not in c.get("/connexion").text
        page = c.post("/connexion", data={"token": secret}, headers=SAME_ORIGIN)
        assert page.status_code == 403 and c.cookies.get("asr_session") is None
        # machines keep their Bearer tokens
        bearer = {"Authorization": f"Bearer {secret}"}
        assert c.get("/api/v1/meetings", headers=bearer).status_code == 200
    db.dispose()
