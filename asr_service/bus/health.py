"""Health and Prometheus metrics server of a worker process (``worker`` and ``serve``).

Kubernetes (and any supervisor) needs to know three things about a worker, which only the worker
process can say; this module serves them over plain HTTP on ``ASR_HEALTH_PORT`` (0: off):

``/healthz`` (liveness)
    200 while the process is alive and its event loop answers within ``LOOP_STALL_S``; 503 once
    the loop is stuck (a decode that blocks the loop, a deadlock) or the worker has stopped, so the
    kubelet restarts it. Before the loop runs (the model still loading) it answers 200.
``/readyz`` (readiness, and the chart's startup probe)
    200 once the worker is connected to NATS and has set up its streams and consumers; 503 with
    the reason otherwise (connecting, reconnecting, stopped).
``/metrics``
    Prometheus text format: readiness, NATS connection, live meetings and capacity, loop latency,
    plus the standard process metrics (CPU, memory, open files).

The server runs in a daemon thread (``http.server``), so a busy event loop cannot starve it, and
reads the worker through the small :class:`HealthSource` interface: the worker's internals can
change without touching this module, as long as :func:`worker_source` still reads them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

LOOP_STALL_S = 10.0
"""An event loop that does not run a no-op callback within this time is declared stuck."""

T = TypeVar("T")


class HealthPortError(OSError):
    """The health server cannot listen on its port (the message names the setting)."""


class HealthSource(Protocol):
    """What the health server reads from a worker (every call must be cheap and thread-safe)."""

    def connected(self) -> bool:
        """Connected to NATS right now."""

    def serving(self) -> bool:
        """Streams, consumers and lease bucket set up: the worker takes meetings."""

    def live_meetings(self) -> int:
        """Meetings the worker is running now."""

    def capacity(self) -> int:
        """Most meetings the worker takes at once (``ASR_WORKER_MAX_MEETINGS``)."""

    def labels(self) -> dict[str, str]:
        """Constant facts for ``asr_worker_info`` (worker ID, model, device)."""

    def live_removed(self) -> dict[str, tuple[int, float]]:
        """Live captions the hallucination guards removed: reason -> (spans, seconds)."""


@dataclass
class WorkerSource:
    """:class:`HealthSource` over a :class:`asr_service.bus.worker.Worker`.

    Reads the attributes that ``Worker.run`` sets as it starts: ``nc`` (the NATS client, once
    connected) and ``kv`` (the lease bucket, the last thing set up before the worker takes
    meetings), ``meetings`` (running meeting tasks) and ``max_meetings``.
    """

    worker: Any

    def connected(self) -> bool:
        nc = getattr(self.worker, "nc", None)
        return bool(nc is not None and nc.is_connected)

    def serving(self) -> bool:
        return getattr(self.worker, "kv", None) is not None

    def live_meetings(self) -> int:
        tasks = list(getattr(self.worker, "meetings", {}).values())
        return sum(1 for task in tasks if not task.done())

    def capacity(self) -> int:
        return int(getattr(self.worker, "max_meetings", 0))

    def labels(self) -> dict[str, str]:
        settings = getattr(self.worker, "settings", None)
        return {
            "worker_id": str(getattr(self.worker, "id", "")),
            "model": str(getattr(settings, "model", "")),
            "device": str(getattr(settings, "device", "")),
        }

    def live_removed(self) -> dict[str, tuple[int, float]]:
        live = getattr(self.worker, "live_decoding", None)
        return live.removed.snapshot() if live is not None else {}


def worker_source(worker: Any) -> HealthSource:
    """The health interface of a worker."""
    return WorkerSource(worker)


@dataclass
class Verdict:
    """One probe's answer: HTTP status and a short JSON body."""

    ok: bool
    state: str
    detail: str = ""

    def body(self) -> bytes:
        return json.dumps({"status": self.state, "detail": self.detail}).encode()


