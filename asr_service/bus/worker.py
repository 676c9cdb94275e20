"""The NATS worker's service loop: connect, declare, take meetings, watch for stray input.

Flow of one meeting (one-way: bus → streaming/pipeline → storage → bus events):

1. ``started`` reaches exactly one worker through the shared ``asr-dispatch`` consumer
   (:meth:`Worker.on_started` checks it against the contract), which runs a
   :class:`~asr_service.bus.meeting.MeetingRunner` for it. The runner takes the meeting's lease
   (:mod:`~asr_service.bus.lease`) and keeps ``started`` un-acked for the meeting's whole life,
   sending in-progress heartbeats; if the worker dies, another one takes over.
2. Audio is read through a durable per-meeting consumer, checked, re-ordered, stored and only then
   acked (:mod:`~asr_service.bus.intake`); each track is decoded live (:mod:`~asr_service.bus.live`).
3. ``ended`` (or no audio for ``ASR_MEETING_IDLE_TIMEOUT_S``): the final pass
   (:mod:`~asr_service.bus.final_pass`); ``ended`` and ``started`` are acked and the lease
   released once the results are published.

Every persisted event goes through the worker's :class:`~asr_service.bus.outbox.Outbox`
(published in order, retried with backoff until the bus has it, never dropped). Input no meeting
reads is reported by the :class:`~asr_service.bus.sentinel.Sentinel`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.kv import KeyValue
from pydantic import BaseModel

from asr_service.bus import subjects as sub
from asr_service.bus.connection import (
    BusLimits,
    connect,
    dispatch_consumer,
    ensure_consumer,
    ensure_lease_bucket,
    ensure_streams,
)
from asr_service.bus.intake import NATS_ERRORS, Rejected, check_started
from asr_service.bus.meeting import MeetingRunner
from asr_service.bus.outbox import Outbox, encode
from asr_service.bus.schemas import ErrorEvent, MeetingStarted
from asr_service.bus.sentinel import Sentinel, ensure_sentinel
from asr_service.logging import bound as bound_contextvars
from asr_service.redaction import redact_url, reveal
from asr_service.storage import AudioStore, Database
from asr_service.streaming import (
    DecodeContext,
    DecodeScheduler,
    LiveDecoding,
    SileroProbabilities,
    StreamingPolicy,
    batched_decoder,
)

log = logging.getLogger(__name__)

MAX_START_ATTEMPTS = 5
"""Deliveries of a ``started`` message that fail before its meeting runs before it is dropped."""
OUTBOX_CLOSE_S = 10.0
"""At shutdown, how long events still in the outbox may take to reach the bus."""


def _niced_thread() -> None:
    """Final passes run below live decoding: lower this thread's CPU priority (Linux)."""
    with contextlib.suppress(Exception):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class Worker:
    """One worker process: a NATS connection, one model, many meetings."""

    def __init__(
        self,
        settings: Any,
        *,
        pipeline: Any,
        db: Database,
        audio: AudioStore,
        nats_url: str | None = None,
        worker_id: str | None = None,
        policy: StreamingPolicy | None = None,
        max_meetings: int | None = None,
        minutes: bool | None = None,
        final_pass: bool = True,
    ):
        self.settings = settings
        self.pipeline = pipeline
        self.db = db
        self.audio = audio
        self.nats_url = nats_url or settings.nats_url
        if not self.nats_url:
            raise ValueError("no NATS URL: set ASR_NATS_URL or use `asr-service serve`")
        self.id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.limits = BusLimits.from_settings(settings)
        self.max_chunk_s = settings.bus_max_chunk_s
        self.max_meetings = max_meetings or settings.worker_max_meetings
        self.idle_timeout_s = float(settings.meeting_idle_timeout_s)
        self.tenant_max_meetings = int(settings.bus_tenant_max_meetings)
        self.minutes_enabled = settings.meeting_minutes if minutes is None else minutes
        self.final_pass_enabled = final_pass
        self.policy = policy or StreamingPolicy(
            end_silence_s=settings.stream_end_silence_s,
            phrase_pause_s=settings.stream_phrase_pause_s,
            phrase_after_s=settings.stream_phrase_after_s,
            partial_interval_s=settings.stream_partial_interval_s,
            max_buffer_s=settings.stream_max_buffer_s,
            agree_after_s=settings.stream_max_buffer_s,  # agreement only at the bound
        )
        transcriber = pipeline.transcriber
        live_language = settings.language if settings.language not in ("auto", "") else "fr"
        live = {
            "language": live_language,
            "beam_size": settings.live_beam_size,
            "encoder_window_s": settings.live_encoder_window_s,
        }
        self.live_decoding = LiveDecoding(transcriber, **live)
        self.decode_many = batched_decoder(self.live_decoding)
        self.live_vocabulary = tuple(settings.vocabulary) if settings.live_vocabulary else None
        """The service's vocabulary when live decodes are primed (``ASR_LIVE_VOCABULARY``)."""
        self.vad_probabilities = SileroProbabilities()
        self.vad_threshold = settings.vad_threshold
        self.final_pool = ThreadPoolExecutor(1, "asr-final", initializer=_niced_thread)
        self.db_pool = ThreadPoolExecutor(1, "asr-db")
        self.scheduler: DecodeScheduler
        self.nc: Client
        self.js: JetStreamContext
        self.kv: KeyValue
        self.outbox: Outbox
        self.meetings: dict[tuple[str, str], asyncio.Task] = {}
        self.sentinel = Sentinel(self)

    # ------------------------------------------------------------------ helpers
    def live_context(self, meta: MeetingStarted) -> DecodeContext:
        """What the live decodes of a meeting are primed with: its language (a language Whisper
        does not know, or ``auto``, falls back to the service's) and, with
        ``ASR_LIVE_VOCABULARY``, its vocabulary (the service's when it has none)."""
        vocabulary = ()
        if self.live_vocabulary is not None:
            vocabulary = tuple(meta.vocabulary) or self.live_vocabulary
        return DecodeContext(language=meta.language, vocabulary=vocabulary)

    async def db_call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a repository function (or ``fn(session)``) in its own transaction, off the loop."""

        def work() -> Any:
            with self.db.session() as session:
                return fn(session, *args, **kwargs)

        context = contextvars.copy_context()  # log lines name the meeting being served
        return await asyncio.get_running_loop().run_in_executor(self.db_pool, context.run, work)

    async def emit(self, subject: str, event: BaseModel, *, msg_id: str | None = None) -> int:
        """Queue a persisted event in the outbox (published in order, retried until the bus has
        it); returns its outbox number (:meth:`Outbox.wait_published`)."""
        return await self.outbox.put(subject, event, msg_id=msg_id)

    async def publish_core(self, subject: str, event: BaseModel) -> None:
        """Publish a transient event (``partial``, ``asr.errors``): lost if the bus is away."""
        with contextlib.suppress(*NATS_ERRORS):
            await self.nc.publish(subject, encode(event))

    async def ack(self, msg: Msg, *, term: bool = False) -> None:
        """Ack (or terminate); a failure is harmless: redelivery is de-duplicated by ``seq``."""
        with contextlib.suppress(*NATS_ERRORS, nats.errors.MsgAlreadyAckdError):
            await (msg.term() if term else msg.ack())

    # ------------------------------------------------------------------ main loop
    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Serve meetings until ``stop`` is set (or forever)."""
        stop = stop or asyncio.Event()
        self.scheduler = DecodeScheduler(self.decode_many, threads=self.settings.model_workers)
        self.nc = await connect(self.settings, url=self.nats_url, name=f"asr-worker {self.id}")
        self.js = self.nc.jetstream()
        self.outbox = Outbox(self.js)
        await ensure_streams(self.js, self.limits)
        self.kv = await ensure_lease_bucket(self.js, self.limits)
        await ensure_consumer(self.js, sub.STREAM_IN, dispatch_consumer(self.limits))
        await ensure_sentinel(self.js)
        dispatch = await self.js.pull_subscribe_bind(sub.DISPATCH_CONSUMER, stream=sub.STREAM_IN)
        sentinel = await self.js.pull_subscribe_bind(sub.SENTINEL_CONSUMER, stream=sub.STREAM_IN)
        log.info("worker %s ready on %s", self.id, redact_url(str(reveal(self.nats_url))))
        with bound_contextvars(worker_id=self.id):
            await self._serve(stop, dispatch, sentinel)

    async def _serve(self, stop: asyncio.Event, dispatch: Any, sentinel: Any) -> None:
        self.outbox.start()  # in the worker's log context, not a meeting's
        try:
            while not stop.is_set():
                self.meetings = {k: t for k, t in self.meetings.items() if not t.done()}
                if len(self.meetings) < self.max_meetings:
                    try:
                        for msg in await dispatch.fetch(1, timeout=0.3):
                            await self.dispatch(msg)
                    except TimeoutError:  # nats' or asyncio's: no meeting waiting
                        pass
                    except NATS_ERRORS as exc:
                        log.debug("dispatch fetch failed: %s", exc)
                        await asyncio.sleep(0.5)
                else:
                    await asyncio.sleep(0.3)
                await self.sentinel.poll(sentinel)
        except Exception:
            log.exception("worker %s stopped on an error", self.id)
            raise
        finally:
            for task in self.meetings.values():
                task.cancel()
            await asyncio.gather(*self.meetings.values(), return_exceptions=True)
            await self.outbox.close(OUTBOX_CLOSE_S)
            await self.scheduler.close()
            with contextlib.suppress(Exception):
                await self.nc.close()
            self.final_pool.shutdown(wait=False, cancel_futures=True)
            self.db_pool.shutdown(wait=True)

    async def dispatch(self, msg: Msg) -> None:
        """Hand a ``started`` message to :meth:`on_started`; an unexpected error there is logged
        and the message retried later, then dropped after a few deliveries: one bad message
        never stops the worker (nor, redelivered, every worker in turn)."""
        try:
            await self.on_started(msg)
        except Exception as exc:  # noqa: BLE001 - the worker must outlive any one message
            log.exception("could not dispatch %s", msg.subject)
            delivered = msg.metadata.num_delivered if msg.metadata else MAX_START_ATTEMPTS
            if delivered < MAX_START_ATTEMPTS:
                with contextlib.suppress(*NATS_ERRORS):
                    await msg.nak(delay=5.0)
                return
            await self.service_error(
                msg,
                "processing_failed",
                f"the meeting could not be started ({delivered} attempts): "
                f"{type(exc).__name__}: {exc}",
            )
            await self.ack(msg, term=True)

    async def service_error(self, msg: Msg, code: str, message: str) -> None:
        """Report a fatal problem with a message on ``asr.errors`` (for operators), and on its
        meeting's ``error`` subject too when the subject names one (for its backend)."""
        address = sub.parse(msg.subject)
        mid = address.meeting_id if address else ""
        event = ErrorEvent(
            meeting_id=mid, code=code, message=message, fatal=True, subject=msg.subject
        )
        log.warning("%s: %s: %s", msg.subject, code, message)
        await self.publish_core(sub.SERVICE_ERRORS, event)
        if address is not None:
            await self.emit(sub.subject(address.tenant, mid, "error"), event)

    async def on_started(self, msg: Msg) -> None:
        address = sub.parse(msg.subject)
        if address is None:
            await self.service_error(
                msg,
                "invalid_message",
                "subject must be meetings.<tenant>.<meeting_id>.started, each ID 1-128 letters, "
                "digits, '_' or '-' starting with a letter or digit; message dropped",
            )
            await self.ack(msg, term=True)
            return
        key = (address.tenant, address.meeting_id)
        running = self.meetings.get(key)
        if running is not None and not running.done():
            with contextlib.suppress(*NATS_ERRORS):
                await msg.in_progress()
            return
        try:
            meta: MeetingStarted = check_started(
                msg.data, address.meeting_id, max_message_bytes=self.limits.max_message_bytes
            )
        except Rejected as exc:  # the meeting does not start
            log.warning("%s: %s: %s", msg.subject, exc.code, exc.message)
            await self.emit(
                sub.subject(address.tenant, address.meeting_id, "error"),
                ErrorEvent(
                    meeting_id=address.meeting_id,
                    code=exc.code,
                    message=exc.message,
                    fatal=True,
                    subject=msg.subject,
                ),
            )
            await self.ack(msg, term=True)
            return
        self.sentinel.known.add(key)
        runner = MeetingRunner(self, address.tenant, meta, msg)
        self.meetings[key] = asyncio.create_task(runner.run(), name=f"meeting {key}")
