"""The clerk's review of the minutes over the API: every step makes an audited version, stale
steps are refused, validation freezes a version that downloads then carry, and a regeneration
after a transcript correction appends a new draft without touching the validated version.

Runs on SQLite and PostgreSQL (the ``api`` fixture). Minutes are seeded through storage; the
regeneration uses a rule-based stand-in for the LLM (``rule_minutes``), so no model runs here.
"""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest
from odf import teletype
from odf.opendocument import load as load_odt
from odf.text import P
from pypdf import PdfReader

from asr_service.storage import repository as repo
from asr_service.transcript import Transcript
from summarizer.schema import Action, Decision, Minutes, SourceRef
from tests.api.conftest import ApiHarness, sample_minutes, sample_transcript

MID = "cm-2026-11-28"
BASE = f"/api/v1/meetings/{MID}"
VALIDATED = re.compile(r"Validé par mairie-clerk le \d{2}/\d{2}/\d{4} à \d{2}:\d{2}")


def review(api: ApiHarness, role: str = "clerk") -> dict[str, Any]:
    response = api.client.get(f"{BASE}/minutes/review", headers=api.auth("mairie", role))
    assert response.status_code == 200, response.text
    return response.json()


def corrected_action(base_version: int) -> dict[str, Any]:
    return {
        "base_version": base_version,
        "actions": [
            {
                "task": "Transmettre le dossier à la préfecture",
                "owner": "Mme Durand",
                "due": "15/01/2027",
                "segment_ids": [4],
            }
        ],
        "comment": "Responsable et échéance corrigés",
    }


def audit_actions(api: ApiHarness) -> list[str]:
    with api.services.db.session() as s:
        return [e.action for e in reversed(repo.list_audit(s, "mairie", limit=1000))]


def odt_text(content: bytes) -> str:
    document = load_odt(io.BytesIO(content))
    return "\n".join(teletype.extractText(p) for p in document.getElementsByType(P))


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def download(api: ApiHarness, fmt: str, **params: Any) -> str:
    response = api.client.get(
        f"{BASE}/minutes", params={"format": fmt, **params}, headers=api.auth()
    )
    assert response.status_code == 200, response.text
    if fmt == "odt":
        return odt_text(response.content)
    if fmt == "docx":
        return docx_text(response.content)
    if fmt == "pdf":
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode("utf-8")


def validate_as_clerk(api: ApiHarness) -> dict[str, Any]:
    """Reject the one point to check, then validate; returns the review state."""
    state = review(api)
    rejected = api.client.post(
        f"{BASE}/minutes/review/points/1",
        json={"base_version": state["current"]["number"], "decision": "reject"},
        headers=api.auth(),
    )
    assert rejected.status_code == 200, rejected.text
    number = rejected.json()["current"]["number"]
    validated = api.client.post(
        f"{BASE}/minutes/review/validate", json={"base_version": number}, headers=api.auth()
    )
    assert validated.status_code == 200, validated.text
    return validated.json()


def test_generated_minutes_are_version_one_and_scoped_to_the_tenant(api: ApiHarness) -> None:
    api.seed_meeting("mairie", MID)
    state = review(api)
    assert state["current"]["number"] == 1
    assert state["current"]["status"] == "draft"
    assert state["current"]["author"] == repo.SERVICE_AUTHOR
    seeded = sample_minutes(MID).model_dump(mode="json", exclude={"generation"})
    assert {k: v for k, v in state["current"]["minutes"].items() if k != "generation"} == seeded
    assert state["validated"] is None and state["validation"] is None
    assert state["points_to_check"] == 1
    assert [v["number"] for v in state["versions"]] == [1]
    # another tenant, an unknown meeting, no token
    other = api.client.get(f"{BASE}/minutes/review", headers=api.auth("prefecture"))
    assert other.status_code == 404
    edit = api.client.patch(
        f"{BASE}/minutes/review", json=corrected_action(1), headers=api.auth("prefecture")
    )
    assert edit.status_code == 404
    unknown = api.client.get("/api/v1/meetings/nope/minutes/review", headers=api.auth())
    assert unknown.status_code == 404
    assert api.client.get(f"{BASE}/minutes/review").status_code == 401
    # a meeting without minutes yet
    api.seed_meeting("mairie", "sans-cr", with_outputs=False)
    empty = api.client.get("/api/v1/meetings/sans-cr/minutes/review", headers=api.auth())
    assert empty.status_code == 404 and "compte rendu" in empty.json()["detail"]


