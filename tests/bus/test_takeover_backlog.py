"""A worker taking over a long meeting works through the audio its predecessor stored but never
transcribed a window at a time: memory and each step stay bounded by the policy's buffer, not by
the meeting's length, and a silent track's resume point moves with the silence it drops."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from asr_service.bus import subjects as sub
from asr_service.bus.live import BACKLOG_WINDOW, CHECKPOINT_SILENCE_S
from asr_service.bus.schemas import MeetingEnded, MeetingStarted, Participant
from asr_service.bus.simulator import wait_for_streams
from asr_service.storage import repository as repo
from asr_service.streaming.policy import UtteranceStream

from .conftest import bus_settings, meeting_id, watch_meetings

SR = 16000
SILENCE_S = 240  # a participant who said nothing for four minutes before the crash
CHUNK_S = 1.0


def store_track(worker: Any, mid: str, track: str, audio: np.ndarray) -> int:
    """Write ``audio`` as the previous owner would have (1 s chunks); returns the last seq."""
    pcm16 = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    step = int(CHUNK_S * SR)
    seq = -1
    for seq, offset in enumerate(range(0, len(pcm16), step)):
        worker.audio.append(
            "acme", mid, track, seq, pcm16[offset : offset + step].tobytes(), offset
        )
    return seq


async def test_takeover_works_through_a_long_backlog_in_bounded_windows(
    tmp_path, nats_url: str, nc: Any, start_worker: Any, french_speech: np.ndarray, monkeypatch
) -> None:
    biggest = [0]
    push = UtteranceStream.push

    def recording_push(self: UtteranceStream, audio: np.ndarray) -> None:
        push(self, audio)
        biggest[0] = max(biggest[0], len(self.buffer))

    monkeypatch.setattr(UtteranceStream, "push", recording_push)
    worker = await start_worker(bus_settings(tmp_path, nats_url))
    mid = meeting_id("backlog")
    speech = french_speech[: 7 * SR]
    tracks = {
        "chair": np.concatenate([np.zeros(SILENCE_S * SR, np.float32), speech]),
        "mute": np.zeros((SILENCE_S + 7) * SR, np.float32),
    }
    started = MeetingStarted(
        meeting_id=mid,
        per_track=True,
        participants=[Participant(id="u1", name="Maire", track="chair"), Participant(id="u2")],
    )
    with worker.db.session() as s:  # the crashed owner had registered the meeting, then died
        repo.upsert_meeting(s, "acme", mid, title="", language="fr", source="live", status="live")
    last = {name: store_track(worker, mid, name, audio) for name, audio in tracks.items()}

    watch = await watch_meetings(nc, f"meetings.acme.{mid}.>")
    js = nc.jetstream()
    await wait_for_streams(js)
    await js.publish(sub.subject("acme", mid, "started"), started.model_dump_json().encode())
    ended = MeetingEnded(meeting_id=mid, last_seq=last)
    await js.publish(sub.subject("acme", mid, "ended"), ended.model_dump_json().encode())
    await asyncio.wait_for(watch.done.wait(), 180)

    bound = BACKLOG_WINDOW * worker.policy.max_buffer_s + CHUNK_S
    assert biggest[0] <= bound * SR, f"a stream held {biggest[0] / SR:.0f} s of audio at once"
    with worker.db.session() as s:
        meeting = repo.get_meeting(s, "acme", mid)
        live = repo.live_segments(s, "acme", mid)
        final = repo.get_transcript(s, "acme", mid)
        details = [e.detail for e in repo.status_history(s, "acme", mid)]
    assert any(d.startswith("resumed by") for d in details), details
    assert not [e for e in watch.errors if e.fatal], watch.errors
    # the speech after the silence was transcribed live, in meeting time, on its speaker
    assert live and all(seg.start >= SILENCE_S - 1 for seg in live), live
    assert {seg.speaker for seg in live} == {"Maire"}
    assert final.segments and final.segments[0].start >= SILENCE_S - 1
    # the silent track's resume point followed the silence it dropped
    mute_cursor = meeting.state["cursors"]["mute"] / SR
    slack = CHECKPOINT_SILENCE_S + worker.policy.max_buffer_s
    assert SILENCE_S + 7 - slack <= mute_cursor <= SILENCE_S + 7, mute_cursor
