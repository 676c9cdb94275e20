"""Migration 0003 on a database that already holds minutes: each becomes version 1 (a draft by
the service), on SQLite and on PostgreSQL (a throw-away schema; skipped when no server answers)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from asr_service.storage import Database
from asr_service.storage import repository as repo
from tests.api.conftest import PG_URL, sample_minutes


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.db'}")
        yield db
        db.dispose()
        return
    schema = f"asr_mig_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - no server here
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    sep = "&" if "?" in PG_URL else "?"
    db = Database(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    yield db
    db.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_existing_minutes_become_version_one(empty_database: Database) -> None:
    db = empty_database
    config = db.alembic_config()
    command.upgrade(config, "0002")
    assert "minutes_versions" not in inspect(db.engine).get_table_names()
    minutes = sample_minutes("ancien").model_dump(mode="json")
    with db.engine.begin() as conn:  # rows as a 0002 database holds them
        conn.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('t', 't', :now)"),
                     {"now": "2026-11-01 10:00:00+00"})  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO meetings (tenant_id, meeting_id, source, title, language, "
                "participants, vocabulary, status, created_at, updated_at, state) VALUES "
                "('t', 'ancien', 'upload', 'Ancien', 'fr', '[]', '[]', 'done', :now, :now, '{}')"
            ),
            {"now": "2026-11-01 10:00:00+00"},
        )
        pk = conn.execute(text("SELECT pk FROM meetings WHERE meeting_id = 'ancien'")).scalar()
        conn.execute(
            text(
                "INSERT INTO minutes (meeting_pk, data, markdown, created_at, updated_at) "
                "VALUES (:pk, :data, '', :now, :now)"
            ),
            {"pk": pk, "data": json.dumps(minutes), "now": "2026-11-01 10:05:00+00"},
        )
    command.upgrade(config, "head")
    with db.session() as s:
        versions = repo.minutes_versions(s, "t", "ancien")
        assert [(v.number, v.status, v.author) for v in versions] == [
            (1, "draft", repo.SERVICE_AUTHOR)
        ]
        assert versions[0].data == minutes and versions[0].changes == []
        # the next generation appends version 2; the backfilled one stays
        changed = {**minutes, "title": "Nouveau titre"}
        repo.save_minutes(s, "t", "ancien", changed)
        assert [v.number for v in repo.minutes_versions(s, "t", "ancien")] == [1, 2]
    command.downgrade(config, "0002")
    assert "minutes_versions" not in inspect(db.engine).get_table_names()
    assert "bus_outbox" not in inspect(db.engine).get_table_names()
