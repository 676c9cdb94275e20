"""Clerk pages show times in the operator's time zone and read days typed JJ/MM/AAAA."""

from __future__ import annotations

from datetime import UTC, datetime

from asr_service.storage import repository as repo
from asr_service.transcript import Segment, Speaker, Transcript
from summarizer.schema import Action, Minutes, Participant, SourceRef
from tests.api.conftest import ApiHarness

CREATED = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 7 December, 00:30 in Paris (UTC+1)


def _section(page: str, heading_id: str) -> str:
    """The HTML of the page section labelled by the heading ``heading_id``."""
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start : page.index("</section>", start)]


def _sign_in(api: ApiHarness) -> None:
    ok = api.client.post(
        "/connexion",
        data={"token": api.tokens[("mairie", "clerk")]},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_pages_show_local_times_and_read_french_days(api: ApiHarness) -> None:
    api.seed_meeting("mairie", "cm-1")
    with api.services.db.session() as s:
        repo.get_meeting(s, "mairie", "cm-1").created_at = CREATED
    _sign_in(api)

    listing = api.client.get("/reunions").text
    assert "07/12/2026 00:30" in listing and "UTC" not in listing
    assert 'placeholder="JJ/MM/AAAA"' in listing
    page = api.client.get("/reunions/cm-1").text
    assert "07/12/2026 00:30" in page

    # 23:30 UTC on the 6th is the 7th in Paris: days typed are Paris days, in the API too.
    assert "Conseil municipal" in api.client.get("/reunions?du=07/12/2026&au=07/12/2026").text
    assert "Aucune réunion" in api.client.get("/reunions?du=01/12/2026&au=06/12/2026").text
    assert "Aucune réunion" in api.client.get("/reunions?du=01/01/2027").text
    found = api.client.get(
        "/api/v1/meetings?date_from=2026-12-07&date_to=2026-12-07", headers=api.auth()
    ).json()
    assert [m["meeting_id"] for m in found["items"]] == ["cm-1"]
    bad = api.client.get("/reunions?du=31/02/2026").text
    assert "Date invalide : utilisez le format JJ/MM/AAAA" in bad
    assert 'value="31/02/2026"' in bad  # what was typed stays in the field

    api.services.settings.timezone = "America/Cayenne"  # UTC-3
    assert "06/12/2026 20:30" in api.client.get("/reunions").text


def test_meeting_page_names_anonymous_speakers_intervenant_n(api: ApiHarness) -> None:
    transcript = Transcript(
        duration=20.0,
        speakers=[Speaker(id="SPEAKER_00"), Speaker(id="SPEAKER_01", name="Mme Durand")],
        segments=[
            Segment(id=0, start=0.0, end=5.0, text="Bonjour.", speaker="SPEAKER_00"),
            Segment(id=1, start=5.0, end=9.0, text="Le budget.", speaker="SPEAKER_01"),
            Segment(id=2, start=9.0, end=14.0, text="Adopté.", speaker="SPEAKER_02"),
        ],
    )
    minutes = Minutes(
        title="Conseil",
        participants=[Participant(name="SPEAKER_00", speaker_id="SPEAKER_00")],
        actions=[
            Action(
                task="Relancer le devis",
                owner="SPEAKER_02",
                sources=[SourceRef(segment_id=2, start=9.0, end=14.0, speaker="SPEAKER_02")],
            )
        ],
    )
    api.seed_meeting("mairie", "cm-2", with_outputs=False, status="done")
    with api.services.db.session() as s:
        repo.save_transcript(s, "mairie", "cm-2", "final", transcript)
        repo.save_minutes(s, "mairie", "cm-2", minutes.model_dump(mode="json"), "")
    _sign_in(api)

    page = api.client.get("/reunions/cm-2").text
    shown = _section(page, "titre-cr") + _section(page, "titre-transcription")
    assert shown.count("Intervenant 1") == 2  # the participant and the first turn
    assert "Mme Durand" in shown and shown.count("Intervenant 3") == 2  # action owner, turn
    assert "SPEAKER_" not in shown
    srt = api.client.get("/api/v1/meetings/cm-2/transcript?format=srt").text
    assert "Intervenant 1: Bonjour." in srt and "SPEAKER_" not in srt
    stored = api.client.get("/api/v1/meetings/cm-2/transcript?format=json").json()
    assert [s["speaker"] for s in stored["segments"]] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02"]
