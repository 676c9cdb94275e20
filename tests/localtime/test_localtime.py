"""Times people read are in the operator's time zone; days are typed JJ/MM/AAAA."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import docx
import pytest
from pydantic import ValidationError

from asr_service.config import Settings
from asr_service.documents import minutes_document, render, transcript_document
from asr_service.localtime import DAY_ERROR, format_datetime, parse_day
from asr_service.transcript import Segment, Transcript
from summarizer.schema import GenerationInfo, Minutes

WINTER = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # CET, UTC+1: already the 7th in Paris
SUMMER = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # CEST, UTC+2


def test_times_are_shown_in_paris_time_with_daylight_saving() -> None:
    assert format_datetime(WINTER) == "07/12/2026 00:30"
    assert format_datetime(SUMMER) == "02/07/2026 00:30"
    assert format_datetime(WINTER.replace(tzinfo=None)) == "07/12/2026 00:30"  # naive = UTC
    assert format_datetime(SUMMER, "America/Cayenne") == "01/07/2026 19:30"
    assert format_datetime(None) == "—"


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("06/12/2026", date(2026, 12, 6)),
        ("6/1/2026", date(2026, 1, 6)),
        (" 29/02/2028 ", date(2028, 2, 29)),
        ("2026-12-06", date(2026, 12, 6)),  # links written by scripts keep working
    ],
)
def test_days_are_read_in_the_french_format(typed: str, day: date) -> None:
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed", ["31/02/2026", "12/2026", "06-12-2026", "demain", "2026/12/06"])
def test_a_malformed_day_names_the_expected_format(typed: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_day(typed)
    assert str(err.value) == DAY_ERROR == "Date invalide : utilisez le format JJ/MM/AAAA."


def test_the_time_zone_setting_defaults_to_paris_and_rejects_unknown_zones(monkeypatch) -> None:
    monkeypatch.delenv("ASR_TIMEZONE", raising=False)
    assert Settings().timezone == "Europe/Paris"
    monkeypatch.setenv("ASR_TIMEZONE", "Indian/Reunion")
    assert Settings().timezone == "Indian/Reunion"
    monkeypatch.setenv("ASR_TIMEZONE", "Europe/Lutece")
    with pytest.raises(ValidationError, match="unknown time zone 'Europe/Lutece'"):
        Settings()


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_documents_date_themselves_in_the_operator_time_zone() -> None:
    transcript = Transcript(
        duration=5.0,
        created_at=WINTER,
        segments=[Segment(id=0, start=0.0, end=4.0, text="Bonjour.", speaker="SPEAKER_00")],
    )
    text = _docx_text(render(transcript_document(transcript), "docx"))
    assert "Transcrit le 07/12/2026 à 00:30" in text
    text = _docx_text(render(transcript_document(transcript, tz="America/Cayenne"), "docx"))
    assert "Transcrit le 06/12/2026 à 20:30" in text

    minutes = Minutes(title="Conseil", generation=GenerationInfo(created_at=SUMMER))
    assert "Généré le 02/07/2026 à 00:30" in minutes_document(minutes).plain_text()
