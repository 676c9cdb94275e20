"""Engine, sessions and schema migrations for the service database.

``Database(url)`` wraps one SQLAlchemy engine. The default URL is an embedded SQLite file
``<data_dir>/asr.db``; production passes a PostgreSQL URL (``ASR_DATABASE_URL``, e.g.
``postgresql+psycopg://user:pass@host/db``; a bare ``postgresql://`` is mapped to psycopg 3).
``Database.migrate()`` applies the Alembic migrations of ``asr_service/migrations`` up to head; the
service calls it at start-up, so a fresh or an older database is always brought to the current
schema. ``Database.session()`` is a context manager that commits on success and rolls back on error.

Any number of processes may start at once (API replicas, workers, the chart's migration Job):
``migrate()`` holds a lock for the whole upgrade, so one process migrates while the others wait and
then find the schema at head. On PostgreSQL it is a transaction-level advisory lock (released at
commit or when the connection drops, so a killed process never leaves it held); on SQLite, an OS
file lock (``fcntl``, through ``filelock``) on ``<database>.migrate.lock`` beside the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from asr_service.redaction import reveal

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

MIGRATION_LOCK_KEY = 0x6173725F6D696772
"""PostgreSQL advisory lock key of the migrations (``asr_migr`` in ASCII; a signed 64-bit value).
Every release of the service uses this key, so old and new pods exclude each other too."""

MIGRATION_LOCK_TIMEOUT_S = 900.0
"""How long a process waits for another one's migration before giving up with a clear error."""


class MigrationLockTimeout(RuntimeError):
    """Another process held the migration lock for longer than the wait allowed."""


def default_database_url(data_dir: Path | str) -> str:
    """The embedded SQLite database of a data folder: ``sqlite:///<data_dir>/asr.db``."""
    return f"sqlite:///{Path(data_dir).resolve() / 'asr.db'}"


def normalise_url(url: str) -> str:
    """Map ``postgres://``/``postgresql://`` to the psycopg 3 driver that the project pins."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL and a busy timeout let a worker and the HTTP API share one SQLite file safely."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Database:
    """One database: an engine, a session factory and the migration entry point."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = normalise_url(url)
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.url.startswith("sqlite"):
            path = self.url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                # owner-only (0600) before SQLite creates it; its -wal/-shm files copy this mode
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Any) -> Database:
        """Build from the service settings: ``database_url`` or the SQLite file of ``data_dir``."""
        url = getattr(settings, "database_url", None) or default_database_url(settings.data_dir)
        return cls(reveal(url))  # a SecretUrl setting: the real URL, password included

    def alembic_config(self) -> Config:
        """An Alembic config pointing at the packaged migrations and this database."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def migrate(
        self, revision: str = "head", *, timeout_s: float = MIGRATION_LOCK_TIMEOUT_S
    ) -> None:
        """Apply the migrations up to ``revision`` under the migration lock (idempotent; safe at
        every start-up, from any number of processes at once).

        Raises :class:`MigrationLockTimeout` when another process kept the lock for
        ``timeout_s`` seconds (a migration that long, or a stuck one: the message says which lock).
        """
        cfg = self.alembic_config()
        with self._sqlite_lock(timeout_s), self.engine.begin() as conn:
            self._postgres_lock(conn, timeout_s)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    @contextmanager
    def _sqlite_lock(self, timeout_s: float) -> Iterator[None]:
        """Hold the file lock of an SQLite database file (nothing for other databases)."""
        path = self.url.split("///", 1)[-1] if self.url.startswith("sqlite") else ""
        if not path or path == ":memory:" or path.startswith("file:"):
            yield
            return
        lock = FileLock(f"{path}.migrate.lock", timeout=timeout_s, mode=0o600)
        try:
            lock.acquire()
        except Timeout as exc:
            raise MigrationLockTimeout(
                f"another process has held the migration lock {lock.lock_file} for "
                f"{timeout_s:.0f} s; is a migration still running?"
            ) from exc
        try:
            yield
        finally:
            lock.release()

    def _postgres_lock(self, conn: Connection, timeout_s: float) -> None:
        """Take the migrations' advisory lock in ``conn``'s transaction (released at its end)."""
        if conn.dialect.name != "postgresql":
            return
        conn.execute(text(f"SET LOCAL lock_timeout = '{int(timeout_s * 1000)}ms'"))
        try:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        except OperationalError as exc:
            raise MigrationLockTimeout(
                f"another process has held the migration advisory lock ({MIGRATION_LOCK_KEY}) "
                f"for {timeout_s:.0f} s; is a migration still running? (pg_locks shows it)"
            ) from exc
        conn.execute(text("SET LOCAL lock_timeout = 0"))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block succeeds, rolls back when it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection (tests and shutdown)."""
        self.engine.dispose()


def main() -> None:
    """``python -m asr_service.storage``: bring the configured database
    (``ASR_DATABASE_URL`` or the SQLite file of ``ASR_DATA_DIR``) to the current schema under the
    migration lock, and print the revision. What the Helm chart's migration Job runs."""
    from alembic.runtime.migration import MigrationContext

    from asr_service.config import get_settings

    db = Database.from_settings(get_settings())
    try:
        db.migrate()
        with db.engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
    finally:
        db.dispose()
    print(f"database schema at revision {revision}")
