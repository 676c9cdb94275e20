"""Structured logs (issue 14): one JSON object per line with the IDs an operator follows.

The service's formatter (:func:`asr_service.logging.configure_logging`) on a buffer: lines from
``logging.getLogger`` and from structlog carry ``meeting_id``/``tenant``/``worker_id`` when bound;
the real API app (SQLite, a real token) logs one ``http request`` line per request with its
``request_id`` (the caller's ``X-Request-ID`` or a new one, echoed in the response) and the
caller's ``tenant`` and the route's ``meeting_id``; secrets are masked on every line.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from fastapi.testclient import TestClient

from asr_service.api import create_app
from asr_service.config import Settings
from asr_service.logging import bind, bound, configure_logging, unbind
from asr_service.redaction import register_secrets
from asr_service.storage import repository as repo


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The service's JSON logging into a buffer, for the test's duration."""
    buffer = io.StringIO()
    configure_logging("INFO", "json", stream=buffer)
    yield buffer
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "asr-service"]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


def events(buffer: io.StringIO) -> list[dict]:
    """Every line of the buffer, parsed: each must be one JSON object."""
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_one_json_line_per_event_with_the_bound_ids(json_logs: io.StringIO) -> None:
    log = logging.getLogger("asr_service.bus.worker")
    with bound(meeting_id="conseil-12", tenant="mairie", worker_id="w-1"):
        log.info("meeting %s started", "conseil-12")
        structlog.get_logger("asr_service.bus").warning("final pass queued", queued=2)
    log.info("between meetings")
    bind(worker_id="w-1")
    try:
        log.error("lost the lease\nof a meeting")  # a newline stays inside the one line
    finally:
        unbind("worker_id")

    lines = events(json_logs)
    assert [e["event"] for e in lines] == [
        "meeting conseil-12 started",
        "final pass queued",
        "between meetings",
        "lost the lease\nof a meeting",
    ]
    for event in lines[:2]:
        assert event["meeting_id"] == "conseil-12" and event["tenant"] == "mairie"
        assert event["worker_id"] == "w-1"
        assert {"timestamp", "level", "logger"} <= event.keys()
    assert lines[1]["queued"] == 2 and lines[1]["level"] == "warning"
    assert "meeting_id" not in lines[2] and "worker_id" not in lines[2]
    assert lines[3]["worker_id"] == "w-1" and "meeting_id" not in lines[3]


def test_text_format_for_a_terminal() -> None:
    buffer = io.StringIO()
    configure_logging("INFO", "text", stream=buffer)
    try:
        with bound(meeting_id="m1"):
            logging.getLogger("asr_service.test").info("hello")
    finally:
        configure_logging("WARNING", "text")
    line = buffer.getvalue()
    assert line.count("\n") == 1 and "hello" in line and "meeting_id=m1" in line
    assert not line.lstrip().startswith("{")


def test_every_line_is_redacted(json_logs: io.StringIO) -> None:
    settings = Settings(nats_password="Registered-Pw-71", llm={"api_key": "sk-Registered-72"})
    register_secrets(settings)
    log = logging.getLogger("asr_service.test")
    log.warning("connect to postgresql://asr:Url-Pw-73@db/asr failed")
    log.warning("server said: bad password Registered-Pw-71 for key sk-Registered-72")
    try:
        raise RuntimeError("token=Query-Tok-74 refused")
    except RuntimeError:
        log.exception("call failed")
    text = json_logs.getvalue()
    for secret in ("Url-Pw-73", "Registered-Pw-71", "sk-Registered-72", "Query-Tok-74"):
        assert secret not in text
    assert "postgresql://asr:***@db/asr" in text


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """The real app on SQLite with one clerk token of tenant ``mairie``."""
    app = create_app(
        Settings(data_dir=tmp_path / "data", api_job_workers=0),
        model_check=lambda: (True, "test"),
        run_retention=False,
    )
    with TestClient(app) as client:
        with app.state.services.db.session() as session:
            _, token = repo.create_api_token(session, "mairie", "clerk", name="logs")
        yield client, token


def test_api_requests_are_logged_with_request_id_and_tenant(
    api: tuple[TestClient, str], json_logs: io.StringIO
) -> None:
    client, token = api
    auth = {"Authorization": f"Bearer {token}"}
    given = client.get("/api/v1/meetings", headers={**auth, "X-Request-ID": "proxy-4f2a.1"})
    made = client.get("/api/v1/meetings", headers=auth)
    refused = client.get("/api/v1/meetings", headers={"X-Request-ID": "two words\tand a tab"})
    one = client.get("/api/v1/meetings/conseil-12", headers=auth)

    assert given.status_code == 200 and given.headers["X-Request-ID"] == "proxy-4f2a.1"
    assert made.status_code == 200 and len(made.headers["X-Request-ID"]) == 32
    assert refused.status_code == 401 and " " not in refused.headers["X-Request-ID"]
    assert one.status_code == 404  # routed: the meeting ID is known, the meeting is not
    requests = [e for e in events(json_logs) if e["event"] == "http request"]
    assert [(e["request_id"], e["status"]) for e in requests] == [
        ("proxy-4f2a.1", 200),
        (made.headers["X-Request-ID"], 200),
        (refused.headers["X-Request-ID"], 401),
        (one.headers["X-Request-ID"], 404),
    ]
    assert [e.get("tenant") for e in requests] == ["mairie", "mairie", None, "mairie"]
    assert [e.get("meeting_id") for e in requests] == [None, None, None, "conseil-12"]
    assert all(e["method"] == "GET" for e in requests)
    assert [e["path"] for e in requests[:3]] == ["/api/v1/meetings"] * 3
    assert token not in json_logs.getvalue()


def test_probes_are_logged_at_debug_only(api: tuple[TestClient, str], json_logs: io.StringIO):
    client, _ = api
    assert client.get("/healthz").status_code == 200
    assert [e for e in events(json_logs) if e["event"] == "http request"] == []
