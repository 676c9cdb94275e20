"""Batch jobs for uploaded recordings: a small thread pool that runs the file pipeline.

An upload creates a meeting (source ``upload``, status ``created``) and a job (``queued``); the
runner then moves both through ``running``/``finalizing`` to ``done`` or ``failed``, storing the
final transcript and the minutes through the storage layer. The processing itself is a
:class:`Processor`: by default :func:`pipeline_processor`, which calls the shared
``asr_service.pipeline.process_file`` (decode, VAD, ASR, diarization, minutes); tests of the HTTP
layer may pass a lighter one. Jobs left ``queued`` or ``running`` by a stopped process are picked up
again at the next start (:meth:`JobRunner.resume_pending`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from asr_service.api.errors import public_error
from asr_service.api.metrics import ApiMetrics
from asr_service.config import Settings
from asr_service.storage import Database
from asr_service.storage import repository as repo
from asr_service.storage.models import Job, Meeting
from asr_service.transcript import Transcript

log = logging.getLogger(__name__)


@dataclass
class JobInput:
    """What a processor gets: the recording and the meeting's metadata."""

    path: Path
    tenant_id: str
    meeting_id: str
    title: str
    language: str
    participants: list[dict[str, Any]]
    vocabulary: list[str]
    options: dict[str, Any]


@dataclass
class JobOutput:
    """What a processor returns: the transcript, and the minutes when they were produced."""

    transcript: Transcript
    minutes: Any | None = None  # summarizer.schema.Minutes
    minutes_markdown: str = ""


class Processor(Protocol):
    """Turns one recording into a transcript (and minutes); ``progress`` takes 0..1."""

    def __call__(self, job: JobInput, progress: Callable[[float], None]) -> JobOutput: ...


def pipeline_processor(settings: Settings, pipeline: Any | None = None) -> Processor:
    """The real processor: the shared file pipeline (:class:`asr_service.pipeline.Pipeline`).

    One pipeline per runner (``pipeline``, or one built on the first job), so the models load
    once and stay loaded.
    """
    state: dict[str, Any] = {"pipeline": pipeline} if pipeline is not None else {}
    lock = threading.Lock()

    def process(job: JobInput, progress: Callable[[float], None]) -> JobOutput:
        from asr_service.pipeline import Pipeline, PipelineOptions  # loads model code lazily

        with lock:
            pipeline = state.get("pipeline") or state.setdefault("pipeline", Pipeline(settings))
        names = [str(p.get("name")) for p in job.participants if p.get("name")]
        options = PipelineOptions(
            language=None if job.language == "auto" else job.language,
            vocabulary=job.vocabulary,
            participants=names,
            minutes=bool(job.options.get("minutes", True)),
            title=job.title or None,
            meeting_id=job.meeting_id,
        )

        def stage_progress(stage: str, done: float, total: float) -> None:
            if stage == "asr" and total:
                progress(0.9 * done / total)  # ASR is most of the work; the rest is the last 10 %

        result = pipeline.run_file(job.path, options, progress=stage_progress)
        return JobOutput(
            transcript=result.transcript,
            minutes=result.minutes,
            minutes_markdown=result.minutes_markdown or "",
        )

    return process