def test_an_edit_makes_a_reviewed_version_citing_the_transcript(api: ApiHarness) -> None:
    api.seed_meeting("mairie", MID)
    response = api.client.patch(
        f"{BASE}/minutes/review", json=corrected_action(1), headers=api.auth()
    )
    assert response.status_code == 200, response.text
    state = response.json()
    current = state["current"]
    assert (current["number"], current["status"], current["based_on"]) == (2, "reviewed", 1)
    assert current["author_name"] == "mairie-clerk"
    assert current["summary"] == "Responsable et échéance corrigés"
    assert current["changes"] == [
        "Action 1, responsable : « M. Bernard » → « Mme Durand »",
        "Action 1, échéance : « avant le 15 décembre » → « 15/01/2027 »",
    ]
    action = current["minutes"]["actions"][0]
    assert (action["owner"], action["due"]) == ("Mme Durand", "15/01/2027")
    # the citation is rebuilt from the stored transcript: its time, speaker and words
    segment = sample_transcript(MID).segments[4]
    assert action["sources"] == [
        {"segment_id": 4, "start": segment.start, "end": segment.end, "speaker": "Mme Durand",
         "text": segment.text}
    ]  # fmt: skip
    # fields left out are kept
    assert (
        current["minutes"]["decisions"] == sample_minutes(MID).model_dump(mode="json")["decisions"]
    )
    # version 1 is unchanged
    first = api.client.get(f"{BASE}/minutes/versions/1", headers=api.auth()).json()
    assert first["minutes"]["actions"][0]["owner"] == "M. Bernard"
    assert first["status"] == "draft"
    # an edit that changes nothing makes no version
    again = api.client.patch(f"{BASE}/minutes/review", json=corrected_action(2), headers=api.auth())
    assert again.json()["current"]["number"] == 2
    with api.services.db.session() as s:
        entries = [e for e in repo.list_audit(s, "mairie") if e.action == "minutes.edited"]
    assert len(entries) == 1
    assert entries[0].target == MID and entries[0].actor.startswith("token:")
    assert entries[0].detail["version"] == 2 and entries[0].detail["based_on"] == 1
    assert "Action 1, échéance" in entries[0].detail["changes"][1]


def test_every_editable_part_and_its_errors(api: ApiHarness) -> None:
    api.seed_meeting("mairie", MID)
    body = {
        "base_version": 1,
        "title": "Conseil municipal — séance du 28 novembre",
        "participants": [{"name": "Mme Durand", "role": "maire"}, {"name": "M. Bernard"},
                         {"name": "Mme Roux", "role": "secrétaire de séance"}],
        "topics": [{"title": "Rénovation de l'école", "summary": "Le devis est présenté."}],
        "decisions": [{"text": "Le devis Martin est approuvé.", "segment_ids": [3, 2]}],
        "actions": [],
    }  # fmt: skip
    response = api.client.patch(f"{BASE}/minutes/review", json=body, headers=api.auth())
    assert response.status_code == 200, response.text
    minutes = response.json()["current"]["minutes"]
    changes = response.json()["current"]["changes"]
    assert minutes["title"] == body["title"]
    assert [p["name"] for p in minutes["participants"]][-1] == "Mme Roux"
    assert minutes["topics"][0]["summary"] == "Le devis est présenté."
    assert minutes["topics"][0]["segment_ids"] == [1, 2]  # kept from the generated topic
    assert [s["segment_id"] for s in minutes["decisions"][0]["sources"]] == [3, 2]
    assert minutes["actions"] == []
    assert any(c.startswith("Titre :") for c in changes)
    assert any(c.startswith("Action 1 supprimée") for c in changes)
    # a step made on an older version is refused, naming both versions
    stale = api.client.patch(f"{BASE}/minutes/review", json=corrected_action(1), headers=api.auth())
    assert stale.status_code == 409
    assert "version 1" in stale.json()["detail"] and "2" in stale.json()["detail"]
    # a citation of a segment that does not exist
    bad = corrected_action(2)
    bad["actions"][0]["segment_ids"] = [99]
    response = api.client.patch(f"{BASE}/minutes/review", json=bad, headers=api.auth())
    assert response.status_code == 422 and "99" in response.json()["detail"]
    # an action without any citation, an empty task
    bad["actions"][0]["segment_ids"] = []
    assert (
        api.client.patch(f"{BASE}/minutes/review", json=bad, headers=api.auth()).status_code == 422
    )
    bad["actions"][0].update(segment_ids=[4], task="")
    assert (
        api.client.patch(f"{BASE}/minutes/review", json=bad, headers=api.auth()).status_code == 422
    )
    assert review(api)["current"]["number"] == 2  # nothing was written by the refused edits


