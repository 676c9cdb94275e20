"""Several workers share the meetings of one bus: each meeting is owned by exactly one worker
from start to end (its lease), and a worker takes no more meetings than its limit."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import numpy as np

from asr_service.bus.simulator import simulate
from asr_service.storage import repository as repo

from .conftest import bus_settings, meeting_id

SR = 16000


async def test_two_workers_share_four_meetings_one_owner_each(
    tmp_path, nats_url: str, nc: Any, start_worker: Any, french_speech: np.ndarray
) -> None:
    settings = bus_settings(tmp_path, nats_url)
    workers = [
        await start_worker(settings, worker_id=name, max_meetings=2) for name in ("w-a", "w-b")
    ]
    ids = [meeting_id(f"shared{i}") for i in range(4)]
    clips = [french_speech[i * 5 * SR : (i * 5 + 9) * SR] for i in range(4)]
    results = await asyncio.gather(
        *(
            simulate(nc, {"mix": clip}, meeting_id=mid, tenant="acme", speed=3.0, timeout=240)
            for mid, clip in zip(ids, clips, strict=True)
        )
    )
    assert [r.statuses[-1].status for r in results] == ["done"] * 4

    owners = {}
    with workers[0].db.session() as s:
        for mid in ids:
            details = [e.detail for e in repo.status_history(s, "acme", mid)]
            starts = [d for d in details if d.startswith(("started by", "resumed by"))]
            assert len(starts) == 1 and starts[0].startswith("started by"), details
            owners[mid] = starts[0].removeprefix("started by ")
            workers_of_events = {
                e.worker for r in results for e in r.statuses if e.meeting_id == mid
            }
            assert workers_of_events == {owners[mid]}, workers_of_events  # nobody else wrote
            assert repo.get_transcript(s, "acme", mid).settings["pass"] == "final"
    assert Counter(owners.values()) == {"w-a": 2, "w-b": 2}, owners
    for mid, clip in zip(ids, clips, strict=True):
        assert len(workers[0].audio.read("acme", mid, "mix")) == len(clip)
