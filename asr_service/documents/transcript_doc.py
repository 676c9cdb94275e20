"""Lay out a transcript as a readable document: speaker turns with timestamps, in French.

Consecutive segments of the same speaker are merged into one turn, so the clerk reads
"[00:01:12] Mme Durand : ..." once per intervention rather than once per ASR segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from asr_service.documents.layout import Document, Paragraph, Run
from asr_service.localtime import DEFAULT_TIMEZONE, format_datetime_long
from asr_service.speakers import ANONYMOUS_LABEL, display_name, speaker_display
from asr_service.transcript import Transcript


def clock(seconds: float) -> str:
    """``HH:MM:SS`` for a time in seconds (what a clerk reads next to each turn)."""
    total = max(int(seconds), 0)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


@dataclass
class Turn:
    """One uninterrupted intervention of one speaker."""

    speaker: str
    start: float
    end: float
    text: str
    segment_ids: list[int]


def speaker_turns(transcript: Transcript) -> list[Turn]:
    """Merge consecutive segments of the same speaker.

    Speakers read as :func:`asr_service.speakers.display_name` writes them ("Intervenant 2" for
    ``SPEAKER_01``); a segment without any speaker reads "Intervenant".
    """
    turns: list[Turn] = []
    for seg in transcript.segments:
        text = seg.text.strip()
        if not text:
            continue
        name = speaker_display(transcript, seg.speaker) or ANONYMOUS_LABEL
        if turns and turns[-1].speaker == name:
            turns[-1].text += " " + text
            turns[-1].end = seg.end
            turns[-1].segment_ids.append(seg.id)
        else:
            turns.append(Turn(name, seg.start, seg.end, text, [seg.id]))
    return turns


def transcript_document(
    transcript: Transcript, *, title: str | None = None, tz: str | tzinfo = DEFAULT_TIMEZONE
) -> Document:
    """The transcript as a :class:`Document` ready for any renderer.

    Its date ("Transcrit le 06/12/2026 à 10:15") is in ``tz``, the operator's time zone
    (``Settings.timezone``).
    """
    heading = title or "Transcription"
    doc = Document(title=heading, subject="Transcription de réunion", language="fr-FR")
    doc.heading(heading, level=1)
    facts = [
        f"Transcrit le {format_datetime_long(transcript.created_at, tz)}",
        f"Durée : {clock(transcript.duration)}",
        f"Langue : {transcript.language}",
    ]
    speakers = [display_name(s.id, s.name) or s.id for s in transcript.speakers]
    if speakers:
        facts.append("Intervenants : " + ", ".join(speakers))
    doc.paragraph(Run(" — ".join(facts), italic=True))
    turns = speaker_turns(transcript)
    if not turns:
        doc.paragraph("Aucune parole n'a été transcrite.")
    for turn in turns:
        doc.blocks.append(
            Paragraph(
                (
                    Run(f"[{clock(turn.start)}] ", bold=False),
                    Run(f"{turn.speaker} : ", bold=True),
                    Run(turn.text),
                )
            )
        )
    return doc
