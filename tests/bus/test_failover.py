"""Fault tolerance with real processes and a real server.

- A worker process is killed (SIGKILL) mid-meeting and another one started: the second takes the
  lease once it expires, resumes from the last acked audio and finishes. The stored audio is
  exactly the recording, the final transcript covers all of it, and no live segment is stored or
  published twice (a core-NATS subscriber receives each once).
- The NATS server (our own embedded one, not a shared one) restarts mid-meeting: the worker and
  the backend reconnect and the meeting finishes with nothing lost.
- Chunks an earlier owner received but never acked come back to the new owner at once (not after
  the consumer's ack wait, by when they would have been skipped as missing).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from asr_service.bus import subjects as sub
from asr_service.bus.connection import BusLimits, connect, ensure_streams, meeting_consumer
from asr_service.bus.schemas import CommittedEvent, MeetingEnded, MeetingStarted
from asr_service.bus.server import EmbeddedNats, free_port
from asr_service.bus.simulator import chunk_payloads, simulate
from asr_service.storage import Database
from asr_service.storage import repository as repo
from asr_service.transcript import Segment

from .conftest import (
    LEASE_TTL_S,
    TEST_STREAM_LIMITS,
    assert_covers_sample,
    bus_settings,
    meeting_id,
    watch_meetings,
)


def spawn_worker(data_dir: Path, nats_url: str, name: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "ASR_DATA_DIR": str(data_dir),
        "ASR_NATS_URL": nats_url,
        "ASR_LEASE_TTL_S": str(LEASE_TTL_S),
        **{f"ASR_{k.upper()}": str(v) for k, v in TEST_STREAM_LIMITS.items()},
    }
    cmd = [sys.executable, "-m", "asr_service.bus", "worker", "--id", name, "--no-minutes"]
    return subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


async def wait_for_log(path: Path, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text():
        assert time.monotonic() < deadline, path.read_text()[-3000:]
        await asyncio.sleep(0.2)


def assert_no_duplicates(segments: list[Segment]) -> None:
    assert len({s.id for s in segments}) == len(segments)
    ordered = sorted(segments, key=lambda s: s.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert a.end <= b.start + 0.5, f"overlapping (repeated?) segments: {a.text!r} / {b.text!r}"


async def committed_messages(js: Any, tenant: str, mid: str) -> int:
    info = await js.stream_info(
        sub.STREAM_OUT, subjects_filter=sub.subject(tenant, mid, "committed")
    )
    return sum((info.state.subjects or {}).values())


async def test_killed_worker_is_replaced_without_loss_or_duplicates(
    tmp_path, nats_url: str, french_speech: np.ndarray
) -> None:
    settings = bus_settings(tmp_path, nats_url)
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    first = spawn_worker(tmp_path, nats_url, "worker-a", logs[0])
    second = None
    nc = await connect(settings, url=nats_url)
    try:
        await wait_for_log(logs[0], "ready")
        mid = meeting_id("failover")
        received: list[int] = []  # what a core-NATS subscriber of the backend sees

        async def on_committed(msg: Any) -> None:
            received.append(CommittedEvent.model_validate_json(msg.data).segment.id)

        await nc.subscribe(sub.subject("acme", mid, "committed"), cb=on_committed)
        play = asyncio.create_task(
            simulate(
                nc, {"mix": french_speech}, meeting_id=mid, tenant="acme", speed=2.0, timeout=300
            )
        )
        db = Database.from_settings(settings)
        deadline = time.monotonic() + 60
        while True:  # kill the first worker once it has committed something
            with db.session() as s:
                m = repo.get_meeting(s, "acme", mid)
                if m is not None and repo.live_segments(s, "acme", mid):
                    break
            assert time.monotonic() < deadline, logs[0].read_text()[-3000:]
            await asyncio.sleep(0.2)
        first.send_signal(signal.SIGKILL)
        first.wait()
        second = spawn_worker(tmp_path, nats_url, "worker-b", logs[1])
        result = await play
        assert result.statuses[-1].status == "done", logs[1].read_text()[-3000:]

        with db.session() as s:
            live = repo.live_segments(s, "acme", mid)
            final = repo.get_transcript(s, "acme", mid)
            details = [e.detail for e in repo.status_history(s, "acme", mid)]
        assert any("resumed by worker-b" in d for d in details), details
        assert any("started by worker-a" in d for d in details), details
        assert_no_duplicates(live)
        assert await committed_messages(nc.jetstream(), "acme", mid) == len(live)
        assert sorted(received) == sorted(s.id for s in live)  # each once, none missing
        assert final.settings["pass"] == "final"
        from asr_service.storage import AudioStore

        stored = AudioStore(tmp_path / "audio").read("acme", mid, "mix")
        assert len(stored) == len(french_speech)
        assert np.abs(stored - french_speech).max() < 1e-3
        assert_covers_sample(final, len(stored) / 16000)  # the final pass saw all of it
        db.dispose()
    finally:
        await nc.close()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(30)


async def test_nats_restart_mid_meeting(
    tmp_path, start_worker: Any, french_speech: np.ndarray
) -> None:
    port = free_port()
    store = tmp_path / "nats"
    server = EmbeddedNats(store, port).start()
    try:
        settings = bus_settings(tmp_path, server.url)
        worker = await start_worker(settings)
        nc = await connect(settings, url=server.url)
        mid = meeting_id("restart")
        play = asyncio.create_task(
            simulate(
                nc, {"mix": french_speech}, meeting_id=mid, tenant="acme", speed=3.0, timeout=300
            )
        )
        await asyncio.sleep(4.0)  # ~12 s of the 36 s meeting sent
        assert not play.done()
        server.stop()
        await asyncio.sleep(1.5)
        server = EmbeddedNats(store, port).start()
        result = await play
        assert result.statuses[-1].status == "done"
        assert worker.nc.stats["reconnects"] >= 1 and nc.stats["reconnects"] >= 1
        with worker.db.session() as s:
            live = repo.live_segments(s, "acme", mid)
            final = repo.get_transcript(s, "acme", mid)
        assert_no_duplicates(live)
        stored = worker.audio.read("acme", mid, "mix")
        assert len(stored) == len(french_speech)
        assert_covers_sample(final, len(stored) / 16000)
        await nc.close()
    finally:
        server.stop()


async def test_chunks_received_but_not_acked_by_a_dead_owner_come_back_at_once(
    tmp_path, nats_url: str, nc: Any, start_worker: Any, french_speech: np.ndarray
) -> None:
    settings = bus_settings(tmp_path, nats_url)
    js = nc.jetstream()
    await ensure_streams(js, BusLimits.from_settings(settings))
    mid = meeting_id("unacked")
    watch = await watch_meetings(nc, f"meetings.acme.{mid}.>")
    audio = french_speech[: 16000 * 6]
    chunks = chunk_payloads(audio, mid, "mix", 0.2)
    await js.publish(sub.subject("acme", mid, "started"), _json(MeetingStarted(meeting_id=mid)))
    for c in chunks:
        await js.publish(sub.subject("acme", mid, "audio"), _json(c))
    ended = MeetingEnded(meeting_id=mid, last_seq={"mix": len(chunks) - 1})
    await js.publish(sub.subject("acme", mid, "ended"), _json(ended))
    # A dead owner: it pulled the first ten chunks and never acked them (30 s ack wait).
    config = meeting_consumer("acme", mid)
    await js.add_consumer(sub.STREAM_IN, config)
    dead = await js.pull_subscribe_bind(config.durable_name, stream=sub.STREAM_IN)
    assert len(await dead.fetch(10, timeout=5)) == 10

    worker = await start_worker(settings)
    await asyncio.wait_for(watch.done.wait(), 25)  # well within the 30 s ack wait
    assert not [e for e in watch.errors if e.code in ("missing_chunks", "duplicate_chunk")]
    stored = worker.audio.read("acme", mid, "mix")
    expected = (np.clip(audio, -1, 1) * 32767).astype("<i2").astype(np.float32) / 32768
    assert np.array_equal(stored, expected)


def _json(model: Any) -> bytes:
    return model.model_dump_json().encode()
