"""Meetings that never end do not hold worker slots (issue 15): the idle timeout and the tenant cap.

- A backend starts as many meetings as a worker takes (8), sends no audio, and disappears. Each
  meeting ends itself after ``ASR_MEETING_IDLE_TIMEOUT_S`` (status ``ended_by_timeout``, then the
  usual end: final pass on what was received, ``done``), so a new valid meeting starts within
  about that timeout instead of waiting forever, and is transcribed.
- A tenant over ``ASR_BUS_TENANT_MAX_MEETINGS`` gets a fatal ``too_many_meetings`` error and its
  meeting does not start, while another tenant's meeting does; once its meetings ended (here by
  the idle timeout), the tenant starts meetings again.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from typing import Any

import numpy as np

from asr_service.bus import subjects as sub
from asr_service.bus.connection import connect
from asr_service.bus.schemas import ErrorEvent, MeetingEnded, MeetingStarted, StatusEvent
from asr_service.bus.simulator import chunk_payloads, wait_for_streams
from asr_service.storage import repository as repo

from .conftest import bus_settings, meeting_id

IDLE_S = 3.0
END_OF_IDLE = ["live", "ended_by_timeout", "ending", "finalizing", "done"]


class Tenant:
    """Statuses (with arrival times) and errors of every meeting of one tenant."""

    def __init__(self) -> None:
        self.name = f"t{uuid.uuid4().hex[:8]}"
        self.statuses: dict[str, list[str]] = defaultdict(list)
        self.at: dict[tuple[str, str], float] = {}
        self.errors: list[ErrorEvent] = []

    async def watch(self, nc: Any) -> None:
        async def on_msg(msg: Any) -> None:
            address = sub.parse(msg.subject)
            assert address is not None
            if address.kind == "status":
                status = StatusEvent.model_validate_json(msg.data).status
                self.statuses[address.meeting_id].append(status)
                self.at.setdefault((address.meeting_id, status), time.monotonic())
            else:
                self.errors.append(ErrorEvent.model_validate_json(msg.data))

        for kind in ("status", "error"):
            await nc.subscribe(f"meetings.{self.name}.*.{kind}", cb=on_msg)

    async def start(self, js: Any, mid: str) -> None:
        data = MeetingStarted(meeting_id=mid).model_dump_json().encode()
        await js.publish(sub.subject(self.name, mid, "started"), data)

    async def reached(self, mids: list[str], status: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not all(status in self.statuses[m] for m in mids):
            assert time.monotonic() < deadline, {m: self.statuses[m] for m in mids}
            await asyncio.sleep(0.1)


async def test_abandoned_meetings_end_themselves_and_free_the_worker(
    tmp_path, nats_url: str, nc: Any, settings: Any, start_worker: Any, french_speech: np.ndarray
) -> None:
    worker = await start_worker(
        bus_settings(tmp_path, nats_url, meeting_idle_timeout_s=IDLE_S, worker_max_meetings=8)
    )
    js = nc.jetstream()
    await wait_for_streams(js)
    tenant = Tenant()
    await tenant.watch(nc)

    backend = await connect(settings, url=nats_url, name="backend that disappears")
    idle = [meeting_id("idle") for _ in range(8)]
    for mid in idle:
        await tenant.start(backend.jetstream(), mid)
    await backend.close()  # gone: no audio, no `ended`, ever
    await tenant.reached(idle, "live", 60)
    assert len([t for t in worker.meetings.values() if not t.done()]) == 8  # every slot taken

    new = meeting_id("new")
    published_at = time.monotonic()
    await tenant.start(js, new)
    audio = french_speech[: 16000 * 3]
    chunks = chunk_payloads(audio, new, "mix", 0.5)
    for chunk in chunks:
        await js.publish(sub.subject(tenant.name, new, "audio"), chunk.model_dump_json().encode())
    ended = MeetingEnded(meeting_id=new, last_seq={"mix": len(chunks) - 1})
    await js.publish(sub.subject(tenant.name, new, "ended"), ended.model_dump_json().encode())

    await tenant.reached([new], "live", IDLE_S + 30)
    waited = tenant.at[(new, "live")] - published_at
    print(f"new meeting live {waited:.1f} s after its start (idle timeout {IDLE_S:g} s)")
    assert waited < IDLE_S + 30
    timed_out = [at for (m, status), at in tenant.at.items() if status == "ended_by_timeout"]
    assert timed_out and min(timed_out) < tenant.at[(new, "live")]  # it took a freed slot
    await tenant.reached([new, *idle], "done", 180)
    for mid in idle:
        assert tenant.statuses[mid] == END_OF_IDLE, tenant.statuses[mid]
    assert "ended_by_timeout" not in tenant.statuses[new]
    assert not [e for e in tenant.errors if e.fatal], tenant.errors
    for _ in range(50):  # the slots are free
        if all(t.done() for t in worker.meetings.values()):
            break
        await asyncio.sleep(0.1)
    assert all(t.done() for t in worker.meetings.values())

    with worker.db.session() as s:
        for mid in idle:
            assert repo.get_meeting(s, tenant.name, mid).status == "done"
            assert repo.get_transcript(s, tenant.name, mid, "final").segments == []
            history = [e.detail for e in repo.status_history(s, tenant.name, mid)]
            assert any(d.startswith("ended_by_timeout: no audio for 3 s") for d in history)
        final = repo.get_transcript(s, tenant.name, new, "final")
        assert final.segments and final.duration > 2.5


async def test_a_tenant_over_its_cap_is_refused_until_a_meeting_ends(
    tmp_path, nats_url: str, nc: Any, start_worker: Any
) -> None:
    await start_worker(
        bus_settings(tmp_path, nats_url, meeting_idle_timeout_s=IDLE_S, bus_tenant_max_meetings=2)
    )
    js = nc.jetstream()
    await wait_for_streams(js)
    capped, other = Tenant(), Tenant()
    await capped.watch(nc)
    await other.watch(nc)
    first = [meeting_id("cap") for _ in range(2)]
    for mid in first:
        await capped.start(js, mid)
    await capped.reached(first, "live", 60)

    refused, elsewhere = meeting_id("over"), meeting_id("other")
    await capped.start(js, refused)
    await other.start(js, elsewhere)
    await other.reached([elsewhere], "live", 30)
    for _ in range(100):
        if capped.errors:
            break
        await asyncio.sleep(0.1)
    (error,) = capped.errors
    assert (error.meeting_id, error.code, error.fatal) == (refused, "too_many_meetings", True)
    assert "ASR_BUS_TENANT_MAX_MEETINGS=2" in error.message
    assert refused not in capped.statuses  # never live

    await capped.reached(first, "done", 60)  # ended by the idle timeout: room again
    again = meeting_id("again")
    await capped.start(js, again)
    await capped.reached([again], "live", 30)
    await capped.reached([again], "done", 60)
    await other.reached([elsewhere], "done", 60)
    assert len(capped.errors) == 1
