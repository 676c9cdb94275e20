"""Anonymous speakers read "Intervenant N" wherever people read; JSON keeps the stable IDs."""

from __future__ import annotations

import io

import docx

from asr_service.documents import minutes_document, render, transcript_document
from asr_service.speakers import display_name, humanise, humanise_minutes
from asr_service.transcript import Segment, Speaker, Transcript
from summarizer.render import render_markdown
from summarizer.schema import Action, Minutes, Participant, SourceRef


def _transcript() -> Transcript:
    return Transcript(
        duration=30.0,
        segments=[
            Segment(id=0, start=0.0, end=4.0, text="Bonjour.", speaker="SPEAKER_00"),
            Segment(id=1, start=5.0, end=9.0, text="Le budget.", speaker="SPEAKER_01"),
            Segment(id=2, start=10.0, end=14.0, text="Adopté.", speaker="SPEAKER_02"),
            Segment(id=3, start=15.0, end=19.0, text="Merci.", speaker="SPEAKER_00"),
        ],
        speakers=[
            Speaker(id="SPEAKER_00"),
            Speaker(id="SPEAKER_01", name="Mme Durand"),
            Speaker(id="SPEAKER_02"),
        ],
    )


def test_display_name_numbers_anonymous_ids_from_one_and_keeps_names() -> None:
    assert display_name("SPEAKER_00") == "Intervenant 1"
    assert display_name("SPEAKER_11") == "Intervenant 12"
    assert display_name("SPEAKER_01", "Mme Durand") == "Mme Durand"
    assert display_name("Salle B") == "Salle B"  # a client-given track label stays
    assert display_name(None) is None
    assert (
        humanise("SPEAKER_02 propose ; SPEAKER_02X reste")
        == "Intervenant 3 propose ; SPEAKER_02X reste"
    )


def test_docx_transcript_reads_intervenant_labels() -> None:
    content = render(transcript_document(_transcript(), title="Conseil"), "docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "Intervenant 1 : Bonjour." in text
    assert "Mme Durand : Le budget." in text
    assert "Intervenant 3 : Adopté." in text
    assert "Intervenants : Intervenant 1, Mme Durand, Intervenant 3" in text
    assert "SPEAKER_" not in text


def _minutes() -> Minutes:
    ref = SourceRef(segment_id=2, start=10.0, end=14.0, speaker="SPEAKER_02", text="Adopté.")
    return Minutes(
        title="Conseil",
        participants=[
            Participant(name="SPEAKER_00", speaker_id="SPEAKER_00"),
            Participant(name="Mme Durand", speaker_id="SPEAKER_01"),
        ],
        actions=[Action(task="Relancer le devis (SPEAKER_00)", owner="SPEAKER_02", sources=[ref])],
    )


def test_minutes_read_intervenant_labels_and_keep_ids_in_json() -> None:
    shown = humanise_minutes(_minutes())
    assert [p.name for p in shown.participants] == ["Intervenant 1", "Mme Durand"]
    assert [p.speaker_id for p in shown.participants] == ["SPEAKER_00", "SPEAKER_01"]
    assert shown.actions[0].owner == "Intervenant 3"
    assert shown.actions[0].task == "Relancer le devis (Intervenant 1)"
    assert shown.actions[0].sources[0].speaker == "Intervenant 3"
    assert "SPEAKER_00" in _minutes().model_dump_json()  # the stored minutes are unchanged

    text = minutes_document(_minutes()).plain_text()
    assert "- Intervenant 1" in text and "Intervenant 3" in text and "SPEAKER_" not in text
    markdown = render_markdown(_minutes())  # minutes.md, the Markdown download
    assert "- Intervenant 1" in markdown and "SPEAKER_" not in markdown