class HealthServer:
    """The HTTP server of one worker process; see the module docstring for the endpoints."""

    def __init__(
        self, source: HealthSource, port: int, host: str = "0.0.0.0", stall_s: float = LOOP_STALL_S
    ):
        self.source = source
        self.stall_s = stall_s
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopped = False
        self.loop_latency_s = 0.0
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.registry.register(_WorkerCollector(self))
        self._httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="asr-health", daemon=True
        )

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("health and metrics on port %d (/healthz, /readyz, /metrics)", self.port)
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    async def watch(self, main: Coroutine[Any, Any, T]) -> T:
        """Run ``main`` on the current loop, which the liveness probe then watches."""
        self.loop = asyncio.get_running_loop()
        try:
            return await main
        finally:
            self.stopped = True

    # -- probes (called from the server's threads) --------------------------------------------
    def _loop_answers(self) -> bool:
        loop = self.loop
        if loop is None or loop.is_closed():
            return False
        started = time.monotonic()
        answered = threading.Event()
        try:
            loop.call_soon_threadsafe(answered.set)
        except RuntimeError:  # closed between the check and the call
            return False
        ok = answered.wait(self.stall_s)
        self.loop_latency_s = time.monotonic() - started
        return ok

    def liveness(self) -> Verdict:
        if self.stopped:
            return Verdict(False, "stopped", "the worker's main loop has ended")
        if self.loop is None:
            return Verdict(True, "starting", "model loaded, event loop not started yet")
        if not self._loop_answers():
            return Verdict(False, "stuck", f"event loop did not answer within {self.stall_s:g} s")
        return Verdict(True, "alive", f"loop latency {self.loop_latency_s * 1000:.1f} ms")

    def readiness(self) -> Verdict:
        if self.stopped:
            return Verdict(False, "stopped", "the worker's main loop has ended")
        if not self.source.connected():
            return Verdict(False, "not_connected", "not connected to NATS (connecting or lost)")
        if not self.source.serving():
            return Verdict(False, "setting_up", "connected; setting up streams and consumers")
        live, cap = self.source.live_meetings(), self.source.capacity()
        return Verdict(True, "ready", f"{live}/{cap} meetings")


class _WorkerCollector(Collector):
    """Metrics read from the worker at scrape time (nothing to update elsewhere)."""

    def __init__(self, server: HealthServer):
        self.server = server

    def collect(self) -> Iterator[Any]:
        source = self.server.source
        ready = self.server.readiness().ok
        info = InfoMetricFamily("asr_worker", "worker identity, model and device")
        info.add_metric([], source.labels())
        yield info
        yield GaugeMetricFamily("asr_worker_ready", "1 when the worker takes meetings", value=ready)
        yield GaugeMetricFamily(
            "asr_worker_nats_connected", "1 while connected to NATS", value=source.connected()
        )
        yield GaugeMetricFamily(
            "asr_worker_live_meetings",
            "meetings running in this worker",
            value=source.live_meetings(),
        )
        yield GaugeMetricFamily(
            "asr_worker_max_meetings",
            "most meetings this worker takes at once",
            value=source.capacity(),
        )
        yield GaugeMetricFamily(
            "asr_worker_loop_latency_seconds",
            "time the event loop took to run a no-op callback at the last liveness probe",
            value=self.server.loop_latency_s,
        )
        removed = self.server.source.live_removed()
        spans = CounterMetricFamily(
            "asr_worker_live_captions_removed",
            "live caption segments the hallucination guards removed, by reason (the final pass "
            "lists its own removals in the transcript's `dropped`)",
            labels=["reason"],
        )
        seconds = CounterMetricFamily(
            "asr_worker_live_captions_removed_seconds",
            "audio time of the live caption segments the guards removed, by reason",
            labels=["reason"],
        )
        for reason, (count, length) in removed.items():
            spans.add_metric([reason], count)
            seconds.add_metric([reason], length)
        yield spans
        yield seconds


def _handler(server: HealthServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, generate_latest(server.registry), CONTENT_TYPE_LATEST)
            elif path in ("/healthz", "/livez"):
                verdict = server.liveness()
                self._send(200 if verdict.ok else 503, verdict.body(), "application/json")
            elif path == "/readyz":
                verdict = server.readiness()
                self._send(200 if verdict.ok else 503, verdict.body(), "application/json")
            else:
                self._send(404, b'{"status": "not_found"}', "application/json")

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - probes are noise
            log.debug("health: " + format, *args)

    return Handler


class _NoHealth:
    """Stand-in when ``ASR_HEALTH_PORT`` is 0: runs the coroutine unwatched."""

    port = 0

    async def watch(self, main: Coroutine[Any, Any, T]) -> T:
        return await main


@contextmanager
def serve_health(worker: Any, port: int | None = None) -> Iterator[HealthServer | _NoHealth]:
    """The worker's health server for the duration of the block (``ASR_HEALTH_PORT``, or
    ``port``; 0: none). A port already taken is a clear error naming the setting."""
    port = getattr(worker.settings, "health_port", 0) if port is None else port
    if not port:
        yield _NoHealth()
        return
    try:
        server = HealthServer(worker_source(worker), port).start()
    except OSError as exc:
        raise HealthPortError(
            f"the health server cannot listen on port {port} ({exc.strerror}): "
            "set ASR_HEALTH_PORT to a free port, or 0 for none"
        ) from exc
    try:
        yield server
    finally:
        server.stop()
