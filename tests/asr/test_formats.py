"""Subtitle and text outputs parse back with independent libraries."""

from __future__ import annotations

import io

import srt
import webvtt

from asr_service.formats import render_srt, render_txt, render_vtt
from asr_service.transcript import Segment, Speaker, Transcript


def _transcript() -> Transcript:
    return Transcript(
        duration=3725.0,
        segments=[
            Segment(id=0, start=0.44, end=6.6, text="Bonjour à tous.", speaker="SPEAKER_00"),
            Segment(
                id=1,
                start=7.5,
                end=12.25,
                text="Merci --> Monsieur le Maire.",
                speaker="SPEAKER_01",
            ),
            Segment(
                id=2, start=3700.0, end=3724.5, text="La séance est levée.", speaker="SPEAKER_00"
            ),
        ],
        speakers=[Speaker(id="SPEAKER_00", name="Claire Martin"), Speaker(id="SPEAKER_01")],
    )


def test_srt_parses_back_with_times_and_speakers():
    cues = list(srt.parse(render_srt(_transcript())))
    assert len(cues) == 3
    assert cues[0].start.total_seconds() == 0.44 and cues[0].end.total_seconds() == 6.6
    assert cues[0].content == "Claire Martin: Bonjour à tous."
    assert cues[1].content.startswith("SPEAKER_01: ")
    assert cues[2].start.total_seconds() == 3700.0


def test_vtt_parses_back_with_voice_spans():
    captions = webvtt.from_buffer(io.StringIO(render_vtt(_transcript())))
    assert len(captions) == 3
    assert captions[2].start == "01:01:40.000"
    assert captions[0].voice == "Claire Martin"
    assert "-->" not in captions[1].raw_text


def test_txt_uses_the_clerk_line_format():
    lines = render_txt(_transcript()).splitlines()
    assert lines[0] == "[00:00:00] Claire Martin: Bonjour à tous."
    assert lines[2].startswith("[01:01:40] Claire Martin:")
