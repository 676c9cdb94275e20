"""Read a transcript to summarise: the service's JSON, or a clerk's plain-text turns.

Plain text is one turn per line, ``[HH:MM:SS] Speaker name: text`` (``[MM:SS]`` also accepted);
lines that do not start with a timestamp continue the previous turn; blank lines and ``#`` comments
are ignored. Speakers become :class:`~asr_service.transcript.Speaker` records whose id is a slug
of the name, so the minutes can name participants.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from pydantic import ValidationError

from asr_service.transcript import Segment, Speaker, Transcript

TURN_RE = re.compile(
    r"^\s*\[(?P<ts>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?)\]\s*(?P<speaker>[^:]{1,80}?)\s*:\s*(?P<text>.*)$"
)
# Speaking rate used to estimate the end of the last turn (words per second).
WORDS_PER_SECOND = 2.5


class TranscriptFormatError(ValueError):
    """The file is neither transcript JSON nor the ``[HH:MM:SS] Name: text`` format."""


def _seconds(ts: str) -> float:
    parts = [float(p.replace(",", ".")) for p in ts.split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def slugify(name: str) -> str:
    """A stable ASCII id for a speaker name (``"Mme Hélène Roux"`` → ``"mme-helene-roux"``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "locuteur"


def parse_clerk_text(text: str, *, source: str | None = None) -> Transcript:
    """Parse ``[HH:MM:SS] Speaker name: text`` turns into a :class:`Transcript`.

    Raises :class:`TranscriptFormatError` naming the first offending line when text appears before
    any timestamped turn.
    """
    turns: list[tuple[float, str, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = TURN_RE.match(line)
        if m:
            turns.append((_seconds(m["ts"]), m["speaker"].strip(), m["text"].strip()))
        elif turns:
            start, speaker, prev = turns[-1]
            turns[-1] = (start, speaker, f"{prev} {line}".strip())
        else:
            raise TranscriptFormatError(
                f"line {lineno}: expected '[HH:MM:SS] Speaker name: text', got {line[:60]!r}"
            )
    speakers: dict[str, Speaker] = {}
    segments: list[Segment] = []
    for i, (start, name, words) in enumerate(turns):
        sid = slugify(name)
        speakers.setdefault(sid, Speaker(id=sid, name=name))
        if i + 1 < len(turns) and turns[i + 1][0] > start:
            end = turns[i + 1][0]
        else:
            end = start + max(1.0, len(words.split()) / WORDS_PER_SECOND)
        segments.append(Segment(id=i, start=start, end=end, text=words, speaker=sid))
    duration = segments[-1].end if segments else 0.0
    return Transcript(
        segments=segments, speakers=list(speakers.values()), duration=duration, source=source
    )


def load_transcript(path: str | Path) -> Transcript:
    """Load a transcript from ``path``: service JSON (``Transcript``) or clerk plain text.

    JSON is recognised by its opening ``{`` (or ``[{``, a bare list of segments); anything else
    is parsed as clerk text.
    Raises :class:`FileNotFoundError` or :class:`TranscriptFormatError` with a readable message.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"transcript not found: {p}")
    raw = p.read_text(encoding="utf-8-sig")
    if re.match(r"\s*(\{|\[\s*[{\]])", raw):  # an object, or a list of segment objects
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise TranscriptFormatError(f"{p}: invalid JSON ({exc})") from exc
        if isinstance(data, list):  # a bare list of segments
            data = {"segments": data}
        try:
            return Transcript.model_validate(data)
        except ValidationError as exc:
            raise TranscriptFormatError(f"{p}: not a transcript JSON: {exc}") from exc
    return parse_clerk_text(raw, source=str(p))