class JobRunner:
    """Runs queued jobs on ``workers`` threads and records their outcome in storage."""

    def __init__(
        self,
        db: Database,
        processor: Processor,
        *,
        workers: int = 1,
        metrics: ApiMetrics | None = None,
    ) -> None:
        self.db = db
        self.processor = processor
        self.metrics = metrics or ApiMetrics()
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="job")
        self._pending: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    @property
    def depth(self) -> int:
        """Jobs waiting or running in this process."""
        with self._lock:
            return len(self._pending)

    def submit(self, tenant_id: str, job_id: str) -> Future[None]:
        """Queue one stored job for processing."""
        with self._lock:
            future = self._pool.submit(self._run, tenant_id, job_id)
            self._pending[job_id] = future
            self.metrics.queue_depth.set(len(self._pending))
        future.add_done_callback(lambda _f: self._done(job_id))
        return future

    def _done(self, job_id: str) -> None:
        with self._lock:
            self._pending.pop(job_id, None)
            self.metrics.queue_depth.set(len(self._pending))

    def resume_pending(self) -> int:
        """Re-queue the jobs a previous process left unfinished; returns how many."""
        with self.db.session() as session:
            rows = session.execute(
                select(Job.tenant_id, Job.id).where(Job.status.in_(("queued", "running")))
            ).all()
        for tenant_id, job_id in rows:
            self.submit(tenant_id, job_id)
        return len(rows)

    def wait(self, timeout: float | None = None) -> None:
        """Block until every queued job has finished (tests, shutdown)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                futures = list(self._pending.values())
            if not futures:
                return
            for future in futures:
                remaining = None if deadline is None else max(deadline - time.monotonic(), 0)
                future.result(timeout=remaining)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- one job ---------------------------------------------------------------------------------

    def _load(self, tenant_id: str, job_id: str) -> JobInput | None:
        with self.db.session() as session:
            job = repo.get_job(session, tenant_id, job_id)
            if job is None or job.meeting_pk is None:
                return None  # deleted meanwhile (meeting deletion removes its jobs)
            meeting = session.get(Meeting, job.meeting_pk)
            if meeting is None or not meeting.audio_path:
                return None
            repo.update_job(session, tenant_id, job_id, status="running", progress=0.0)
            repo.set_meeting_status(
                session, tenant_id, meeting.meeting_id, "finalizing", detail="traitement du fichier"
            )
            return JobInput(
                path=Path(meeting.audio_path),
                tenant_id=tenant_id,
                meeting_id=meeting.meeting_id,
                title=meeting.title,
                language=meeting.language,
                participants=list(meeting.participants or []),
                vocabulary=list(meeting.vocabulary or []),
                options=dict(job.options or {}),
            )

    def _progress(self, tenant_id: str, job_id: str) -> Callable[[float], None]:
        last = [0.0]

        def report(value: float) -> None:
            value = min(max(float(value), 0.0), 1.0)
            if value - last[0] < 0.05 and value < 1.0:
                return  # a few writes per job, not one per segment
            last[0] = value
            try:
                with self.db.session() as session:
                    repo.update_job(session, tenant_id, job_id, progress=value)
            except repo.NotFound:
                pass

        return report

    def _run(self, tenant_id: str, job_id: str) -> None:
        started = time.monotonic()
        job = self._load(tenant_id, job_id)
        if job is None:
            return
        try:
            output = self.processor(job, self._progress(tenant_id, job_id))
        except Exception as exc:
            log.exception("job %s failed", job_id)
            self.metrics.jobs.labels("failed").inc()
            self.metrics.errors.labels("job").inc()
            message = public_error(exc)  # shown to clients: no server path
            try:
                with self.db.session() as session:
                    repo.update_job(session, tenant_id, job_id, status="failed", error=message)
                    repo.set_meeting_status(
                        session, tenant_id, job.meeting_id, "failed", detail=message, error=message
                    )
            except repo.NotFound:
                pass
            return
        elapsed = time.monotonic() - started
        try:
            with self.db.session() as session:
                transcript = output.transcript.model_copy(update={"meeting_id": job.meeting_id})
                repo.save_transcript(session, tenant_id, job.meeting_id, "final", transcript)
                if output.minutes is not None:
                    repo.save_minutes(
                        session,
                        tenant_id,
                        job.meeting_id,
                        output.minutes.model_dump(mode="json"),
                        output.minutes_markdown,
                    )
                repo.update_job(session, tenant_id, job_id, status="done", progress=1.0)
                repo.set_meeting_status(session, tenant_id, job.meeting_id, "done")
        except repo.NotFound:
            return  # the meeting was deleted while it was being processed
        self.metrics.jobs.labels("succeeded").inc()
        self.metrics.job_duration.observe(elapsed)
        if output.transcript.duration > 0:
            self.metrics.real_time_factor.observe(elapsed / output.transcript.duration)
