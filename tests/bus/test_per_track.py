"""One audio track per participant: speakers come from the tracks, in live and final transcripts."""

from __future__ import annotations

from typing import Any

import numpy as np

from asr_service.bus.schemas import Participant
from asr_service.bus.simulator import simulate
from asr_service.storage import repository as repo

from .conftest import bus_settings, meeting_id

SR = 16000
# Turns of the shipped sample meeting (s): the chair, then the clerk, alternately.
TURNS = [(0.0, 7.3, "chair"), (7.3, 14.5, "clerk"), (14.5, 24.3, "chair"), (24.3, 30.0, "clerk")]


async def test_tracks_name_the_speakers(
    tmp_path, nats_url: str, nc: Any, start_worker: Any, french_speech: np.ndarray
) -> None:
    worker = await start_worker(bus_settings(tmp_path, nats_url))
    audio = french_speech[: 30 * SR]
    tracks = {"chair": np.zeros_like(audio), "clerk": np.zeros_like(audio)}
    for start, end, who in TURNS:
        a, b = int(start * SR), int(end * SR)
        tracks[who][a:b] = audio[a:b]
    mid = meeting_id("tracks")
    result = await simulate(
        nc,
        tracks,
        meeting_id=mid,
        tenant="acme",
        participants=[
            Participant(id="u1", name="Maire", track="chair"),
            Participant(id="u2", name="Secrétaire", track="clerk"),
        ],
        speed=6.0,
        timeout=240,
    )
    assert result.statuses[-1].status == "done"
    names = {"chair": "Maire", "clerk": "Secrétaire"}
    for _, event in result.committed:
        seg = event.segment
        # a track only carries its participant's turns: each segment is said during one of them
        # (word timestamps may start a little early at a cut, so overlap is what is checked)
        own = [(a, b) for a, b, who in TURNS if who == event.track]
        assert any(min(b, seg.end) - max(a, seg.start) > 0 for a, b in own), (event.track, seg)
        assert seg.speaker == names[event.track]
    assert {e.segment.speaker for _, e in result.committed} == {"Maire", "Secrétaire"}
    with worker.db.session() as s:
        final = repo.get_transcript(s, "acme", mid)
    assert {seg.speaker for seg in final.segments} == {"Maire", "Secrétaire"}
    assert [sp.id for sp in final.speakers] == ["Maire", "Secrétaire"]
    assert final.segments == sorted(final.segments, key=lambda seg: seg.start)
    assert worker.audio.tracks("acme", mid) == ["chair", "clerk"]
