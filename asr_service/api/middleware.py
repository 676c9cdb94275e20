"""Request context for the logs: a request ID on every line of a request, echoed to the client.

:class:`RequestContextMiddleware` (pure ASGI, so the context also covers the response and the
threads of synchronous routes) takes the caller's ``X-Request-ID`` when it is a sane token, or
makes one, binds it as ``request_id`` to every log line of the request, returns it in the
response's ``X-Request-ID`` header, and logs one ``http request`` line per request with method,
path, status, duration, the ``meeting_id`` of the route and, once authentication found it, the
``tenant`` (``request.state.tenant``, see :func:`asr_service.logging.request_scope`).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from asr_service.logging import bound, request_scope

log = logging.getLogger("asr_service.api.requests")

REQUEST_ID_HEADER = "X-Request-ID"
QUIET_PATHS = ("/healthz", "/readyz", "/livez", "/metrics", "/static/", "/docs-assets/")
"""Probes, metrics scrapes and static files: logged at DEBUG, so that an orchestrator polling
every few seconds does not drown the requests people make."""
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""A caller's request ID is kept when it is a plain token (a proxy's UUID, a trace ID); anything
else (spaces, control characters, a 10 kB header) is replaced, so logs stay one line each."""


def request_id_from(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when sane, else a new random one (32 hex digits)."""
    for name, value in scope.get("headers") or []:
        if name.lower() == b"x-request-id":
            candidate = value.decode("latin-1").strip()
            if _SANE_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Bind ``request_id`` (and ``tenant`` once known) to the logs of each HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500  # unless the app answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        started = time.perf_counter()
        with bound(request_id=request_id), request_scope(scope):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                path = scope.get("path") or ""
                log.log(
                    logging.DEBUG if path.startswith(QUIET_PATHS) else logging.INFO,
                    "http request",
                    extra={
                        "method": scope.get("method"),
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
