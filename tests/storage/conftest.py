"""Fixtures for the storage tests: a migrated database on SQLite and, when reachable, PostgreSQL.

PostgreSQL is ``ASR_TEST_POSTGRES_URL`` or ``postgresql+psycopg://root@127.0.0.1:5432/test``; each
test session works in its own throw-away schema so parallel runs do not collide. When no server
answers, the PostgreSQL parameter is skipped (SQLite always runs).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from asr_service.storage import Database

PG_URL = os.environ.get("ASR_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema on the test PostgreSQL, dropped afterwards."""
    try:
        admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        schema = f"asr_test_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """A freshly migrated database of each backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'asr.db'}")
        database.migrate()
        yield database
        database.dispose()
        return
    url = request.getfixturevalue("postgres_schema_url")
    database = Database(url)
    database.migrate()
    yield database
    from asr_service.storage.models import Base

    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    database.dispose()
