"""Persistence: relational records (SQLAlchemy 2 + Alembic) and meeting audio on disk.

Use::

    from asr_service.storage import Database, AudioStore, repository as repo

    db = Database.from_settings(settings)   # SQLite <data_dir>/asr.db, or ASR_DATABASE_URL
    db.migrate()                            # Alembic upgrade to head; call once at start-up
    with db.session() as s:                 # one transaction
        repo.upsert_meeting(s, "acme", "m-42", title="CODIR", participants=[{"id": "p1",
                            "name": "Alice"}])
        t = repo.get_transcript(s, "acme", "m-42")   # final when present, else live

Modules: ``models`` (tables; see its docstring for the schema), ``database`` (engine, sessions,
migrations), ``repository`` (every query; tenant-scoped), ``audio_store`` (PCM files per
meeting/track, crash-safe appends, retention).
"""

from asr_service.storage import repository
from asr_service.storage.audio_store import AudioStore, TrackInfo, safe_name
from asr_service.storage.database import Database, default_database_url, normalise_url
from asr_service.storage.repository import Conflict, NotFound, StorageError

__all__ = [
    "AudioStore",
    "Conflict",
    "Database",
    "NotFound",
    "StorageError",
    "TrackInfo",
    "default_database_url",
    "normalise_url",
    "repository",
    "safe_name",
]
