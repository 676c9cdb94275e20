"""The contract checks of ``asr_service.bus.intake``, alone (pure functions of message bytes).

Every bound of ``docs/bus.md`` on ``started`` and ``audio``: the error code it answers with, the
problem named in the message, and accepted input decoded to the samples that are stored.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from asr_service.bus.intake import Rejected, check_started, decode_chunk
from asr_service.bus.schemas import MAX_PARTICIPANTS, MAX_TERM_CHARS, MAX_VOCABULARY_TERMS

MIB = 1024 * 1024


def _started(**fields: object) -> bytes:
    return json.dumps({"meeting_id": "m-1", **fields}).encode()


def _reject_started(data: bytes, meeting_id: str = "m-1") -> Rejected:
    with pytest.raises(Rejected) as caught:
        check_started(data, meeting_id, max_message_bytes=MIB)
    return caught.value


def test_started_within_bounds_is_accepted() -> None:
    meta = check_started(
        _started(
            participants=[{"id": f"p{i}"} for i in range(MAX_PARTICIPANTS)],
            vocabulary=["Cerfa"] * MAX_VOCABULARY_TERMS,
        ),
        "m-1",
        max_message_bytes=MIB,
    )
    assert len(meta.participants) == MAX_PARTICIPANTS
    assert len(meta.vocabulary) == MAX_VOCABULARY_TERMS


def test_started_over_the_message_size_is_oversized_before_parsing() -> None:
    rejected = _reject_started(_started(title="x" * 2_000_000))
    assert rejected.code == "oversized_message"
    assert "exceeds 1048576 bytes" in rejected.message


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"vocabulary": ["terme"] * (MAX_VOCABULARY_TERMS + 1)}, "vocabulary"),
        ({"vocabulary": ["x" * (MAX_TERM_CHARS + 1)]}, "vocabulary.0"),
        ({"participants": [{"id": f"p{i}"} for i in range(MAX_PARTICIPANTS + 1)]}, "participants"),
        ({"title": "t" * 5000}, "title"),
        ({"meeting_id": "m 1"}, "meeting_id"),
    ],
)
def test_started_beyond_a_bound_is_invalid_and_names_the_field(
    fields: dict[str, object], named: str
) -> None:
    rejected = _reject_started(_started(**fields))
    assert rejected.code == "invalid_message"
    assert rejected.message.startswith(f"started: {named}:"), rejected.message


def test_started_not_json_or_for_another_meeting() -> None:
    assert _reject_started(b"{not json").code == "malformed_json"
    other = _reject_started(_started(), meeting_id="m-2")
    assert other.code == "invalid_message" and "does not match the subject" in other.message


def _chunk(samples: bytes, **fields: object) -> bytes:
    return json.dumps(
        {"meeting_id": "m-1", "seq": 3, "data": base64.b64encode(samples).decode(), **fields}
    ).encode()


def _decode(data: bytes):  # noqa: ANN202 - DecodedChunk or the rejection
    try:
        return decode_chunk(data, "m-1", max_message_bytes=MIB, max_chunk_s=1.0)
    except Rejected as exc:
        return exc


def test_audio_is_decoded_to_16_bit_samples() -> None:
    pcm = (np.arange(1600, dtype="<i2") - 800).tobytes()
    chunk = _decode(_chunk(pcm, track="p1", timestamp=0.5))
    assert (chunk.track, chunk.seq, chunk.timestamp, chunk.pcm16) == ("p1", 3, 0.5, pcm)
    floats = np.array([0.5, -1.5, 0.25], dtype="<f4")
    converted = _decode(_chunk(floats.tobytes(), encoding="pcm_f32le"))
    assert np.frombuffer(converted.pcm16, "<i2").tolist() == [16383, -32767, 8191]


@pytest.mark.parametrize(
    ("data", "code", "named"),
    [
        (b"x" * (MIB + 1), "oversized_message", "exceeds 1048576 bytes"),
        (b'{"meeting_id": "m-1", "seq": ', "malformed_json", "not valid JSON"),
        (_chunk(b"\0\0", seq=-1), "invalid_message", "seq"),
        (_chunk(b"\0\0", meeting_id="m-2"), "invalid_message", "'m-2' does not match"),
        (_chunk(b"\0\0", sample_rate=44100), "unsupported_format", "sample_rate=44100"),
        (_chunk(b"\0\0", encoding="opus"), "unsupported_format", "'opus'"),
        (_chunk(b"\0\0\0"), "unsupported_format", "whole number"),
        (_chunk(bytes(2 * 16000 * 2)), "oversized_message", "2.00 s of audio"),
        (
            _chunk(np.array([np.nan], "<f4").tobytes(), encoding="pcm_f32le"),
            "unsupported_format",
            "NaN",
        ),
        (_chunk(b"\0\0", track="../etc"), "invalid_message", "track"),
        (b'{"meeting_id": "m-1", "seq": 0, "data": "***"}', "invalid_message", "base64"),
    ],
)
def test_audio_breaking_the_contract_is_rejected_with_its_code(
    data: bytes, code: str, named: str
) -> None:
    rejected = _decode(data)
    assert isinstance(rejected, Rejected)
    assert rejected.code == code
    assert named in rejected.message, rejected.message
