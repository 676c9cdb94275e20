"""One audio track per participant: speakers come from the tracks, in live and final transcripts,
and the minutes step runs after the final pass."""

from __future__ import annotations

from typing import Any

import numpy as np

import summarizer.pipeline
from asr_service.bus.schemas import Participant
from asr_service.bus.simulator import simulate
from asr_service.storage import repository as repo

from .conftest import bus_settings, meeting_id

SR = 16000
# Turns of the shipped sample meeting (s): the chair, then the clerk, alternately.
TURNS = [(0.0, 7.3, "chair"), (7.3, 14.5, "clerk"), (14.5, 24.3, "chair"), (24.3, 30.0, "clerk")]


class SilentLLM:
    """An LLM backend that finds nothing to report: the minutes step runs for real around it
    (windows, participants, rendering, storage, event) without the minutes of CPU time the
    embedded LLM takes; its own end-to-end tests are in tests/summarizer."""

    name = "silent"
    context_tokens = 8192

    def complete_json(self, messages: Any, schema: Any, *, max_tokens: int) -> dict[str, Any]:
        return {"decisions": [], "actions": [], "topics": [], "questions": [], "roles": []}


async def test_tracks_name_the_speakers_and_the_minutes_follow(
    tmp_path, nats_url: str, nc: Any, start_worker: Any, french_speech: np.ndarray, monkeypatch
) -> None:
    monkeypatch.setattr(summarizer.pipeline, "shared_backend", lambda _settings: SilentLLM())
    worker = await start_worker(bus_settings(tmp_path, nats_url), minutes=True)
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
    # then the minutes step: announced with their Markdown, stored under the meeting ID
    assert result.minutes is not None and result.minutes.available, result.minutes
    assert "Maire" in result.minutes.markdown and "Secrétaire" in result.minutes.markdown
    with worker.db.session() as s:
        stored = repo.get_minutes(s, "acme", mid)
    assert stored is not None and stored.markdown == result.minutes.markdown
