"""Bad input on the bus: every problem gets an error event that names it, the worker keeps going,
and nothing already received is lost (the stored audio is exactly the good chunks, in order)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import nats.errors
import numpy as np
import pytest

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import ErrorEvent, MeetingEnded, MeetingStarted, StatusEvent
from asr_service.bus.simulator import chunk_payloads, wait_for_streams

from .conftest import bus_settings, meeting_id


async def test_bad_chunks_are_reported_and_nothing_is_lost(
    tmp_path, nats_url: str, nc: Any, start_worker: Any, french_speech: np.ndarray
) -> None:
    worker = await start_worker(bus_settings(tmp_path, nats_url, bus_max_chunk_s=2.0))
    js = nc.jetstream()
    await wait_for_streams(js)
    mid, stranger = meeting_id("bad"), meeting_id("nobody")
    errors: list[ErrorEvent] = []
    done = asyncio.Event()

    async def on_msg(msg: Any) -> None:
        kind = sub.parse(msg.subject).kind
        if kind == "error":
            errors.append(ErrorEvent.model_validate_json(msg.data))
        elif kind == "status" and StatusEvent.model_validate_json(msg.data).status == "done":
            done.set()

    await nc.subscribe(f"meetings.acme.{mid}.>", cb=on_msg)
    await nc.subscribe(f"meetings.acme.{stranger}.error", cb=on_msg)
    audio_subject = sub.subject("acme", mid, "audio")

    async def send(payload: bytes | dict, subject: str = audio_subject) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        await js.publish(subject, data)

    await send(
        MeetingStarted(meeting_id=mid).model_dump(mode="json"), sub.subject("acme", mid, "started")
    )
    audio = french_speech[: 16000 * 6]
    chunks = [c.model_dump() for c in chunk_payloads(audio, mid, "mix", 0.2)]
    for c in chunks[:3]:
        await send(c)
    await send(chunks[4])  # out of order: held until 3 arrives
    await send(chunks[3])
    await send(chunks[1])  # duplicate
    await send(b'{"meeting_id": "' + mid.encode() + b'", "seq": 5, "data": ')  # malformed JSON
    await send({**chunks[5], "sample_rate": 44100})  # wrong sample rate
    await send({**chunks[5], "encoding": "opus"})  # unsupported encoding
    await send({**chunks[5], "data": base64.b64encode(b"\x01\x02\x03").decode()})  # odd length
    long = (np.zeros(16000 * 3) + 0.01).astype("<i2").tobytes()
    await send({**chunks[5], "data": base64.b64encode(long).decode()})  # 3 s > 2 s limit
    await send({**chunks[5], "meeting_id": "someone-else"})  # body/subject mismatch
    await send({"meeting_id": mid, "seq": -1, "data": ""})  # schema violation
    await send(chunks[0], sub.subject("acme", stranger, "audio"))  # never started
    with pytest.raises((nats.errors.MaxPayloadError, nats.errors.Error)):
        await js.publish(audio_subject, b"x" * (2 * 1024 * 1024))  # over the stream/server limit
    for c in chunks[5:]:
        await send(c)
    await send(
        MeetingEnded(meeting_id=mid, last_seq={"mix": len(chunks) - 1}).model_dump(mode="json"),
        sub.subject("acme", mid, "ended"),
    )
    await asyncio.wait_for(done.wait(), 120)

    by_code: dict[str, list[ErrorEvent]] = {}
    for e in errors:
        by_code.setdefault(e.code, []).append(e)
    assert "held and re-ordered" in by_code["out_of_order"][0].message
    assert by_code["duplicate_chunk"][0].seq == 1
    assert "not valid JSON" in by_code["malformed_json"][0].message
    formats = " | ".join(e.message for e in by_code["unsupported_format"])
    assert "44100" in formats and "'opus'" in formats and "whole number" in formats
    assert "3.00 s of audio" in by_code["oversized_message"][0].message
    invalid = " | ".join(e.message for e in by_code["invalid_message"])
    assert "someone-else" in invalid and "seq" in invalid
    unknown = by_code["unknown_meeting"][0]
    assert unknown.meeting_id == stranger and "never started" in unknown.message
    assert not any(e.fatal for e in errors)

    stored = worker.audio.read("acme", mid, "mix")
    expected = (np.clip(audio, -1, 1) * 32767).astype("<i2").astype(np.float32) / 32768
    assert len(stored) == len(audio)
    assert np.array_equal(stored, expected)
    with worker.db.session() as s:
        from asr_service.storage import repository as repo

        assert repo.get_meeting(s, "acme", mid).status == "done"
        assert repo.get_transcript(s, "acme", mid, "final") is not None
