"""The worker's log lines say which meeting, tenant and worker they are about (issue 14).

A real worker serves a meeting its backend abandons; every line logged while it handles that
meeting, through the service's JSON log format, carries ``meeting_id``, ``tenant`` and
``worker_id``, so an operator follows one meeting across a log stack.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

from asr_service.bus import subjects as sub
from asr_service.bus.schemas import MeetingStarted
from asr_service.bus.simulator import wait_for_streams
from asr_service.logging import build_formatter

from .conftest import bus_settings, meeting_id, watch_meetings


async def test_lines_about_a_meeting_carry_its_ids(
    tmp_path, nats_url: str, nc: Any, start_worker: Any
) -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(build_formatter("json"))
    handler.setLevel(logging.INFO)
    bus_logger = logging.getLogger("asr_service.bus")
    level = bus_logger.level
    bus_logger.addHandler(handler)
    bus_logger.setLevel(logging.INFO)
    try:
        worker = await start_worker(
            bus_settings(tmp_path, nats_url, meeting_idle_timeout_s=1.0), worker_id="w-logs"
        )
        js = nc.jetstream()
        await wait_for_streams(js)
        mid = meeting_id("logs")
        watch = await watch_meetings(nc, f"meetings.acme.{mid}.>")
        started = MeetingStarted(meeting_id=mid, title="Suivi des journaux")
        await js.publish(sub.subject("acme", mid, "started"), started.model_dump_json().encode())
        await asyncio.wait_for(watch.done.wait(), 60)
    finally:
        bus_logger.removeHandler(handler)
        bus_logger.setLevel(level)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    about = [line for line in lines if line.get("meeting_id") == mid]
    assert any("ends itself" in line["event"] for line in about), lines
    for line in about:
        assert (line["tenant"], line["worker_id"]) == ("acme", worker.id)
    ready = [line for line in lines if "ready on" in line["event"]]
    assert worker.id == "w-logs" and ready and "w-logs" in ready[0]["event"]
