"""Structured logs: structlog over the standard library, text for a terminal, JSON for a log stack.

``configure_logging`` installs one handler on the root logger whose ``ProcessorFormatter``
renders every record, the service's ``logging.getLogger(__name__)`` calls and libraries' alike
(uvicorn, nats, alembic), and structlog loggers too:

- ``ASR_LOG_FORMAT=text``: ``2026-12-06T04:12:56Z [info     ] worker w1 ready [asr_service.bus]
  meeting_id=m1``; ``json``: one JSON object per line with ``timestamp``, ``level``, ``logger``,
  ``event`` and every bound key;
- context: keys bound with :func:`bind` / :func:`bound` (``meeting_id``, ``tenant``,
  ``request_id``, ``worker_id``...) are added to every line logged in that context (an asyncio
  task or a thread started from it), as are ``extra={...}`` fields of a stdlib call;
- :func:`asr_service.redaction.redact` runs on every rendered line, so a password inside a URL or
  a registered secret never reaches the logs, whatever the message.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any, TextIO

import structlog
from structlog.contextvars import bind_contextvars, bound_contextvars, unbind_contextvars

from asr_service.redaction import redact

__all__ = [
    "CONTEXT_KEYS",
    "bind",
    "bound",
    "configure_logging",
    "request_scope",
    "unbind",
]

CONTEXT_KEYS = ("meeting_id", "tenant", "request_id", "worker_id")
"""Keys that identify what a line is about; an operator follows one meeting or request by them."""

bind = bind_contextvars
"""Bind keys (``bind(meeting_id="m1")``) to every later log line of this context."""
unbind = unbind_contextvars
"""Remove keys bound with :func:`bind`."""
bound = bound_contextvars
"""Context manager: ``with bound(meeting_id="m1", tenant="t"): ...`` binds for the block only."""

_request: ContextVar[MutableMapping[str, Any] | None] = ContextVar("asr_request", default=None)
"""The ASGI scope of the HTTP request being served. The scope is one mapping shared by the
request's task and the threads of its synchronous dependencies, and filled as the request goes:
the route's ``path_params`` (``meeting_id``) once routed, ``state["tenant"]`` once the
authentication dependency knows the caller; every later line of the request names them."""

_DROPPED = {"color_message"}  # uvicorn's coloured twin of the message


@contextlib.contextmanager
def request_scope(scope: MutableMapping[str, Any]) -> Iterator[None]:
    """Serve one request whose ``scope`` supplies ``tenant`` and ``meeting_id`` to the logs."""
    token = _request.set(scope)
    try:
        yield
    finally:
        _request.reset(token)


def _add_request_context(_: Any, __: str, event: MutableMapping[str, Any]) -> Any:
    scope = _request.get()
    if scope is not None:
        found = {
            "meeting_id": (scope.get("path_params") or {}).get("meeting_id"),
            "tenant": (scope.get("state") or {}).get("tenant"),
        }
        for key, value in found.items():
            if value and key not in event:
                event[key] = value
    for key in _DROPPED & event.keys():
        del event[key]
    return event


def _redact_line(_: Any, __: str, line: Any) -> Any:
    return redact(line) if isinstance(line, str) else line


def _shared_chain() -> list[Any]:
    """Processors that add the level, logger, time and bound context to an event."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]


def build_formatter(fmt: str = "text", *, colors: bool = False) -> logging.Formatter:
    """The formatter of ``ASR_LOG_FORMAT`` (``text`` or ``json``), redaction included."""
    if fmt == "json":
        renderer: Any = structlog.processors.JSONRenderer(ensure_ascii=False, default=str)
        tail = [structlog.processors.format_exc_info]
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=colors,
            exception_formatter=structlog.dev.plain_traceback,
            sort_keys=False,
        )
        tail = []
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared_chain(), structlog.stdlib.ExtraAdder(), _add_request_context],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            *tail,
            renderer,
            _redact_line,
        ],
    )


class _CurrentStderr:
    """Standard error as it is when a line is written, not when logging was configured (a test
    runner or a daemon may replace ``sys.stderr`` later)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(
    level: int | str = "INFO", fmt: str = "text", *, stream: TextIO | None = None
) -> None:
    """Route every log record of this process through one structlog formatter on ``stream``
    (standard error by default). Safe to call again: the previous handler is replaced."""
    stream = stream or _CurrentStderr()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_chain(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            _add_request_context,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.set_name("asr-service")
    colors = fmt == "text" and hasattr(stream, "isatty") and stream.isatty()
    handler.setFormatter(build_formatter(fmt, colors=colors))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "asr-service"]:
        root.removeHandler(old)
    for old in [h for h in root.handlers if type(h) is logging.StreamHandler]:
        root.removeHandler(old)  # a basicConfig() handler would print every line twice
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    logging.captureWarnings(True)