def test_points_to_check_are_accepted_or_rejected(api: ApiHarness) -> None:
    api.seed_meeting("mairie", MID)
    point = f"{BASE}/minutes/review/points/1"
    # the point cites nothing: accepting it needs the segments that establish it
    response = api.client.post(
        point, json={"base_version": 1, "decision": "accept"}, headers=api.auth()
    )
    assert response.status_code == 422 and "segments" in response.json()["detail"]
    response = api.client.post(
        point, json={"base_version": 1, "decision": "accept", "segment_ids": [2]},
        headers=api.auth(),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    state = response.json()
    actions = state["current"]["minutes"]["actions"]
    assert actions[-1]["task"] == "Relancer l'entreprise"
    assert [s["segment_id"] for s in actions[-1]["sources"]] == [2]
    assert state["current"]["minutes"]["to_check"] == [] and state["points_to_check"] == 0
    assert state["current"]["changes"] == ["Point accepté : « Relancer l'entreprise »"]
    # numbered from 1; a number past the list is a 404
    missing = api.client.post(
        f"{BASE}/minutes/review/points/5", json={"base_version": 2, "decision": "reject"},
        headers=api.auth(),
    )  # fmt: skip
    assert missing.status_code == 404

    api.seed_meeting("mairie", "codir-12")
    response = api.client.post(
        "/api/v1/meetings/codir-12/minutes/review/points/1",
        json={"base_version": 1, "decision": "reject", "comment": "Non évoqué en séance"},
        headers=api.auth(),
    )
    assert response.status_code == 200, response.text
    current = response.json()["current"]
    assert current["minutes"]["to_check"] == [] and current["summary"] == "Non évoqué en séance"
    assert current["changes"][0].startswith("Point rejeté : « Relancer l'entreprise »")
    assert len(current["minutes"]["actions"]) == 1  # a rejected point joins nothing
    # the history keeps the rejected point in version 1
    first = api.client.get("/api/v1/meetings/codir-12/minutes/versions/1", headers=api.auth())
    assert first.json()["minutes"]["to_check"][0]["text"] == "Relancer l'entreprise"
    assert {"minutes.point_accepted", "minutes.point_rejected"} <= set(audit_actions(api))


def test_validation_records_who_and_when_and_queues_the_bus_event(api: ApiHarness) -> None:
    api.seed_meeting("mairie", MID)
    # points à vérifier still undecided: refused
    pending = api.client.post(
        f"{BASE}/minutes/review/validate", json={"base_version": 1}, headers=api.auth()
    )
    assert pending.status_code == 409 and "point(s) à vérifier" in pending.json()["detail"]
    state = validate_as_clerk(api)
    current = state["current"]
    assert (current["number"], current["status"], current["based_on"]) == (3, "validated", 2)
    assert state["validated"]["number"] == 3
    assert VALIDATED.fullmatch(state["validation"]), state["validation"]
    # validating again is refused; the validated version stays
    again = api.client.post(
        f"{BASE}/minutes/review/validate", json={"base_version": 3}, headers=api.auth()
    )
    assert again.status_code == 409
    with api.services.db.session() as s:
        entry = next(e for e in repo.list_audit(s, "mairie") if e.action == "minutes.validated")
        assert entry.detail["version"] == 3 and entry.target == MID
        outbox = repo.pending_outbox(s)
        assert [o.subject for o in outbox] == [f"meetings.mairie.{MID}.minutes_validated"]
        assert outbox[0].msg_id == f"mairie.{MID}.minutes.v3"
        assert outbox[0].payload["version"] == 3
        assert outbox[0].payload["validated_by"] == "mairie-clerk"
        assert outbox[0].payload["actions"] == 1


def test_downloads_say_projet_until_validated_then_carry_the_validated_version(
    api: ApiHarness,
) -> None:
    api.seed_meeting("mairie", MID)
    for fmt in ("odt", "docx", "pdf", "md"):
        text = download(api, fmt)
        assert "Projet (version 1)" in text, fmt
        assert "Validé par" not in text
    edited = api.client.patch(
        f"{BASE}/minutes/review", json=corrected_action(1), headers=api.auth()
    )
    assert edited.status_code == 200
    assert "Mme Durand" in download(api, "docx") and "Projet (version 2)" in download(api, "docx")
    state = validate_as_clerk(api)
    label = state["validation"]
    for fmt in ("odt", "docx", "pdf", "md"):
        text = download(api, fmt)
        assert label in text, fmt
        assert "Projet" not in text, fmt
        assert "15/01/2027" in text, fmt
    response = api.client.get(f"{BASE}/minutes", params={"format": "json"}, headers=api.auth())
    assert response.headers["X-Minutes-Version"] == str(state["validated"]["number"]) == "4"
    assert response.headers["X-Minutes-Status"] == "validated"
    assert response.json()["actions"][0]["owner"] == "Mme Durand"
    # an older version on demand, marked as a draft; an unknown one is a 404
    old = download(api, "docx", version=1)
    assert "Projet (version 1)" in old and "M. Bernard" in old
    assert (
        api.client.get(
            f"{BASE}/minutes", params={"format": "odt", "version": 9}, headers=api.auth()
        ).status_code
        == 404
    )
    with api.services.db.session() as s:
        downloads = [e.detail for e in repo.list_audit(s, "mairie")
                     if e.action == "minutes.downloaded"]  # fmt: skip
    assert {"format": "odt", "version": 4, "status": "validated"} in downloads


def rule_minutes(transcript: Transcript, title: str | None) -> Minutes:
    """A stand-in for the LLM: a decision per « approuve », an action per « transmettra »."""

    def ref(i: int) -> SourceRef:
        seg = transcript.segments[i]
        name = transcript.speaker_name(seg.speaker)
        return SourceRef(segment_id=seg.id, start=seg.start, end=seg.end, speaker=name,
                         text=seg.text)  # fmt: skip

    return Minutes(
        title=title or "Compte rendu",
        decisions=[
            Decision(text=s.text, sources=[ref(i)])
            for i, s in enumerate(transcript.segments)
            if "approuve" in s.text
        ],
        actions=[
            Action(task=s.text, sources=[ref(i)])
            for i, s in enumerate(transcript.segments)
            if "transmettra" in s.text
        ],
    )


def test_regeneration_after_a_correction_never_overwrites_the_validated_version(
    api: ApiHarness,
) -> None:
    api.seed_meeting("mairie", MID)
    api.client.patch(f"{BASE}/minutes/review", json=corrected_action(1), headers=api.auth())
    state = validate_as_clerk(api)
    validated_number = state["validated"]["number"]
    validated_minutes = state["current"]["minutes"]

    corrected = "Mme Roux transmettra le dossier à la préfecture avant le 10 janvier."
    response = api.client.patch(
        f"{BASE}/transcript/segments/4", json={"text": corrected}, headers=api.auth()
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"segment_id": 4, "kind": "final", "text": corrected}
    transcript = api.client.get(f"{BASE}/transcript", headers=api.auth()).json()
    assert transcript["segments"][4]["text"] == corrected
    missing = api.client.patch(
        f"{BASE}/transcript/segments/77", json={"text": "x"}, headers=api.auth()
    )
    assert missing.status_code == 404

    assert api.services.regenerations is not None
    api.services.regenerations.generator = rule_minutes
    response = api.client.post(f"{BASE}/minutes/regenerate", headers=api.auth())
    assert response.status_code == 202, response.text
    api.services.regenerations.wait(timeout=30)

    state = review(api)
    current = state["current"]
    assert current["number"] == validated_number + 1
    assert (current["status"], current["author"]) == ("draft", repo.SERVICE_AUTHOR)
    assert current["minutes"]["actions"][0]["task"] == corrected
    # the validated version is untouched and still the one downloads carry
    assert state["validated"]["number"] == validated_number
    frozen = api.client.get(f"{BASE}/minutes/versions/{validated_number}", headers=api.auth())
    assert frozen.json()["minutes"] == validated_minutes
    assert frozen.json()["status"] == "validated"
    text = download(api, "docx")
    assert state["validation"] in text and "Mme Durand" in text and corrected not in text
    # the new draft on demand says so
    assert "Projet" in download(api, "docx", version=current["number"])
    steps = audit_actions(api)
    for step in ("minutes.edited", "minutes.point_rejected", "minutes.validated",
                 "transcript.corrected", "minutes.regeneration_requested",
                 "minutes.regenerated"):  # fmt: skip
        assert step in steps, step
    assert steps.index("transcript.corrected") < steps.index("minutes.regenerated")


def test_a_failed_regeneration_is_audited_and_changes_nothing(api: ApiHarness) -> None:
    api.seed_meeting("mairie", MID)

    def broken(transcript: Transcript, title: str | None) -> Minutes:
        raise RuntimeError("modèle indisponible")

    assert api.services.regenerations is not None
    api.services.regenerations.generator = broken
    assert api.client.post(f"{BASE}/minutes/regenerate", headers=api.auth()).status_code == 202
    api.services.regenerations.wait(timeout=30)
    assert review(api)["current"]["number"] == 1
    with api.services.db.session() as s:
        failed = [e for e in repo.list_audit(s, "mairie")
                  if e.action == "minutes.regeneration_failed"]  # fmt: skip
    assert len(failed) == 1 and "modèle indisponible" in failed[0].detail["error"]


@pytest.mark.parametrize("role", ["clerk", "backend", "admin"])
def test_every_role_from_clerk_up_may_review(api: ApiHarness, role: str) -> None:
    api.seed_meeting("mairie", MID)
    response = api.client.patch(
        f"{BASE}/minutes/review", json=corrected_action(1), headers=api.auth("mairie", role)
    )
    assert response.status_code == 200
    assert response.json()["current"]["author_name"] == f"mairie-{role}"


def test_the_review_is_in_the_openapi_document(api: ApiHarness) -> None:
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in (
        ("/api/v1/meetings/{meeting_id}/minutes/review", "get"),
        ("/api/v1/meetings/{meeting_id}/minutes/review", "patch"),
        ("/api/v1/meetings/{meeting_id}/minutes/review/points/{number}", "post"),
        ("/api/v1/meetings/{meeting_id}/minutes/review/validate", "post"),
        ("/api/v1/meetings/{meeting_id}/minutes/regenerate", "post"),
        ("/api/v1/meetings/{meeting_id}/minutes/versions/{number}", "get"),
        ("/api/v1/meetings/{meeting_id}/transcript/segments/{segment_id}", "patch"),
    ):
        operation = paths[path][method]
        assert operation["tags"] == ["relecture"] and operation["summary"], path
    assert (
        "409" in paths["/api/v1/meetings/{meeting_id}/minutes/review/validate"]["post"]["responses"]
    )
    assert "example" in spec["components"]["schemas"]["MinutesEdit"]


def test_the_page_forms_edit_decide_and_validate(api: ApiHarness) -> None:
    """The review panel without a browser: the same forms a clerk submits (no JavaScript)."""
    api.seed_meeting("mairie", MID)
    client = api.client
    same_origin = {"Origin": "http://testserver"}  # what a browser sends with a form
    signed_in = client.post(
        "/connexion", data={"token": api.tokens[("mairie", "clerk")]}, headers=same_origin
    )
    assert signed_in.status_code == 200, signed_in.text
    try:
        page = client.get(f"/reunions/{MID}")
        assert page.status_code == 200
        html = page.text
        assert 'id="relecture"' in html and "Projet (version 1)" in html
        assert "M. Bernard transmettra le dossier" in html  # the cited turn beside the action
        form = {
            "base_version": "1",
            "title": "Conseil municipal du 28 novembre",
            "participant-0-name": "Mme Durand", "participant-0-role": "maire",
            "participant-0-speaker": "S1",
            "participant-1-name": "M. Bernard", "participant-1-role": "",
            "participant-1-speaker": "S2",
            "participant-2-name": "", "participant-2-role": "",
            "topic-0-title": "Rénovation de l'école",
            "topic-0-summary": "Le devis de l'entreprise Martin, de 120 000 euros, est présenté.",
            "topic-0-segments": "1, 2",
            "decision-0-text": "Le devis de l'entreprise Martin est approuvé à l'unanimité.",
            "decision-0-segments": "3",
            "action-0-task": "Transmettre le dossier à la préfecture",
            "action-0-owner": "Mme Durand", "action-0-due": "15/01/2027",
            "action-0-segments": "4",
            "comment": "",
        }  # fmt: skip
        response = client.post(
            f"/reunions/{MID}/relecture/modifier",
            data=form,
            headers=same_origin,
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert "message=" in response.headers["location"]
        state = review(api)
        assert state["current"]["number"] == 2
        assert state["current"]["changes"] == [
            "Action 1, responsable : « M. Bernard » → « Mme Durand »",
            "Action 1, échéance : « avant le 15 décembre » → « 15/01/2027 »",
        ]
        # a stale form comes back with the reason, nothing written
        response = client.post(
            f"/reunions/{MID}/relecture/modifier", data=form, headers=same_origin
        )
        assert "version actuelle est la 2" in response.text and 'role="alert"' in response.text
        # bad segment numbers
        response = client.post(
            f"/reunions/{MID}/relecture/modifier",
            data={**form, "base_version": "2", "action-0-segments": "quatre"},
            headers=same_origin,
        )
        assert "Numéros de segments invalides" in response.text
        response = client.post(
            f"/reunions/{MID}/relecture/points/1",
            data={"base_version": "2", "decision": "reject"},
            headers=same_origin,
        )
        assert "Point rejeté." in response.text
        response = client.post(
            f"/reunions/{MID}/relecture/valider", data={"base_version": "3"}, headers=same_origin
        )
        assert "Compte rendu validé." in response.text
        assert VALIDATED.search(response.text)
        assert review(api)["validated"]["number"] == 4
    finally:
        client.cookies.clear()
    # signed out: the forms send to the sign-in page
    response = client.post(
        f"/reunions/{MID}/relecture/valider",
        data={"base_version": "4"},
        headers=same_origin,
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/connexion"


def test_deleting_a_reviewed_meeting_removes_its_versions(api: ApiHarness) -> None:
    api.seed_meeting("mairie", MID)
    validate_as_clerk(api)
    deleted = api.client.delete(BASE, headers=api.auth("mairie", "backend"))
    assert deleted.status_code == 200, deleted.text
    assert api.client.get(f"{BASE}/minutes/review", headers=api.auth()).status_code == 404
    from sqlalchemy import func, select

    from asr_service.storage.models import MinutesVersion

    with api.services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(MinutesVersion)) == 0
        # the bus event of the validation is kept: it announces something that happened
        assert len(repo.pending_outbox(s)) == 1


def test_the_page_corrects_the_transcript_then_regenerates_a_draft(api: ApiHarness) -> None:
    """The correction form under a transcript turn, then « Régénérer »: a new draft version."""
    api.seed_meeting("mairie", MID)
    client = api.client
    same_origin = {"Origin": "http://testserver"}
    client.post("/connexion", data={"token": api.tokens[("mairie", "clerk")]}, headers=same_origin)
    assert api.services.regenerations is not None
    api.services.regenerations.generator = rule_minutes
    corrected = "Mme Roux transmettra le dossier à la préfecture avant le 10 janvier."
    try:
        page = client.get(f"/reunions/{MID}").text
        assert 'action="/reunions/cm-2026-11-28/relecture/segments/4"' in page
        response = client.post(
            f"/reunions/{MID}/relecture/segments/4",
            data={"text": corrected},
            headers=same_origin,
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"].endswith("#t-4")
        page = client.get(response.headers["location"]).text
        assert "Segment 4 corrigé" in page and corrected in page
        empty = client.post(
            f"/reunions/{MID}/relecture/segments/4", data={"text": " "}, headers=same_origin
        )
        assert "de 1 à 10 000 caractères" in empty.text
        unknown = client.post(
            f"/reunions/{MID}/relecture/segments/99", data={"text": "x"}, headers=same_origin
        )
        assert "Segment 99 introuvable" in unknown.text
        response = client.post(f"/reunions/{MID}/relecture/regenerer", headers=same_origin)
        assert "Régénération lancée" in response.text
        api.services.regenerations.wait(timeout=30)
        state = review(api)
        assert [v["number"] for v in state["versions"]] == [2, 1]
        assert state["current"]["minutes"]["actions"][0]["task"] == corrected
        assert state["current"]["summary"] == "Compte rendu régénéré automatiquement"
    finally:
        client.cookies.clear()
    with api.services.db.session() as s:
        corrections = [e.detail for e in repo.list_audit(s, "mairie")
                       if e.action == "transcript.corrected"]  # fmt: skip
    assert corrections == [
        {"segment_id": 4, "kind": "final", "before": sample_transcript(MID).segments[4].text,
         "after": corrected}
    ]  # fmt: skip


def test_the_page_adds_an_action_from_its_blank_row(api: ApiHarness) -> None:
    api.seed_meeting("mairie", MID)
    client = api.client
    same_origin = {"Origin": "http://testserver"}
    client.post("/connexion", data={"token": api.tokens[("mairie", "clerk")]}, headers=same_origin)
    minutes = sample_minutes(MID)
    form = {
        "base_version": "1",
        "title": minutes.title,
        "participant-0-name": "Mme Durand", "participant-0-role": "maire",
        "participant-0-speaker": "S1",
        "participant-1-name": "M. Bernard", "participant-1-speaker": "S2",
        "topic-0-title": minutes.topics[0].title, "topic-0-summary": minutes.topics[0].summary,
        "topic-0-segments": "1, 2",
        "decision-0-text": minutes.decisions[0].text, "decision-0-segments": "3",
        "decision-1-text": "", "decision-1-segments": "",  # the blank « add » row, left blank
        "action-0-task": minutes.actions[0].task, "action-0-owner": "M. Bernard",
        "action-0-due": "avant le 15 décembre", "action-0-segments": "4",
        "action-1-task": "Demander un second devis", "action-1-owner": "Mme Durand",
        "action-1-due": "", "action-1-segments": "",
    }  # fmt: skip
    try:
        # a new action must cite the transcript
        response = client.post(
            f"/reunions/{MID}/relecture/modifier", data=form, headers=same_origin
        )
        assert "au moins un passage cité" in response.text
        response = client.post(
            f"/reunions/{MID}/relecture/modifier",
            data={**form, "action-1-segments": "2"},
            headers=same_origin,
        )
        assert "Modifications enregistrées." in response.text
    finally:
        client.cookies.clear()
    current = review(api)["current"]
    assert current["changes"] == ["Action 2 ajoutée : « Demander un second devis »"]
    added = current["minutes"]["actions"][1]
    assert (added["owner"], added["due"]) == ("Mme Durand", None)
    assert [s["segment_id"] for s in added["sources"]] == [2]
    assert len(current["minutes"]["decisions"]) == 1


def test_the_review_panel_names_anonymous_speakers_as_people_read_them(api: ApiHarness) -> None:
    """A diarized speaker without a name reads « Intervenant N » beside the item it supports."""
    transcript = sample_transcript("anonyme")
    transcript.speakers = []
    for segment in transcript.segments:
        segment.speaker = "SPEAKER_00" if segment.speaker == "S1" else "SPEAKER_01"
    minutes = sample_minutes("anonyme")
    for item in [*minutes.decisions, *minutes.actions]:
        item.sources = [s.model_copy(update={"speaker": "SPEAKER_00"}) for s in item.sources]
    minutes.to_check[0].segment_ids = [2]
    with api.services.db.session() as s:
        repo.create_meeting(s, "mairie", "anonyme", title="Réunion anonyme", status="done")
        repo.save_transcript(s, "mairie", "anonyme", "final", transcript)
        repo.save_minutes(s, "mairie", "anonyme", minutes.model_dump(mode="json"))
    client = api.client
    same_origin = {"Origin": "http://testserver"}
    client.post("/connexion", data={"token": api.tokens[("mairie", "clerk")]}, headers=same_origin)
    try:
        page = client.get("/reunions/anonyme").text
    finally:
        client.cookies.clear()
    panel = page[page.index('id="relecture"') : page.index('id="titre-transcription"')]
    assert "SPEAKER_0" not in panel
    assert "<strong>Intervenant 1</strong>" in panel  # beside the decision and the action
    assert "<strong>Intervenant 2</strong>" in panel  # beside the point à vérifier (segment 2)


def test_a_rerun_writing_the_same_words_makes_no_version(api: ApiHarness) -> None:
    """A worker takeover or a regeneration of an unchanged transcript re-saves the same minutes
    with a new generation time: the clerk's current version stays current."""
    api.seed_meeting("mairie", MID)
    edited = api.client.patch(
        f"{BASE}/minutes/review", json=corrected_action(1), headers=api.auth()
    )
    assert edited.json()["current"]["number"] == 2
    again = sample_minutes(MID)  # same words, a new GenerationInfo.created_at
    with api.services.db.session() as s:
        repo.save_minutes(s, "mairie", MID, again.model_dump(mode="json"))
    assert review(api)["current"]["number"] == 2
    changed = again.model_copy(update={"title": "Conseil municipal (régénéré)"})
    with api.services.db.session() as s:
        repo.save_minutes(s, "mairie", MID, changed.model_dump(mode="json"))
    state = review(api)
    assert (state["current"]["number"], state["current"]["status"]) == (3, "draft")
    assert state["current"]["summary"] == "Compte rendu régénéré automatiquement"


def test_one_regeneration_at_a_time_and_none_where_no_jobs_run(api: ApiHarness) -> None:
    import threading

    api.seed_meeting("mairie", MID)
    regenerations = api.services.regenerations
    assert regenerations is not None
    release = threading.Event()

    def slow(transcript: Transcript, title: str | None) -> Minutes:
        assert release.wait(30)
        return rule_minutes(transcript, title)

    regenerations.generator = slow
    url = f"{BASE}/minutes/regenerate"
    assert api.client.post(url, headers=api.auth()).status_code == 202
    assert review(api)["regenerating"] is True
    second = api.client.post(url, headers=api.auth())
    assert second.status_code == 409 and "déjà en cours" in second.json()["detail"]
    release.set()
    regenerations.wait(timeout=30)
    assert review(api)["regenerating"] is False
    # a process configured to run no jobs (ASR_API_JOB_WORKERS=0) regenerates nothing
    api.services.regenerations = None
    try:
        refused = api.client.post(url, headers=api.auth())
        assert refused.status_code == 503 and "ASR_API_JOB_WORKERS=0" in refused.json()["detail"]
    finally:
        api.services.regenerations = regenerations
