"""Speaker turns: the result type of diarization, and the small operations on lists of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SpeakerTurn:
    """One stretch of time attributed to one speaker (seconds from the start of the audio)."""

    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return self.end - self.start


def speaker_label(index: int) -> str:
    """The anonymous label of the ``index``-th speaker: ``SPEAKER_00``, ``SPEAKER_01``..."""
    return f"SPEAKER_{index:02d}"


def merge_adjacent(turns: Iterable[SpeakerTurn], max_gap: float = 0.0) -> list[SpeakerTurn]:
    """Sorted turns where consecutive turns of one speaker closer than ``max_gap`` are joined."""
    out: list[SpeakerTurn] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        if turn.end <= turn.start:
            continue
        last = out[-1] if out else None
        if last and last.speaker == turn.speaker and turn.start - last.end <= max_gap:
            out[-1] = SpeakerTurn(last.start, max(last.end, turn.end), last.speaker)
        else:
            out.append(turn)
    return out


def relabel_by_first_appearance(turns: Iterable[SpeakerTurn]) -> list[SpeakerTurn]:
    """Turns whose labels are renamed ``SPEAKER_00``, ``SPEAKER_01``... in order of first speech.

    Stable labels make outputs comparable between runs and readable (the first voice heard is
    always SPEAKER_00).
    """
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    mapping: dict[str, str] = {}
    for turn in ordered:
        mapping.setdefault(turn.speaker, speaker_label(len(mapping)))
    return [SpeakerTurn(t.start, t.end, mapping[t.speaker]) for t in ordered]


def speakers_in_order(turns: Iterable[SpeakerTurn]) -> list[str]:
    """Distinct speaker labels in order of first appearance."""
    seen: dict[str, None] = {}
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        seen.setdefault(turn.speaker, None)
    return list(seen)
