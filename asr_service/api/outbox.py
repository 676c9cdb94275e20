"""Publish the API's bus events (``minutes_validated``) from the database outbox, never losing one.

A validation writes its event to the ``bus_outbox`` table in the same transaction as the
validated version (``minutes_review.validate``), so the event exists exactly when the validation
does, whatever happens to NATS. This publisher, a thread with its own event loop started with the
app, sends pending events with JetStream (``ASR_OUT``) and marks each one published once the
server acknowledged it. When NATS is unreachable or refuses, the events stay pending and are tried
again every ``interval_s`` seconds (and at once after each validation), including after a restart
of the API. Each event carries a ``Nats-Msg-Id`` (``<tenant>.<meeting>.minutes.v<version>``), so a
publish retried after a lost acknowledgement is dropped by the stream's duplicate window.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from typing import Any

from nats.errors import NoRespondersError
from nats.js.errors import NoStreamResponseError

from asr_service.storage import Database
from asr_service.storage import repository as repo

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 5.0
CONNECT_WITHIN_S = 3.0


class OutboxPublisher:
    """Drains ``bus_outbox`` to NATS; :meth:`start` / :meth:`stop` with the app."""

    def __init__(self, db: Database, settings: Any, *, interval_s: float = 5.0) -> None:
        self.db = db
        self.settings = settings
        self.interval_s = interval_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._client: Any = None
        self._ready = threading.Event()

    # -- lifecycle (called from any thread) -------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="bus-outbox", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def wake(self) -> None:
        """Publish pending events now (after a validation) instead of at the next tick."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def stop(self) -> None:
        self._stopping = True
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # -- the loop ---------------------------------------------------------------------------------

    def _main(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._run())
        finally:
            self._loop.close()

    async def _run(self) -> None:
        self._wake = asyncio.Event()
        self._ready.set()
        while not self._stopping:
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the loop must survive anything; events stay queued
                log.exception("bus outbox: publishing failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval_s)
            self._wake.clear()
        if self._client is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                await self._client.close()

    async def _connect(self) -> Any | None:
        if self._client is not None and self._client.is_connected:
            return self._client
        if self._client is not None and not self._client.is_closed:
            return None  # reconnecting by itself; try again at the next tick
        from asr_service.bus.connection import BusConnectError, connect

        try:
            self._client = await connect(
                self.settings, name="asr-service-api", reach_within=CONNECT_WITHIN_S
            )
        except (BusConnectError, OSError) as exc:
            log.warning("bus outbox: NATS unreachable (%s); events kept, retrying", exc)
            self._client = None
            return None
        return self._client

    async def flush(self) -> int:
        """Publish every pending event; returns how many were acknowledged."""
        pending = await asyncio.to_thread(self._pending)
        if not pending:
            return 0
        client = await self._connect()
        if client is None:  # say why on each waiting event (operators read it in the table)
            for entry_id, *_ in pending:
                await asyncio.to_thread(self._failed, entry_id, "NATS unreachable")
            return 0
        js = client.jetstream()
        sent = 0
        streams_checked = False
        for entry_id, subject, msg_id, payload in pending:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            try:
                try:
                    await js.publish(
                        subject, data, timeout=PUBLISH_TIMEOUT_S, headers={"Nats-Msg-Id": msg_id}
                    )
                except (NoRespondersError, NoStreamResponseError):
                    if streams_checked:
                        raise
                    # No stream takes the subject yet (no worker ever declared ASR_OUT, or an older
                    # one without this kind): declare the streams as a worker does, then retry.
                    from asr_service.bus.connection import BusLimits, ensure_streams

                    streams_checked = True
                    await ensure_streams(js, BusLimits.from_settings(self.settings))
                    await js.publish(
                        subject, data, timeout=PUBLISH_TIMEOUT_S, headers={"Nats-Msg-Id": msg_id}
                    )
            except Exception as exc:  # noqa: BLE001 - kept pending, retried at the next tick
                reason = f"{exc.__class__.__name__}: {exc}"
                log.warning("bus outbox: %s not published (%s); retrying", subject, reason)
                await asyncio.to_thread(self._failed, entry_id, reason)
                break
            await asyncio.to_thread(self._published, entry_id)
            sent += 1
        return sent

    # -- storage (run off the loop) ---------------------------------------------------------------

    def _pending(self) -> list[tuple[int, str, str, dict[str, Any]]]:
        with self.db.session() as session:
            return [
                (e.id, e.subject, e.msg_id, dict(e.payload)) for e in repo.pending_outbox(session)
            ]

    def _published(self, entry_id: int) -> None:
        with self.db.session() as session:
            repo.mark_outbox_published(session, entry_id)

    def _failed(self, entry_id: int, reason: str) -> None:
        with self.db.session() as session:
            repo.mark_outbox_failed(session, entry_id, reason)
