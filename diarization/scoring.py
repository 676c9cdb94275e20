"""Diarization error rate with pyannote.metrics (the ``diarization-eval`` extra).

Shared by the benchmark and the tests so that both score the same way: RTTM references, UEM
scored regions, overlap scored, DER reported with a 0.25 s collar and without collar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from diarization.turns import SpeakerTurn


def read_rttm(path: Path) -> list[SpeakerTurn]:
    """Speaker turns of an RTTM file (``SPEAKER <file> <chan> <start> <dur> ... <name> ...``)."""
    turns = []
    for line in Path(path).read_text().splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0] == "SPEAKER":
            start, dur = float(fields[3]), float(fields[4])
            turns.append(SpeakerTurn(start, start + dur, fields[7]))
    return turns


def read_uem(path: Path) -> list[tuple[float, float]]:
    """Scored regions of a UEM file (``<file> <chan> <start> <end>``)."""
    regions = []
    for line in Path(path).read_text().splitlines():
        fields = line.split()
        if len(fields) >= 4:
            regions.append((float(fields[2]), float(fields[3])))
    return regions


def to_annotation(turns: list[SpeakerTurn]) -> Any:
    """A pyannote.core ``Annotation`` of the turns."""
    from pyannote.core import Annotation, Segment

    annotation = Annotation()
    for i, turn in enumerate(turns):
        annotation[Segment(turn.start, turn.end), i] = turn.speaker
    return annotation


def der(
    reference: list[SpeakerTurn],
    hypothesis: list[SpeakerTurn],
    uem: list[tuple[float, float]] | None = None,
    *,
    collar: float = 0.25,
) -> dict[str, float]:
    """DER and its components (seconds) with overlap scored, inside ``uem`` when given."""
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
    kwargs: dict[str, Any] = {"detailed": True}
    if uem:
        kwargs["uem"] = Timeline([Segment(s, e) for s, e in uem])
    detail = metric(to_annotation(reference), to_annotation(hypothesis), **kwargs)
    return {
        "der": float(detail["diarization error rate"]),
        "total": float(detail["total"]),
        "missed": float(detail["missed detection"]),
        "false_alarm": float(detail["false alarm"]),
        "confusion": float(detail["confusion"]),
    }
