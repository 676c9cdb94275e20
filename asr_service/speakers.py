"""How a speaker is shown to people: by name when known, else "Intervenant N".

Diarization labels anonymous speakers ``SPEAKER_00``, ``SPEAKER_01``... in order of first speech
(:mod:`diarization.turns`). Those stable IDs stay in JSON, on the bus and in storage; everything a
person reads (TXT, SRT, VTT, ODT/DOCX/PDF/Markdown documents, the clerk pages, the minutes) shows
"Intervenant N" instead, with **N = the ID's number + 1**. Numbering by the ID rather than by
position in what is shown keeps one speaker under one number in every format, page and excerpt
(a page showing only the end of a meeting still says "Intervenant 3" for ``SPEAKER_02``), and
since the IDs follow the order of first speech, "Intervenant 1" is the first voice heard.

Named participants keep their names; other labels (a per-track speaker name sent by the client)
are shown as they are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asr_service.transcript import Transcript
    from summarizer.schema import Minutes

ANONYMOUS_LABEL = "Intervenant"
ANONYMOUS_ID = re.compile(r"\bSPEAKER_(\d+)\b")
"""An anonymous diarization ID, whole (``SPEAKER_07``), wherever it appears in a text."""


def display_name(speaker_id: str | None, name: str | None = None) -> str | None:
    """What a person reads for a speaker: ``name`` if any, "Intervenant N" for ``SPEAKER_NN``.

    ``None`` (no speaker known) stays ``None`` so callers decide whether to print a label.
    """
    if name:
        return name
    if speaker_id is None:
        return None
    match = ANONYMOUS_ID.fullmatch(speaker_id)
    return f"{ANONYMOUS_LABEL} {int(match.group(1)) + 1}" if match else speaker_id


def speaker_display(transcript: Transcript, speaker_id: str | None) -> str | None:
    """The display name of ``speaker_id`` in ``transcript`` (its participant's name when known)."""
    if speaker_id is None:
        return None
    name = next((sp.name for sp in transcript.speakers if sp.id == speaker_id), None)
    return display_name(speaker_id, name)


def humanise(text: str) -> str:
    """``text`` with every anonymous ID written as "Intervenant N" (free text, e.g. minutes)."""
    return ANONYMOUS_ID.sub(lambda m: f"{ANONYMOUS_LABEL} {int(m.group(1)) + 1}", text)


def _humanise_value(value: object, key: str = "") -> object:
    if key.endswith("_id"):
        return value  # stable IDs (speaker_id, segment_id) are data, not text
    if isinstance(value, str):
        return humanise(value)
    if isinstance(value, list):
        return [_humanise_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _humanise_value(v, k) for k, v in value.items()}
    return value


def humanise_minutes(minutes: Minutes) -> Minutes:
    """A copy of ``minutes`` whose texts read "Intervenant N"; ``speaker_id`` fields are kept.

    The minutes keep the stable IDs as produced (the summarizer checks owners against them);
    this is applied where minutes are shown or written for people.
    """
    data = _humanise_value(minutes.model_dump(mode="json"))
    return type(minutes).model_validate(data)
