"""The subject table and message schemas that backends integrate against."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from pydantic import ValidationError

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import AudioChunk, MeetingStarted, Participant
from asr_service.bus.simulator import chunk_payloads
from asr_service.languages import is_known


def test_subjects_go_from_general_to_specific() -> None:
    assert sub.subject("acme", "m-1", "audio") == "meetings.acme.m-1.audio"
    assert sub.parse("meetings.acme.m-1.committed") == sub.Address("acme", "m-1", "committed")
    assert sub.parse("meetings.acme.audio") is None
    assert sub.parse("other.acme.m.audio") is None
    assert sub.wildcard("final", "acme") == "meetings.acme.*.final"
    for bad in ("a.b", "", "x*", "with space", "é"):
        with pytest.raises(ValueError, match="invalid"):
            sub.subject("acme", bad, "audio")
    with pytest.raises(ValueError, match="kind"):
        sub.subject("acme", "m", "video")


def test_started_validates_ids_and_maps_tracks_to_speakers() -> None:
    started = MeetingStarted(
        meeting_id="m1",
        participants=[Participant(id="p1", name="Alice"), Participant(id="p2", track="t2")],
    )
    assert started.speaker_for("p1") == "Alice"
    assert started.speaker_for("t2") == "p2"
    assert started.speaker_for("t9") == "t9"
    with pytest.raises(ValidationError, match="meeting_id"):
        MeetingStarted(meeting_id="a.b")


def test_started_takes_language_tags_as_whisper_codes() -> None:
    assert MeetingStarted(meeting_id="m", language="fr-FR").language == "fr"
    assert MeetingStarted(meeting_id="m", language="FR_ca").language == "fr"
    assert MeetingStarted(meeting_id="m", language="").language == "auto"
    assert MeetingStarted(meeting_id="m", language="yue").language == "yue"
    assert is_known("yue") and is_known("auto") and not is_known("xx")


def test_chunks_round_trip_pcm16() -> None:
    audio = np.linspace(-0.5, 0.5, 16000, dtype=np.float32)
    chunks = chunk_payloads(audio, "m1", "mix", 0.25)
    assert [c.seq for c in chunks] == [0, 1, 2, 3]
    assert [c.timestamp for c in chunks] == [0.0, 0.25, 0.5, 0.75]
    raw = b"".join(base64.b64decode(c.data) for c in chunks)
    back = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768
    assert np.abs(back - audio).max() < 1e-4
    parsed = AudioChunk.model_validate_json(chunks[1].model_dump_json())
    assert parsed.encoding == "pcm_s16le" and parsed.sample_rate == 16000
    with pytest.raises(ValidationError):
        AudioChunk(meeting_id="m1", seq=-1, data="")
