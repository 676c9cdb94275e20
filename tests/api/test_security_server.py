"""Issue 15, finding 7: half-open connections holding partial headers (slowloris) are closed.

The campaign opened 400 connections that each sent part of a request's headers and then nothing:
uvicorn kept them all. Here the API is served as ``asr-service api`` serves it
(:func:`asr_service.api.server.uvicorn_config`) with a 1 s header timeout; the same 400
connections must all be closed by the server within a bounded time, a slow body too, and the
server must still answer a normal request. Prints the figures (``-s``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from asr_service.api import create_app
from asr_service.api.server import uvicorn_config
from asr_service.storage import Database
from asr_service.storage import repository as repo
from tests.api.conftest import light_processor, make_settings
from tests.api.oidc_provider import free_port

TOKENS: dict[str, str] = {}
CONNECTIONS = 400
BOUND_S = 15.0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``host:port`` of the API served with 1 s header and body timeouts; a backend token of
    tenant ``mairie`` is in ``served.token`` (module attribute, set per test)."""
    settings = make_settings(tmp_path, api_header_timeout_s=1.0, api_body_timeout_s=1.0)
    db = Database(f"sqlite:///{tmp_path / 'asr.db'}")
    app = create_app(
        settings, db=db, processor=light_processor, model_check=lambda: (True, "t"),
        run_retention=False,
    )  # fmt: skip
    port = free_port()
    server = uvicorn.Server(
        uvicorn_config(app, settings, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    with db.session() as session:
        _, secret = repo.create_api_token(session, "mairie", "backend")
    TOKENS[f"127.0.0.1:{port}"] = secret
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


def closed_by_server(sock: socket.socket) -> bool:
    """True when the server closed its side (EOF or reset), False while it waits."""
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def test_half_open_connections_with_partial_headers_are_closed(served: str) -> None:
    host, port = served.split(":")
    sockets = []
    started = time.monotonic()
    for i in range(CONNECTIONS):
        s = socket.create_connection((host, int(port)), timeout=5)
        s.sendall(f"GET /healthz HTTP/1.1\r\nHost: {served}\r\nX-Slow-{i}: ".encode())
        s.setblocking(False)
        sockets.append(s)
    open_now = CONNECTIONS
    while open_now and time.monotonic() - started < BOUND_S:
        time.sleep(0.25)
        open_now = sum(not closed_by_server(s) for s in sockets)
    elapsed = time.monotonic() - started
    print(
        f"\nslowloris: {CONNECTIONS} connections with partial headers, "
        f"{CONNECTIONS - open_now} closed by the server after {elapsed:.1f} s (header timeout 1 s)"
    )
    for s in sockets:
        s.close()
    assert open_now == 0
    assert httpx.get(f"http://{served}/healthz", timeout=5).status_code == 200


def test_trickled_headers_do_not_extend_the_deadline(served: str) -> None:
    host, port = served.split(":")
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(b"GET /healthz HTTP/1.1\r\n")
    started, closed = time.monotonic(), False
    while time.monotonic() - started < 5 and not closed:
        time.sleep(0.3)
        try:
            s.sendall(b"X-A: b\r\n")  # one header line every 0.3 s, never the blank line
        except OSError:
            closed = True
    assert closed and time.monotonic() - started < 4
    s.close()


def test_stalled_body_is_closed_and_a_complete_request_is_served(
    served: str, tmp_path: Path
) -> None:
    host, port = served.split(":")
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(
        f"POST /api/v1/recordings HTTP/1.1\r\nHost: {served}\r\n"
        f"Authorization: Bearer {TOKENS[served]}\r\nContent-Length: 100000\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n\r\n"
        '--x\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF'.encode()
    )
    s.settimeout(6)
    started = time.monotonic()
    try:
        answer = s.recv(4096)
    except TimeoutError:
        answer = None
    except ConnectionResetError:
        answer = b""
    elapsed = time.monotonic() - started
    s.close()
    assert answer == b"" and elapsed < 5, (answer, elapsed)  # closed, no answer: body timeout
    time.sleep(0.5)  # the interrupted upload is cleaned up
    uploads = tmp_path / "data" / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
    # a slow but steady client finishing in time is served normally
    with socket.create_connection((host, int(port)), timeout=5) as ok:
        for part in (b"GET /healthz HTTP/1.1\r\n", f"Host: {served}\r\n".encode(), b"\r\n"):
            ok.sendall(part)
            time.sleep(0.2)
        assert ok.recv(1024).startswith(b"HTTP/1.1 200")
