"""Transcript renderers: JSON (complete), TXT (readable), SRT and WebVTT (subtitles).

Speakers appear when the transcript has them: ``Name: text`` in TXT/SRT, ``<v Name>`` voice
spans in WebVTT. Renderers return strings so HTTP downloads and files share one code path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from asr_service.transcript import Segment, Transcript

FORMATS = ("json", "txt", "srt", "vtt")


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _hms(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _label(transcript: Transcript, seg: Segment) -> str | None:
    return transcript.speaker_name(seg.speaker)


def render_json(transcript: Transcript) -> str:
    """The complete transcript (segments, words, speakers, model, settings) as JSON."""
    return transcript.model_dump_json(indent=2)


def render_txt(transcript: Transcript) -> str:
    """One line per segment: ``[HH:MM:SS] Speaker: text`` (the clerk's plain-text format)."""
    lines = []
    for seg in transcript.segments:
        who = _label(transcript, seg)
        prefix = f"[{_hms(seg.start)}] " + (f"{who}: " if who else "")
        lines.append(prefix + seg.text.strip())
    return "\n".join(lines) + ("\n" if lines else "")


def render_srt(transcript: Transcript) -> str:
    """SubRip subtitles, one cue per segment."""
    cues = []
    for i, seg in enumerate(transcript.segments, start=1):
        who = _label(transcript, seg)
        text = (f"{who}: " if who else "") + seg.text.strip()
        cues.append(f"{i}\n{_clock(seg.start, ',')} --> {_clock(seg.end, ',')}\n{text}\n")
    return "\n".join(cues)


def render_vtt(transcript: Transcript) -> str:
    """WebVTT subtitles with voice spans for speakers."""
    out = ["WEBVTT", ""]
    for seg in transcript.segments:
        who = _label(transcript, seg)
        text = seg.text.strip().replace("-->", "→")
        if who:
            text = f"<v {who}>{text}"
        out += [f"{_clock(seg.start, '.')} --> {_clock(seg.end, '.')}", text, ""]
    return "\n".join(out)


RENDERERS: dict[str, Callable[[Transcript], str]] = {
    "json": render_json,
    "txt": render_txt,
    "srt": render_srt,
    "vtt": render_vtt,
}

MEDIA_TYPES = {
    "json": "application/json",
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


def render(transcript: Transcript, fmt: str) -> str:
    """Render ``transcript`` in one of :data:`FORMATS`."""
    try:
        return RENDERERS[fmt](transcript)
    except KeyError:
        raise ValueError(
            f"unknown transcript format {fmt!r}; choose from {', '.join(FORMATS)}"
        ) from None


def write_all(
    transcript: Transcript, out_dir: Path, stem: str, formats: tuple[str, ...] = FORMATS
) -> dict[str, Path]:
    """Write the transcript in each format as ``<out_dir>/<stem>.<fmt>``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(render(transcript, fmt), encoding="utf-8")
        tmp.replace(path)
        paths[fmt] = path
    return paths
