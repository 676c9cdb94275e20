"""Bad input on the bus: every problem gets an error event that names it, the worker keeps going,
and nothing already received is lost (the stored audio is exactly the good chunks, in order)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

import nats.errors
import numpy as np
import pytest

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import ErrorEvent, MeetingEnded, MeetingStarted
from asr_service.bus.simulator import MeetingIdInUse, chunk_payloads, simulate, wait_for_streams

from .conftest import bus_settings, meeting_id, watch_meetings


async def test_bad_chunks_are_reported_and_nothing_is_lost(
    tmp_path, nats_url: str, nc: Any, start_worker: Any, french_speech: np.ndarray
) -> None:
    worker = await start_worker(bus_settings(tmp_path, nats_url, bus_max_chunk_s=2.0))
    js = nc.jetstream()
    await wait_for_streams(js)
    mid, stranger = meeting_id("bad"), meeting_id("nobody")
    watch = await watch_meetings(nc, f"meetings.acme.{mid}.>", f"meetings.acme.{stranger}.error")
    errors, done = watch.errors, watch.done
    service_errors: list[ErrorEvent] = []

    async def on_service_error(msg: Any) -> None:
        service_errors.append(ErrorEvent.model_validate_json(msg.data))

    await nc.subscribe(sub.SERVICE_ERRORS, cb=on_service_error)
    audio_subject = sub.subject("acme", mid, "audio")

    async def send(payload: bytes | dict, subject: str = audio_subject) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        await js.publish(subject, data)

    # a meeting ID that cannot be a subject token: stored by ASR_IN (wildcards match it), refused
    # by the worker on asr.errors without stopping it (its start and its audio)
    await send({"meeting_id": "_bad"}, "meetings.acme._bad.started")
    await send({"meeting_id": "_bad", "seq": 0, "data": ""}, "meetings.acme._bad.audio")
    # a language tag Whisper does not know: named, then detected instead (the meeting goes on)
    started = MeetingStarted(meeting_id=mid).model_dump(mode="json") | {"language": "xx-YY"}
    await send(started, sub.subject("acme", mid, "started"))
    audio = french_speech[: 16000 * 6]
    chunks = [c.model_dump() for c in chunk_payloads(audio, mid, "mix", 0.2)]
    await send({**chunks[2], "seq": 10_000})  # stray seq far ahead: must not make the track skip
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
    await send(b'{"meeting_id": "%s", "seq": 5, "timestamp": Infinity, "data": ""}' % mid.encode())
    await send(chunks[0], sub.subject("acme", stranger, "audio"))  # never started
    oversized = 2 * 1024 * 1024  # over the service's 1 MiB limit, within ASR_IN's 4 MiB bound
    reported_oversize = nc.max_payload > oversized + 4096  # the server passes it on
    assert reported_oversize or os.environ.get("ASR_TEST_NATS_URL")  # embedded: 5 MiB payloads
    if reported_oversize:
        await send(b"x" * oversized)
    with pytest.raises((nats.errors.MaxPayloadError, nats.errors.Error)):
        await js.publish(audio_subject, b"x" * (4 * 1024 * 1024 + 1))  # refused at publish
    for c in chunks[5:]:
        await send(c)
    await send(
        MeetingEnded(meeting_id=mid, last_seq={"mix": len(chunks) - 1}).model_dump(mode="json"),
        sub.subject("acme", mid, "ended"),
    )
    await asyncio.wait_for(done.wait(), 120)
    # the backend reuses the ID of the finished meeting: refused, named, the meeting untouched
    await send(
        MeetingStarted(meeting_id=mid).model_dump(mode="json"), sub.subject("acme", mid, "started")
    )
    for _ in range(100):
        if any("already took place" in e.message for e in errors):
            break
        await asyncio.sleep(0.1)

    by_code: dict[str, list[ErrorEvent]] = {}
    for e in errors:
        by_code.setdefault(e.code, []).append(e)
    assert "held and re-ordered" in by_code["out_of_order"][0].message
    assert by_code["duplicate_chunk"][0].seq == 1
    assert "not valid JSON" in by_code["malformed_json"][0].message
    formats = " | ".join(e.message for e in by_code["unsupported_format"])
    assert "44100" in formats and "'opus'" in formats and "whole number" in formats
    oversize = " | ".join(e.message for e in by_code["oversized_message"])
    assert "3.00 s of audio" in oversize
    assert not reported_oversize or f"{oversized} bytes exceeds 1048576 bytes" in oversize
    invalid = " | ".join(e.message for e in by_code["invalid_message"])
    assert "someone-else" in invalid and "seq" in invalid
    assert "language 'xx' is not a language code Whisper knows" in invalid
    assert "timestamp" in invalid  # Infinity is valid JSON for Python, not a capture time
    assert f"chunk 10000 comes after the last chunk ({len(chunks) - 1})" in invalid
    assert not by_code.get("missing_chunks"), by_code.get("missing_chunks")
    assert sorted(e.subject for e in service_errors) == [
        "meetings.acme._bad.audio",
        "meetings.acme._bad.started",
    ]
    assert {e.code for e in service_errors} == {"invalid_message"}
    unknown = by_code["unknown_meeting"][0]
    assert unknown.meeting_id == stranger and "never started" in unknown.message
    with pytest.raises(MeetingIdInUse, match="new --meeting-id"):  # the simulator says it first
        await simulate(nc, {"mix": audio[:16000]}, meeting_id=mid, tenant="acme", timeout=5)
    reused = [e for e in errors if "already took place" in e.message]
    assert len(reused) == 1 and reused[0].fatal and reused[0].code == "invalid_message"
    assert not any(e.fatal for e in errors if e not in reused)

    stored = worker.audio.read("acme", mid, "mix")
    expected = (np.clip(audio, -1, 1) * 32767).astype("<i2").astype(np.float32) / 32768
    assert len(stored) == len(audio)
    assert np.array_equal(stored, expected)
    with worker.db.session() as s:
        from asr_service.storage import repository as repo

        assert repo.get_meeting(s, "acme", mid).status == "done"
        final = repo.get_transcript(s, "acme", mid, "final")
        assert final is not None and final.language == "fr"  # detected from the French speech


async def test_contract_bounds_and_input_no_meeting_reads_get_error_events(
    tmp_path, nats_url: str, nc: Any, start_worker: Any
) -> None:
    """Issue 15's findings: a 2,000,000-character `started`, 60 000 vocabulary terms and 5 000
    participants were accepted (the title stored); audio after `done` and `ended` for a meeting
    never started got no error event. Each now gets one, named, and refused meetings store
    nothing."""
    worker = await start_worker(bus_settings(tmp_path, nats_url))
    js = nc.jetstream()
    await wait_for_streams(js)
    tenant = "acme"
    big, terms, people, stray, short = (
        meeting_id(p) for p in ("big", "terms", "ppl", "stray", "s")
    )
    watch = await watch_meetings(
        nc, *(f"meetings.{tenant}.{m}.>" for m in (big, terms, people, stray, short))
    )

    async def send(mid: str, kind: str, payload: dict) -> None:
        await js.publish(sub.subject(tenant, mid, kind), json.dumps(payload).encode())

    oversized = nc.max_payload > 2_100_000  # the embedded server passes 2 MB on
    assert oversized or os.environ.get("ASR_TEST_NATS_URL")
    if oversized:
        await send(big, "started", {"meeting_id": big, "title": "x" * 2_000_000})
    await send(terms, "started", {"meeting_id": terms, "vocabulary": ["terme"] * 60_000})
    people_list = [{"id": f"p{i}", "name": f"Participant {i}"} for i in range(5_000)]
    await send(people, "started", {"meeting_id": people, "participants": people_list})
    await send(stray, "ended", {"meeting_id": stray})
    await send(short, "started", {"meeting_id": short})
    await send(short, "ended", {"meeting_id": short})
    await asyncio.wait_for(watch.done.wait(), 120)  # `short` is done (no audio: nothing to run)
    for seq in range(3):  # audio after `done`: one error for the meeting, not one per chunk
        await send(short, "audio", {"meeting_id": short, "seq": seq, "data": "AAAA"})

    def by_meeting() -> dict[str, list[ErrorEvent]]:
        found: dict[str, list[ErrorEvent]] = {}
        for e in watch.errors:
            found.setdefault(e.meeting_id, []).append(e)
        return found

    expected = {terms, people, stray, short} | ({big} if oversized else set())
    for _ in range(150):
        if expected <= set(by_meeting()):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # time for a (wrong) second error on `short`
    errors = by_meeting()
    assert set(errors) == expected, errors
    assert all(len(found) == 1 for found in errors.values()), errors
    if oversized:
        (e,) = errors[big]
        assert (e.code, e.fatal) == ("oversized_message", True)
        assert "exceeds 1048576 bytes" in e.message
    (e,) = errors[terms]
    assert (e.code, e.fatal) == ("invalid_message", True)
    assert "vocabulary: List should have at most 500 items" in e.message
    (e,) = errors[people]
    assert (e.code, e.fatal) == ("invalid_message", True)
    assert "participants: List should have at most 200 items" in e.message
    (e,) = errors[stray]
    assert (e.code, e.fatal, e.subject) == (
        "unknown_meeting",
        False,
        f"meetings.acme.{stray}.ended",
    )
    assert "`ended` for meeting" in e.message and "never started" in e.message
    (e,) = errors[short]
    assert (e.code, e.fatal) == ("meeting_over", False)
    assert e.subject == f"meetings.acme.{short}.audio" and "is over" in e.message
    with worker.db.session() as s:
        from asr_service.storage import repository as repo

        for refused in (big, terms, people, stray):
            assert repo.get_meeting(s, tenant, refused) is None  # nothing stored
        assert repo.get_meeting(s, tenant, short).status == "done"
