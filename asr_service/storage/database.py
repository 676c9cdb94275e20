"""Engine, sessions and schema migrations for the service database.

``Database(url)`` wraps one SQLAlchemy engine. The default URL is an embedded SQLite file
``<data_dir>/asr.db``; production passes a PostgreSQL URL (``ASR_DATABASE_URL``, e.g.
``postgresql+psycopg://user:pass@host/db``; a bare ``postgresql://`` is mapped to psycopg 3).
``Database.migrate()`` applies the Alembic migrations of ``asr_service/migrations`` up to head; the
service calls it at start-up, so a fresh or an older database is always brought to the current
schema. ``Database.session()`` is a context manager that commits on success and rolls back on error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


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
        return cls(url)

    def alembic_config(self) -> Config:
        """An Alembic config pointing at the packaged migrations and this database."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def migrate(self, revision: str = "head") -> None:
        """Apply the migrations up to ``revision`` (idempotent; safe at every start-up)."""
        cfg = self.alembic_config()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

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
