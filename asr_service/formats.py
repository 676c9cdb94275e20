"""Transcript renderers: JSON (complete), TXT (readable), SRT and WebVTT (subtitles).

Speakers appear when the transcript has them: ``Name: text`` in TXT/SRT, ``<v Name>`` voice
spans in WebVTT, anonymous ones as "Intervenant N" (:mod:`asr_service.speakers`). SRT is written
by the ``srt`` library and WebVTT by ``webvtt-py``; this module only decides what a cue says and
makes it safe: a cue is one line, "-->" (the cue timing separator) becomes "→", and WebVTT text
and voice names have ``&``, ``<``, ``>`` escaped, so every cue parses back as written.
Renderers return strings so HTTP downloads and files share one code path.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import srt
import webvtt

from asr_service.speakers import speaker_display
from asr_service.transcript import Segment, Transcript

FORMATS = ("json", "txt", "srt", "vtt")


def _delta(seconds: float) -> timedelta:
    return timedelta(milliseconds=max(0, round(seconds * 1000)))


def _hms(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _label(transcript: Transcript, seg: Segment) -> str | None:
    return speaker_display(transcript, seg.speaker)


def _cue_text(text: str) -> str:
    """One line, without a cue timing separator: what a subtitle cue may safely hold."""
    return " ".join(text.replace("-->", "→").split())


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
    """SubRip subtitles, one cue per segment (written by the ``srt`` library)."""
    cues = []
    for i, seg in enumerate(transcript.segments, start=1):
        who = _label(transcript, seg)
        text = _cue_text((f"{who}: " if who else "") + seg.text)
        cues.append(
            srt.Subtitle(index=i, start=_delta(seg.start), end=_delta(seg.end), content=text)
        )
    return srt.compose(cues, reindex=False)


def render_vtt(transcript: Transcript) -> str:
    """WebVTT subtitles with voice spans for speakers (written by ``webvtt-py``)."""
    vtt = webvtt.WebVTT()
    for seg in transcript.segments:
        who = _label(transcript, seg)
        text = html.escape(_cue_text(seg.text), quote=False)
        if who:
            text = f"<v {html.escape(_cue_text(who), quote=False)}>{text}"
        vtt.captions.append(webvtt.Caption(_vtt_time(seg.start), _vtt_time(seg.end), text))
    return vtt.content


def _vtt_time(seconds: float) -> str:
    return srt.timedelta_to_srt_timestamp(_delta(seconds)).replace(",", ".")


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
        write_atomically(path, render(transcript, fmt).encode("utf-8"))
        paths[fmt] = path
    return paths


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed over it, so a reader (or a
    crash) never sees half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
