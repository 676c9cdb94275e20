"""A meeting's events (``asr_service.bus.events``), alone: what each carries, in which order it is
queued, and how a status is recorded (``ended_by_timeout`` is stored as ``ending``, named in the
history's detail). Storage is a real SQLite database; the worker is a small stand-in that records
what would go to the outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asr_service.bus.events import MeetingEvents
from asr_service.bus.schemas import CommittedEvent, FinalEvent, MinutesEvent, StatusEvent
from asr_service.config import Settings
from asr_service.storage import Database
from asr_service.storage import repository as repo
from asr_service.transcript import Segment, Transcript


class _Worker:
    """Records emitted events; runs repository calls on a real database."""

    id = "worker-test"

    def __init__(self, db: Database):
        self.db = db
        self.sent: list[tuple[str, Any, str | None]] = []

    async def emit(self, subject: str, event: Any, *, msg_id: str | None = None) -> int:
        self.sent.append((subject, event, msg_id))
        return len(self.sent)

    async def db_call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self.db.session() as session:
            return fn(session, *args, **kwargs)


async def test_statuses_are_recorded_then_queued_in_order(tmp_path: Path) -> None:
    db = Database.from_settings(Settings(data_dir=tmp_path))
    db.migrate()
    try:
        with db.session() as s:
            repo.upsert_meeting(s, "acme", "m-1", source="live", status="live")
        worker = _Worker(db)
        events = MeetingEvents(worker, "acme", "m-1")
        await events.status("ended_by_timeout", detail="no audio for 300 s")
        await events.status("ending", detail="flushing live streams")
        segment = Segment(id=7, start=1.0, end=2.0, text="Bonjour.")
        await events.committed(segment, "mix")
        transcript = Transcript(segments=[segment], duration=2.0)
        await events.final(transcript, max_message_bytes=1024 * 1024)
        await events.minutes(
            "# CR\n" * 200_000, available=True, detail="done", max_message_bytes=1024 * 1024
        )
        await events.status("done", detail="1 segments")

        subjects = [s for s, _, _ in worker.sent]
        assert subjects == [
            "meetings.acme.m-1.status",
            "meetings.acme.m-1.status",
            "meetings.acme.m-1.committed",
            "meetings.acme.m-1.final",
            "meetings.acme.m-1.minutes",
            "meetings.acme.m-1.status",
        ]
        kinds = [type(e) for _, e, _ in worker.sent]
        assert kinds == [
            StatusEvent,
            StatusEvent,
            CommittedEvent,
            FinalEvent,
            MinutesEvent,
            StatusEvent,
        ]
        statuses = [e.status for _, e, _ in worker.sent if isinstance(e, StatusEvent)]
        assert statuses == ["ended_by_timeout", "ending", "done"]
        assert worker.sent[2][2] == "acme.m-1.segment.7"  # de-duplicated by JetStream
        final, minutes = worker.sent[3][1], worker.sent[4][1]
        assert final.transcript is not None and final.transcript.segments[0].text == "Bonjour."
        assert minutes.markdown is None and minutes.available  # too large inline: over HTTP
        assert events.last == len(worker.sent)

        with db.session() as s:
            history = [(e.status, e.detail) for e in repo.status_history(s, "acme", "m-1")]
        assert history[-3:] == [
            ("ending", "ended_by_timeout: no audio for 300 s"),
            ("ending", "flushing live streams"),
            ("done", "1 segments"),
        ]
    finally:
        db.dispose()
