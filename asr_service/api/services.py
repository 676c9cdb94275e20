"""What the HTTP layer works with, built once per app: settings, database, files, jobs, metrics.

Routes reach it through :func:`asr_service.api.deps.get_services`; tests build their own (a SQLite
file or a PostgreSQL URL, a temporary data folder, a chosen processor).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import text

from asr_service.api.jobs import JobRunner, Processor, pipeline_processor
from asr_service.api.metrics import ApiMetrics
from asr_service.api.outbox import OutboxPublisher
from asr_service.api.regeneration import Regenerations
from asr_service.api.retention import PurgeReport, purge_expired
from asr_service.config import Settings
from asr_service.storage import AudioStore, Database

ReadinessCheck = Callable[[], tuple[bool, str]]


def storage_locations(settings: Settings) -> tuple[AudioStore, Path]:
    """Where received audio (live tracks) and uploaded recordings live under the data folder."""
    data_dir = settings.resolved_data_dir
    audio_store = AudioStore(
        getattr(settings, "audio_dir", None) or data_dir / "audio",
        retention_days=getattr(settings, "audio_retention_days", None),
    )
    return audio_store, data_dir / "uploads"


@dataclass
class ApiServices:
    """The API's collaborators; one instance per app."""

    settings: Settings
    db: Database
    audio_store: AudioStore
    upload_root: Path
    jobs: JobRunner
    metrics: ApiMetrics
    checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    regenerations: Regenerations | None = None
    """Writes minutes again on demand; ``None`` when this process runs no jobs (workers 0)."""
    outbox: OutboxPublisher | None = None
    """Publishes ``minutes_validated`` events; ``None`` without ``ASR_NATS_URL``."""

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        db: Database | None = None,
        processor: Processor | None = None,
        model_check: ReadinessCheck | None = None,
    ) -> ApiServices:
        """Wire the services from settings; ``db``/``processor`` override the defaults."""
        db = db or Database.from_settings(settings)
        metrics = ApiMetrics()
        jobs = JobRunner(
            db,
            processor or pipeline_processor(settings),
            workers=settings.api_job_workers,
            metrics=metrics,
        )
        audio_store, upload_root = storage_locations(settings)
        services = cls(
            settings=settings,
            db=db,
            audio_store=audio_store,
            upload_root=upload_root,
            jobs=jobs,
            metrics=metrics,
            regenerations=Regenerations(db) if settings.api_job_workers > 0 else None,
            outbox=OutboxPublisher(db, settings) if getattr(settings, "nats_url", None) else None,
        )
        services.checks = {
            "storage": services.check_storage,
            "models": model_check or services.check_models,
            "bus": services.check_bus,
        }
        return services

    @property
    def upload_max_bytes(self) -> int:
        return self.settings.upload_max_mb * (1 << 20)

    # -- readiness -------------------------------------------------------------------------------

    def check_storage(self) -> tuple[bool, str]:
        """The database answers and the upload folder is writable."""
        try:
            with self.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            return False, f"database unreachable: {exc.__class__.__name__}"
        try:
            self.upload_root.mkdir(parents=True, exist_ok=True)
            probe = self.upload_root / ".ready"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            return False, f"upload folder not writable: {exc}"
        return True, "ok"

    def check_models(self) -> tuple[bool, str]:
        """The speech model the jobs use is installed and intact (shallow check; loading is lazy).

        Never assembles nor downloads anything: a probe must stay cheap.
        """
        if self.settings.api_job_workers == 0:
            return True, "no batch jobs in this process"
        from asr_service.asr import REQUIRED_FILES
        from models import ModelStore
        from models.catalogue import list_specs

        name = self.settings.model
        if name in {s.name for s in list_specs() if s.kind == "asr"}:
            report = ModelStore(self.settings.models_dir, self.settings.model_paths).verify(
                name, deep=False
            )
            if report.ok:
                return True, f"{name}: {report.path}"
            return False, f"{name}: " + "; ".join(report.problems) + " (asr-service models install)"
        folder = Path(name).expanduser()
        missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
        if missing:
            return False, f"{folder}: missing {', '.join(missing)}"
        return True, str(folder)

    def check_bus(self) -> tuple[bool, str]:
        """The NATS server, when one is configured, accepts TCP connections."""
        url = getattr(self.settings, "nats_url", None)
        if not url:
            return True, "no bus configured (HTTP only)"
        first = str(url).split(",")[0]
        parsed = urlparse(first if "://" in first else f"nats://{first}")
        try:
            with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 4222), 2):
                pass
        except OSError as exc:
            return False, f"bus unreachable: {exc}"
        return True, "ok"

    async def readiness(self) -> dict[str, tuple[bool, str]]:
        """Every check, run off the event loop."""
        results = await asyncio.gather(*(asyncio.to_thread(c) for c in self.checks.values()))
        return dict(zip(self.checks, results, strict=True))

    # -- retention -------------------------------------------------------------------------------

    def purge_expired(self) -> PurgeReport:
        return purge_expired(
            self.db,
            self.settings,
            audio_store=self.audio_store,
            upload_root=self.upload_root,
            metrics=self.metrics,
        )
