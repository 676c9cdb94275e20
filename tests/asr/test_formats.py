"""Subtitle and text outputs parse back with independent libraries."""

from __future__ import annotations

import html
import io
import json

import srt
import webvtt

from asr_service.formats import render_json, render_srt, render_txt, render_vtt
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
    assert cues[1].content.startswith("Intervenant 2: ")  # SPEAKER_01: French label
    assert cues[2].start.total_seconds() == 3700.0


def test_vtt_parses_back_with_voice_spans():
    captions = webvtt.from_buffer(io.StringIO(render_vtt(_transcript())))
    assert len(captions) == 3
    assert captions[2].start == "01:01:40.000"
    assert captions[0].voice == "Claire Martin"
    assert captions[1].voice == "Intervenant 2"
    assert "-->" not in captions[1].raw_text


def test_txt_uses_the_clerk_line_format():
    lines = render_txt(_transcript()).splitlines()
    assert lines[0] == "[00:00:00] Claire Martin: Bonjour à tous."
    assert lines[1].startswith("[00:00:07] Intervenant 2: Merci")
    assert lines[2].startswith("[01:01:40] Claire Martin:")


def test_json_keeps_the_stable_speaker_ids():
    data = json.loads(render_json(_transcript()))
    assert [s["speaker"] for s in data["segments"]] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_00"]
    assert "Intervenant" not in render_json(_transcript())


def _one_speaker(name: str, text: str) -> Transcript:
    return Transcript(
        duration=10.0,
        segments=[
            Segment(id=0, start=0.0, end=4.0, text=text, speaker="SPEAKER_00"),
            Segment(id=1, start=5.0, end=9.0, text="Suite.", speaker="SPEAKER_00"),
        ],
        speakers=[Speaker(id="SPEAKER_00", name=name)],
    )


def test_vtt_escapes_markup_in_speaker_names_and_text():
    """Regression (issue 14): "Mme <Durand> & co" parsed back as voice "Mme <Durand"."""
    name, text = "Mme <Durand> & co", "Le budget <provisoire> & l'annexe > 3."
    vtt = render_vtt(_one_speaker(name, text))
    captions = webvtt.from_buffer(io.StringIO(vtt))
    assert len(captions) == 2
    assert html.unescape(captions[0].voice) == name
    assert html.unescape(captions[0].text) == text
    cue_line = vtt.splitlines()[3]
    assert "&lt;Durand&gt; &amp; co>" in cue_line and "&lt;provisoire&gt; &amp;" in cue_line


def test_srt_neutralises_cue_timings_inside_text():
    """Regression (issue 14): text holding "-->" and a blank line split one cue into two."""
    text = "Point 1 --> point 2\n\n2\n00:00:09,000 --> 00:00:10,000\nfin du point"
    cues = list(srt.parse(render_srt(_one_speaker("Claire Martin", text))))
    assert len(cues) == 2
    assert "-->" not in cues[0].content
    # One line, "-->" written "→": the words and their order are kept.
    assert cues[0].content == (
        "Claire Martin: Point 1 → point 2 2 00:00:09,000 → 00:00:10,000 fin du point"
    )
    assert cues[1].content == "Claire Martin: Suite."
