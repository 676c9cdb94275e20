"""Meetings: listing and search, detail with history, tenant isolation, roles, bad tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.api.conftest import ApiHarness


def test_list_is_tenant_scoped_and_searchable(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "cm-1", title="Conseil municipal de novembre")
    api.seed_meeting("mairie", "codir-2", title="Comité de direction", status="failed")
    api.seed_meeting("prefecture", "pref-1", title="Conseil municipal de la préfecture")

    r = api.client.get("/api/v1/meetings", headers=api.auth("mairie"))
    assert r.status_code == 200
    ids = [m["meeting_id"] for m in r.json()["items"]]
    assert sorted(ids) == ["cm-1", "codir-2"]  # never the prefecture's meeting
    first = {m["meeting_id"]: m for m in r.json()["items"]}["cm-1"]
    assert first["has_transcript"] and first["has_minutes"] and first["status"] == "done"

    by_title = api.client.get("/api/v1/meetings?q=CONSEIL", headers=api.auth("mairie")).json()
    assert [m["meeting_id"] for m in by_title["items"]] == ["cm-1"]
    by_status = api.client.get("/api/v1/meetings?status=failed", headers=api.auth("mairie"))
    assert [m["meeting_id"] for m in by_status.json()["items"]] == ["codir-2"]
    today = datetime.now(ZoneInfo("Europe/Paris")).date()  # days are read in ASR_TIMEZONE
    in_range = api.client.get(
        f"/api/v1/meetings?date_from={today - timedelta(days=1)}&date_to={today}",
        headers=api.auth("mairie"),
    ).json()
    assert len(in_range["items"]) == 2
    future = api.client.get(
        f"/api/v1/meetings?date_from={today + timedelta(days=2)}", headers=api.auth("mairie")
    ).json()
    assert future["items"] == []
    literal = api.client.get("/api/v1/meetings?q=100%25_", headers=api.auth("mairie")).json()
    assert literal["items"] == []  # % and _ are searched literally, not as SQL wildcards
    bad = api.client.get("/api/v1/meetings?status=bogus", headers=api.auth("mairie"))
    assert bad.status_code == 422


def test_detail_has_history_and_links(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "cm-1")
    r = api.client.get("/api/v1/meetings/cm-1", headers=api.auth("mairie"))
    assert r.status_code == 200
    body = r.json()
    assert [e["status"] for e in body["history"]] == ["live", "done"]
    assert body["downloads"]["minutes.odt"] == "/api/v1/meetings/cm-1/minutes?format=odt"
    assert "transcript.srt" in body["downloads"]


def test_unknown_and_foreign_meetings_are_the_same_404(api: ApiHarness) -> None:
    api.seed_meeting("prefecture", "pref-1")
    unknown = api.client.get("/api/v1/meetings/nope", headers=api.auth("mairie"))
    foreign = api.client.get("/api/v1/meetings/pref-1", headers=api.auth("mairie"))
    assert unknown.status_code == foreign.status_code == 404
    assert "introuvable" in foreign.json()["detail"]
    for path in ("transcript?format=txt", "minutes?format=docx"):
        r = api.client.get(f"/api/v1/meetings/pref-1/{path}", headers=api.auth("mairie", "admin"))
        assert r.status_code == 404
    r = api.client.delete("/api/v1/meetings/pref-1", headers=api.auth("mairie", "admin"))
    assert r.status_code == 404
    # still there for its owner
    assert (
        api.client.get("/api/v1/meetings/pref-1", headers=api.auth("prefecture")).status_code == 200
    )


def test_tokens_and_roles(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "cm-1")
    assert api.client.get("/api/v1/meetings").status_code == 401
    bad = api.client.get(
        "/api/v1/meetings", headers={"Authorization": "Bearer asr_not-a-real-token"}
    )
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"
    garbage = api.client.get("/api/v1/meetings", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert garbage.status_code == 401
    # clerk reads but may neither delete, upload nor administer
    assert api.client.get("/api/v1/meetings/cm-1", headers=api.auth()).status_code == 200
    assert api.client.delete("/api/v1/meetings/cm-1", headers=api.auth()).status_code == 403
    assert api.client.post("/api/v1/recordings", headers=api.auth()).status_code == 403
    assert api.client.get("/api/v1/tokens", headers=api.auth()).status_code == 403
    assert api.client.get("/api/v1/audit", headers=api.auth("mairie", "backend")).status_code == 403
    assert api.client.get("/api/v1/tokens", headers=api.auth("mairie", "admin")).status_code == 200


def test_admin_manages_tokens_and_reads_audit(api: ApiHarness) -> None:
    admin = api.auth("mairie", "admin")
    created = api.client.post(
        "/api/v1/tokens", json={"role": "clerk", "name": "Greffe"}, headers=admin
    )
    assert created.status_code == 201
    secret, token_id = created.json()["token"], created.json()["id"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/meetings", headers=headers).status_code == 200
    listed = api.client.get("/api/v1/tokens", headers=admin).json()
    assert any(t["id"] == token_id and "token" not in t for t in listed)
    # another tenant's admin cannot revoke it
    other = api.client.delete(f"/api/v1/tokens/{token_id}", headers=api.auth("prefecture", "admin"))
    assert other.status_code == 404
    assert api.client.delete(f"/api/v1/tokens/{token_id}", headers=admin).status_code == 200
    assert api.client.get("/api/v1/meetings", headers=headers).status_code == 401
    bad_role = api.client.post("/api/v1/tokens", json={"role": "root"}, headers=admin)
    assert bad_role.status_code == 422
    actions = [e["action"] for e in api.client.get("/api/v1/audit", headers=admin).json()]
    assert actions[:2] == ["token.revoked", "token.created"]
