"""Concurrent cold starts never race on the schema migrations (issue 15 item 3, issue 16).

Four separate processes start at the same instant on an empty database and each runs the service's
start-up migration (``Database.from_settings(...).migrate()``, what ``api``, ``worker`` and
``serve`` call first). Without a lock two of them may both see an empty database and both create
the tables (``table audit_log already exists``); with the lock (a file lock beside the SQLite file,
a PostgreSQL advisory lock) every one of them exits 0 and the schema is at head once.

PostgreSQL is ``ASR_TEST_POSTGRES_ADMIN_URL`` or ``postgresql://root@127.0.0.1:5432/postgres``
(trust auth); each test creates a throw-away database and drops it. Skipped when no server answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from asr_service.storage.database import Database, normalise_url

ROOT = Path(__file__).resolve().parents[2]
STARTS = 4
ADMIN_URL = os.environ.get(
    "ASR_TEST_POSTGRES_ADMIN_URL", "postgresql://root@127.0.0.1:5432/postgres"
)

COLD_START = """
import sys, time
from types import SimpleNamespace
from asr_service.storage.database import Database
start_at = float(sys.argv[3])
db = Database.from_settings(SimpleNamespace(database_url=sys.argv[1] or None, data_dir=sys.argv[2]))
time.sleep(max(0.0, start_at - time.time()))  # every process past its imports, then all at once
began = time.perf_counter()
db.migrate()
print(f"migrated {time.perf_counter() - began:.2f}")
"""


def cold_starts(url: str, data_dir: Path, n: int = STARTS) -> list[subprocess.CompletedProcess]:
    """Start ``n`` processes that migrate the same database at the same instant."""
    start_at = time.time() + 4.0  # imports take ~1-2 s on a busy machine
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", COLD_START, url, str(data_dir), str(start_at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def _error_line(stderr: str) -> str:
    """The exception line of a traceback (the last line that names an error)."""
    lines = [line for line in stderr.splitlines() if "Error" in line and ": " in line]
    return (lines or stderr.strip().splitlines() or ["(no output)"])[-1][:300]


def assert_all_started(results: list[subprocess.CompletedProcess], url: str) -> None:
    failures = [_error_line(r.stderr) for r in results if r.returncode != 0]
    assert not failures, f"{len(failures)} of {len(results)} cold starts crashed: {failures}"
    waits = sorted(float(r.stdout.split()[-1]) for r in results)
    assert all(r.stdout.startswith("migrated ") for r in results)
    print(f"{len(results)} cold starts, migrate() took {', '.join(f'{w:.2f}' for w in waits)} s")
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            tables = set(inspect(conn).get_table_names())
    finally:
        db.dispose()
    head = db.alembic_config()
    from alembic.script import ScriptDirectory

    assert [v[0] for v in versions] == [ScriptDirectory.from_config(head).get_current_head()]
    assert {"meetings", "audit_log"} <= tables


def test_four_cold_starts_on_an_empty_sqlite_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"  # does not exist yet: the first start creates it
    results = cold_starts("", data)
    assert_all_started(results, f"sqlite:///{data / 'asr.db'}")


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database; dropped afterwards."""
    admin = create_engine(normalise_url(ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"asr_cold_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no server: skip with the reason
        admin.dispose()
        pytest.skip(f"no PostgreSQL at {ADMIN_URL}: {exc.__class__.__name__}")
    base = normalise_url(ADMIN_URL).rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_four_cold_starts_on_an_empty_postgres_database(
    empty_postgres: str, tmp_path: Path
) -> None:
    results = cold_starts(empty_postgres, tmp_path)
    assert_all_started(results, empty_postgres)
