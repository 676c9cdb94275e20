"""Clerk pages over HTTP: sign-in, list, meeting page, cookie-authenticated downloads, a11y basics."""

from __future__ import annotations

from html.parser import HTMLParser

from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness


class FormAudit(HTMLParser):
    """Collects inputs/selects and the ``for`` targets of labels, and the page language."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labelled: set[str] = set()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a.get("id") or "<no id>")
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"] or "")


def audit_page(html: str) -> FormAudit:
    page = FormAudit()
    page.feed(html)
    assert page.lang == "fr"
    unlabelled = [c for c in page.controls if c not in page.labelled]
    assert unlabelled == [], f"form controls without a label: {unlabelled}"
    return page


def test_sign_in_list_and_meeting_page(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "cm-1", title="Conseil municipal du 28 novembre")
    api.seed_meeting("prefecture", "pref-1", title="Réunion de la préfecture")
    c = api.client

    assert c.get("/", follow_redirects=False).headers["location"] == "/connexion"
    assert c.get("/reunions", follow_redirects=False).headers["location"] == "/connexion"
    login = c.get("/connexion")
    assert login.status_code == 200 and "Jeton d'accès" in login.text
    audit_page(login.text)

    same_origin = {"Origin": "http://testserver"}  # what a browser sends with the form
    bad = c.post(
        "/connexion", data={"token": "asr_faux"}, headers=same_origin, follow_redirects=False
    )
    assert bad.status_code == 401 and "Jeton inconnu" in bad.text
    assert 'aria-invalid="true"' in bad.text

    ok = c.post(
        "/connexion",
        data={"token": api.tokens[("mairie", "clerk")]},
        headers=same_origin,
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/reunions"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert api.tokens[("mairie", "clerk")] not in cookie  # an opaque session id, not the token
    with api.services.db.session() as s:
        opened = [e for e in repo.list_audit(s, "mairie") if e.action == "session.opened"]
    assert len(opened) == 1  # audited once, by the session itself
    assert opened[0].detail == {"method": "token", "role": "clerk"}

    listing = c.get("/reunions")
    assert listing.status_code == 200
    assert "Conseil municipal du 28 novembre" in listing.text
    assert "préfecture" not in listing.text  # never another tenant's meeting
    audit_page(listing.text)
    assert "Aucune réunion" in c.get("/reunions?q=budget").text
    assert "Date invalide : utilisez le format JJ/MM/AAAA" in c.get("/reunions?du=31/02/2026").text
    assert "Date invalide" not in c.get("/reunions?du=28/11/2026").text  # the French format

    page = c.get("/reunions/cm-1")
    assert page.status_code == 200
    for text in (
        "Relevé de décisions",
        "Le devis de l&#39;entreprise Martin est approuvé à l&#39;unanimité.",
        "Mme Durand",
        "00:01:01",
        'href="/api/v1/meetings/cm-1/minutes?format=odt"',
    ):
        assert text in page.text, text
    assert c.get("/reunions/pref-1").status_code == 404

    # download links work with the session cookie alone
    docx = c.get("/api/v1/meetings/cm-1/minutes?format=docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"

    out = c.post("/deconnexion", headers=same_origin, follow_redirects=False)
    assert out.headers["location"] == "/connexion"
    c.cookies.clear()
    assert c.get("/reunions", follow_redirects=False).status_code == 303
    assert c.get("/static/style.css").status_code == 200
