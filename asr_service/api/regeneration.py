"""Write the minutes again from the stored transcript (after a clerk corrected it), in the background.

The minutes model takes minutes on a CPU, so a regeneration runs on one background thread and the
request answers 202 at once. The result is stored with ``repository.save_minutes``, which appends
a new ``draft`` version: the versions a clerk edited or validated are never touched, and downloads
keep carrying the validated version until a clerk validates a newer one. The outcome is audited
(``minutes.regenerated`` or ``minutes.regeneration_failed``, with the reason) and shown on the
meeting page while it runs; a regeneration cut by a restart of the process is simply asked again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from asr_service.storage import Database
from asr_service.storage import repository as repo
from asr_service.transcript import Transcript
from summarizer.schema import Minutes

log = logging.getLogger(__name__)

MinutesGenerator = Callable[[Transcript, str | None], Minutes]
"""``(transcript, title) -> Minutes``: the summarizer, or a stand-in in tests."""


def summarizer_generator(transcript: Transcript, title: str | None) -> Minutes:
    """The shipped summarizer (``ASR_LLM_*`` settings; the model is loaded once per process)."""
    from summarizer import summarize

    return summarize(transcript, title=title)


class Regenerations:
    """One background thread of regenerations; at most one per meeting at a time."""

    def __init__(self, db: Database, generator: MinutesGenerator = summarizer_generator) -> None:
        self.db = db
        self.generator = generator
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minutes-regen")
        self._running: dict[tuple[str, str], Future[None]] = {}
        self._lock = threading.Lock()

    def running(self, tenant_id: str, meeting_id: str) -> bool:
        with self._lock:
            return (tenant_id, meeting_id) in self._running

    def submit(self, tenant_id: str, meeting_id: str, actor: str) -> bool:
        """Queue a regeneration; ``False`` when one is already queued or running."""
        key = (tenant_id, meeting_id)
        with self._lock:
            if key in self._running:
                return False
            future = self._pool.submit(self._run, tenant_id, meeting_id, actor)
            self._running[key] = future
        future.add_done_callback(lambda _f: self._forget(key))
        return True

    def _forget(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._running.pop(key, None)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the queued regenerations are done (tests, shutdown)."""
        with self._lock:
            futures = list(self._running.values())
        for future in futures:
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, tenant_id: str, meeting_id: str, actor: str) -> None:
        try:
            with self.db.session() as session:
                meeting = repo.require_meeting(session, tenant_id, meeting_id)
                title = meeting.title or None
                transcript = repo.get_transcript(session, tenant_id, meeting_id)
            if transcript is None:
                raise ValueError("la réunion n'a pas de transcription")
            minutes = self.generator(transcript, title)
            from summarizer.render import render_markdown

            minutes = minutes.model_copy(update={"meeting_id": meeting_id})
            with self.db.session() as session:
                before = repo.latest_minutes_version(session, tenant_id, meeting_id)
                repo.save_minutes(
                    session,
                    tenant_id,
                    meeting_id,
                    minutes.model_dump(mode="json"),
                    render_markdown(minutes),
                )
                after = repo.latest_minutes_version(session, tenant_id, meeting_id)
                repo.audit(
                    session,
                    "minutes.regenerated",
                    tenant_id=tenant_id,
                    actor=actor,
                    target=meeting_id,
                    detail={
                        "version": after.number if after else None,
                        "new_version": after is not None
                        and (before is None or after.number > before.number),
                    },
                )
        except repo.NotFound:
            return  # the meeting was deleted meanwhile
        except Exception as exc:  # noqa: BLE001 - recorded for the clerk, the thread goes on
            log.exception("regeneration of %s/%s failed", tenant_id, meeting_id)
            try:
                with self.db.session() as session:
                    repo.audit(
                        session,
                        "minutes.regeneration_failed",
                        tenant_id=tenant_id,
                        actor=actor,
                        target=meeting_id,
                        detail={"error": f"{exc.__class__.__name__}: {exc}"[:2000]},
                    )
            except Exception:  # noqa: BLE001 - nothing more can be done; it is logged above
                log.exception("could not audit the failed regeneration")
