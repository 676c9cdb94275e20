"""Serve the API with uvicorn, with the read timeouts uvicorn lacks.

uvicorn closes idle keep-alive connections, but a client that sends part of its request headers
and then nothing keeps its connection (and its file descriptor) forever: 400 such half-open
connections were still open after minutes in the security campaign (slowloris). The h11 protocol
below adds two timers:

- **headers**: from the first byte of a request, its headers must be complete within
  ``ASR_API_HEADER_TIMEOUT_S`` (absolute, so a byte every few seconds does not keep it alive);
- **body**: while a request body arrives, a pause longer than ``ASR_API_BODY_TIMEOUT_S`` closes
  the connection (not counting the time the application itself stops reading: back-pressure).

A timed-out connection is closed; the application sees a client disconnect (an upload in progress
is removed like any interrupted upload).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from asr_service.config import Settings

log = logging.getLogger(__name__)


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with request-header and body read timeouts (class attributes)."""

    header_timeout_s: float = 10.0
    body_timeout_s: float = 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_timer: asyncio.TimerHandle | None = None
        self._reading_headers = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch(got_data=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._cancel()  # uvicorn's keep-alive timer watches the idle connection now

    def _cancel(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        self._reading_headers = False

    def _watch(self, got_data: bool = False) -> None:
        """Arm, keep or cancel the read timer for the state the request is in."""
        if self.transport is None or self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.IDLE and (got_data or self.cycle is None):
            # waiting for (the rest of) request headers: one absolute deadline per request
            if not self._reading_headers:
                self._cancel()
                self._reading_headers = True
                self._read_timer = self.loop.call_later(self.header_timeout_s, self._timed_out)
        elif state is h11.SEND_BODY:
            self._cancel()  # headers done; body: an idle timer, re-armed by each chunk
            self._read_timer = self.loop.call_later(self.body_timeout_s, self._timed_out)
        else:
            self._cancel()  # the whole request is in: the application takes its time

    def _timed_out(self) -> None:
        self._read_timer = None
        if self.transport is None or self.transport.is_closing():
            return
        if self.flow is not None and self.flow.read_paused:
            # the application is not reading (back-pressure): not the client's pause
            self._read_timer = self.loop.call_later(self.body_timeout_s, self._timed_out)
            return
        what = "headers" if self._reading_headers else "body"
        log.info("closing a connection that sent no complete request %s in time", what)
        self._reading_headers = False
        self.transport.close()


def protocol_class(settings: Settings) -> type[TimedH11Protocol]:
    """A protocol class carrying this configuration's timeouts."""
    return type(
        "ConfiguredH11Protocol",
        (TimedH11Protocol,),
        {
            "header_timeout_s": settings.api_header_timeout_s,
            "body_timeout_s": settings.api_body_timeout_s,
        },
    )


def uvicorn_config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration of ``asr-service api``: h11 with read timeouts."""
    options: dict[str, Any] = {
        "host": settings.api_host,
        "port": settings.api_port,
        "log_level": settings.log_level.lower(),
        "http": protocol_class(settings),
        "timeout_keep_alive": 5,
    }
    return uvicorn.Config(app, **(options | overrides))


def serve_api(app: Any, settings: Settings, **overrides: Any) -> None:
    """Run the app until interrupted (Ctrl-C / SIGTERM); ``overrides``: more uvicorn options."""
    uvicorn.Server(uvicorn_config(app, settings, **overrides)).run()
