"""Repository behaviour on a real database (SQLite and PostgreSQL): tenancy, tokens, meetings,
transcripts, minutes, jobs and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect

from asr_service.storage import Conflict, Database, NotFound
from asr_service.storage import repository as repo
from asr_service.storage.models import Base, utcnow
from asr_service.transcript import Segment, Transcript, Word


def test_migrations_match_models(db: Database) -> None:
    """The Alembic head creates exactly the tables and columns the ORM models declare."""
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    for name, table in Base.metadata.tables.items():
        columns = {c["name"] for c in inspector.get_columns(name)}
        assert columns == {c.name for c in table.columns}, name
    db.migrate()  # idempotent on an up-to-date database


def test_tokens_are_hashed_scoped_and_revocable(db: Database) -> None:
    with db.session() as s:
        token, secret = repo.create_api_token(s, "acme", "backend", name="meet-backend")
        token_id = token.id
        assert token.token_hash != secret and secret.startswith("asr_")
        with pytest.raises(ValueError, match="unknown role"):
            repo.create_api_token(s, "acme", "superuser")
    with db.session() as s:
        found = repo.authenticate_token(s, secret)
        assert found is not None and found.role == "backend" and found.tenant_id == "acme"
        assert found.last_used_at is not None
        assert repo.authenticate_token(s, secret + "x") is None
        with pytest.raises(NotFound):
            repo.revoke_api_token(s, "other-tenant", token_id)
        repo.revoke_api_token(s, "acme", token_id)
        assert repo.authenticate_token(s, secret) is None
        _, expired = repo.create_api_token(
            s, "acme", "clerk", expires_at=utcnow() - timedelta(seconds=1)
        )
        assert repo.authenticate_token(s, expired) is None
        assert [t.role for t in repo.list_api_tokens(s, "acme")] == ["backend", "clerk"]


def test_meetings_are_tenant_scoped_with_history(db: Database) -> None:
    with db.session() as s:
        repo.create_meeting(
            s,
            "acme",
            "m1",
            title="CODIR",
            participants=[{"id": "p1", "name": "Alice"}],
            vocabulary=["Anthropic"],
            status="live",
        )
        with pytest.raises(Conflict):
            repo.create_meeting(s, "acme", "m1")
        _, created = repo.upsert_meeting(s, "acme", "m1", title="ignored")
        assert not created
        repo.create_meeting(s, "globex", "m1", title="same id, other tenant")
    with db.session() as s:
        assert repo.get_meeting(s, "acme", "m1").title == "CODIR"
        assert repo.get_meeting(s, "globex", "m1").title == "same id, other tenant"
        assert repo.get_meeting(s, "acme", "nope") is None
        with pytest.raises(NotFound):
            repo.set_meeting_status(s, "initech", "m1", "done")
        repo.set_meeting_status(s, "acme", "m1", "ending", detail="ended event")
        m = repo.set_meeting_status(s, "acme", "m1", "done")
        assert m.ended_at is not None and m.started_at is not None
        assert [e.status for e in repo.status_history(s, "acme", "m1")] == [
            "live",
            "ending",
            "done",
        ]
        assert [x.meeting_id for x in repo.list_meetings(s, "acme", status="done")] == ["m1"]
        with pytest.raises(ValueError):
            repo.set_meeting_status(s, "acme", "m1", "exploded")


def test_live_segments_idempotent_and_final_replaces_live(db: Database) -> None:
    seg = [
        Segment(
            id=i,
            start=i * 2.0,
            end=i * 2.0 + 1.5,
            text=f"phrase {i}",
            speaker="p1",
            words=[Word(start=i * 2.0, end=i * 2.0 + 0.5, word="phrase")],
        )
        for i in range(3)
    ]
    with db.session() as s:
        repo.create_meeting(s, "acme", "m2", status="live")
        assert repo.add_live_segments(s, "acme", "m2", seg[:2], state={"cursor": 1}) == 2
    with db.session() as s:  # a redelivery after a crash repeats segment 1
        assert repo.add_live_segments(s, "acme", "m2", seg[1:], state={"cursor": 2}) == 1
        assert repo.get_meeting(s, "acme", "m2").state == {"cursor": 2}
        live = repo.get_transcript(s, "acme", "m2")
        assert [x.id for x in live.segments] == [0, 1, 2]
        assert live.segments[0].words[0].word == "phrase"
        final = Transcript(meeting_id="m2", segments=[Segment(id=0, start=0, end=6, text="tout")])
        repo.save_transcript(s, "acme", "m2", "final", final)
    with db.session() as s:
        assert repo.get_transcript(s, "acme", "m2").text == "tout"
        assert len(repo.get_transcript(s, "acme", "m2", "live").segments) == 3
        with pytest.raises(NotFound):
            repo.get_transcript(s, "globex", "m2")
        repo.save_minutes(s, "acme", "m2", {"title": "CR"}, "# CR")
        repo.save_minutes(s, "acme", "m2", {"title": "CR v2"}, "# CR v2")
        assert repo.get_minutes(s, "acme", "m2").markdown == "# CR v2"
        assert repo.delete_meeting(s, "acme", "m2")
        assert repo.get_meeting(s, "acme", "m2") is None


def test_jobs_audit_and_retention(db: Database) -> None:
    with db.session() as s:
        repo.create_meeting(
            s, "acme", "up1", source="upload", retention_until=utcnow() - timedelta(minutes=1)
        )
        job = repo.create_job(
            s, "acme", filename="r.wav", options={"diarize": True}, meeting_id="up1"
        )
        job_id = job.id
    with db.session() as s:
        assert repo.get_job(s, "globex", job_id) is None
        repo.update_job(s, "acme", job_id, status="running", progress=0.5)
        done = repo.update_job(s, "acme", job_id, status="failed", error="decode error: bad file")
        assert done.finished_at is not None and done.error.startswith("decode error")
        with pytest.raises(ValueError):
            repo.update_job(s, "acme", job_id, status="weird")
        assert [j.id for j in repo.list_jobs(s, "acme", status="failed")] == [job_id]
        expired = repo.meetings_with_expired_audio(s)
        assert [m.meeting_id for m in expired] == ["up1"]
        repo.mark_audio_deleted(s, "acme", "up1")
        assert repo.meetings_with_expired_audio(s) == []
        repo.audit(s, "meeting.delete", tenant_id="acme", actor="token:1", target="up1")
        repo.audit(s, "meeting.read", tenant_id="globex", actor="token:2", target="x")
        assert [a.action for a in repo.list_audit(s, "acme")] == ["meeting.delete"]
