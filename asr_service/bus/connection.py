"""Connecting to NATS and declaring the JetStream streams, consumers and KV bucket the service uses.

Everything is idempotent (``ensure_*``): each worker declares what it needs at start-up, so a new
cluster needs no manual set-up. Limits come from the settings: bounded retention (age and bytes)
and a per-message size limit on both streams; a duplicate window on the output stream makes
re-published committed segments (after a worker takeover) harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import APIError, BadRequestError, NotFoundError
from nats.js.kv import KeyValue

from asr_service.bus import subjects as sub
from asr_service.redaction import redact, redact_url, reveal

log = logging.getLogger(__name__)


IN_DUPLICATE_WINDOW_S = 120
"""Seconds in which ``ASR_IN`` drops a re-sent message (same ``Nats-Msg-Id``): a backend's retried
publish is harmless."""
IN_STORED_FACTOR = 4


@dataclass(frozen=True)
class BusLimits:
    """Retention and size limits of the streams (see ``Settings``)."""

    max_message_bytes: int = 1024 * 1024
    in_max_age_s: float = 48 * 3600
    in_max_bytes: int = 20 * 1024**3
    out_max_age_s: float = 7 * 24 * 3600
    out_max_bytes: int = 2 * 1024**3
    duplicate_window_s: float = 600.0
    lease_ttl_s: float = 15.0

    @property
    def in_stored_message_bytes(self) -> int:
        """``ASR_IN``'s own per-message bound: above the service's limit, so a worker sees an
        oversized message and answers it with an ``oversized_message`` error event naming the
        limit; larger still, JetStream (or the server's ``max_payload``) refuses the publish."""
        return IN_STORED_FACTOR * self.max_message_bytes

    @classmethod
    def from_settings(cls, settings: Any) -> BusLimits:
        return cls(
            max_message_bytes=settings.bus_max_message_bytes,
            in_max_age_s=settings.bus_in_max_age_h * 3600,
            in_max_bytes=settings.bus_in_max_bytes,
            out_max_age_s=settings.bus_out_max_age_h * 3600,
            out_max_bytes=settings.bus_out_max_bytes,
            lease_ttl_s=settings.lease_ttl_s,
        )


class BusConnectError(RuntimeError):
    """NATS refused the connection for a reason retrying will not fix (credentials, TLS)."""


class BusUnreachableError(BusConnectError):
    """No NATS server answered within a client's ``reach_within`` (see :func:`connect`).

    ``servers`` are the URLs tried and ``reason`` the last failure in words ("connection
    refused"), so a command line can add its own hint to one clear line."""

    def __init__(self, servers: list[str], reason: str):
        self.servers = servers
        self.reason = reason
        super().__init__(f"cannot reach NATS at {redact_url(', '.join(servers))}: {reason}")


def _unreachable_reason(exc: BaseException | None, waited: float) -> str:
    """The last connection failure in a few words (the OS's wording is cryptic)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if exc is None or isinstance(exc, TimeoutError):
        return f"no answer within {waited:g} s"
    return str(exc) or type(exc).__name__


def _refusal(exc: BaseException) -> bool:
    """An error a retry cannot heal: the server refused our credentials or our certificate."""
    if isinstance(exc, ssl.SSLError):
        return True
    text = str(exc).lower()
    return "authorization" in text or "authentication" in text or "permissions" in text


async def connect(
    settings: Any,
    *,
    url: str | None = None,
    name: str = "asr-service",
    reach_within: float | None = None,
) -> Client:
    """Connect with the configured credentials/TLS; reconnects forever after a server restart.

    An unreachable server is waited for (it may start after us), but refused credentials or
    certificates raise :class:`BusConnectError` at once, naming the settings to check.

    ``reach_within``: for short-lived clients (``asr-service simulate``), give up the *first*
    connection after this many seconds of an unreachable server with
    :class:`BusUnreachableError`, its failed attempts logged at debug level only, instead of
    waiting (and warning twice a second) forever; once connected, it reconnects forever too."""
    options: dict[str, Any] = {
        "servers": [u.strip() for u in reveal(url or settings.nats_url).split(",")],
        "name": name,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.5,
        "connect_timeout": 5,
        "allow_reconnect": True,
    }
    if getattr(settings, "nats_creds", None):
        options["user_credentials"] = str(settings.nats_creds)
    if getattr(settings, "nats_nkey_seed", None):
        options["nkeys_seed"] = str(settings.nats_nkey_seed)
    if getattr(settings, "nats_user", None):
        options["user"] = settings.nats_user
        options["password"] = reveal(settings.nats_password) or ""
    if getattr(settings, "nats_token", None):
        options["token"] = reveal(settings.nats_token)
    if getattr(settings, "nats_tls_ca", None) or getattr(settings, "nats_tls_cert", None):
        ctx = ssl.create_default_context(
            cafile=str(settings.nats_tls_ca) if settings.nats_tls_ca else None
        )
        if settings.nats_tls_cert:
            ctx.load_cert_chain(
                str(settings.nats_tls_cert),
                str(settings.nats_tls_key) if settings.nats_tls_key else None,
            )
        options["tls"] = ctx

    client = Client()

    async def _disconnected() -> None:
        if not client.is_closed:  # nats-py calls this on a deliberate close() as well
            log.warning("NATS disconnected; reconnecting")

    async def _reconnected() -> None:
        log.warning("NATS reconnected")

    refused: list[BaseException] = []
    failed: list[BaseException] = []  # failed first-connection attempts, with reach_within

    async def _error(exc: Exception) -> None:
        if not client.is_connected and _refusal(exc):
            refused.append(exc)
        if reach_within is not None and not connecting.done():  # still the first connection
            failed.append(exc)  # reported once, by BusUnreachableError, if it lasts
            log.debug("NATS error: %r", exc)
            return
        log.warning("NATS error: %r", exc)

    connecting = asyncio.ensure_future(
        client.connect(
            **options,
            disconnected_cb=_disconnected,
            reconnected_cb=_reconnected,
            error_cb=_error,
        )
    )

    async def _abandon() -> None:
        connecting.cancel()
        with contextlib.suppress(BaseException):
            await connecting
        with contextlib.suppress(Exception):
            await client.close()

    deadline = None if reach_within is None else time.monotonic() + reach_within
    while not connecting.done():
        await asyncio.wait({connecting}, timeout=0.1)
        if refused and not connecting.done():
            await _abandon()
            raise BusConnectError(
                f"NATS at {redact_url(', '.join(options['servers']))} refused the connection "
                f"({redact(str(refused[0]))}): check "
                "ASR_NATS_CREDS / ASR_NATS_NKEY_SEED / ASR_NATS_USER / ASR_NATS_PASSWORD / "
                "ASR_NATS_TOKEN and ASR_NATS_TLS_CA / ASR_NATS_TLS_CERT / ASR_NATS_TLS_KEY"
            )
        if deadline is not None and time.monotonic() > deadline and not connecting.done():
            await _abandon()
            raise BusUnreachableError(
                options["servers"],
                _unreachable_reason(failed[-1] if failed else None, reach_within or 0),
            )
    exc = connecting.exception()
    if exc is not None:
        if _refusal(exc):
            raise BusConnectError(f"NATS refused the connection: {redact(str(exc))}") from exc
        raise exc
    return client


JS_INSUFFICIENT_STORAGE = 10047
"""JetStream error code: the server cannot reserve a stream's ``max_bytes`` on its store."""


class StreamSetupError(RuntimeError):
    """A JetStream stream the service needs cannot be declared; the message names the fix."""


def _differs(existing: StreamConfig, wanted: StreamConfig) -> bool:
    """Whether a declared stream lacks any of the settings ``wanted`` sets."""
    have = existing.as_dict()
    return any(have.get(key) != value for key, value in wanted.as_dict().items())


async def _ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream, or update it when its settings differ; an existing stream is never
    re-created: JetStream checks a create's reservation before it sees that the stream exists,
    counting its ``max_bytes`` twice, so a restart would fail where the first start fitted."""
    try:
        try:
            info = await js.stream_info(config.name)
        except NotFoundError:
            try:
                await js.add_stream(config)
                return
            except BadRequestError:  # created meanwhile, by another worker, otherwise
                info = await js.stream_info(config.name)
        if _differs(info.config, config):
            await js.update_stream(config)
    except APIError as exc:
        if exc.err_code != JS_INSUFFICIENT_STORAGE:
            raise
        setting = (
            "ASR_BUS_IN_MAX_BYTES" if config.name == sub.STREAM_IN else "ASR_BUS_OUT_MAX_BYTES"
        )
        raise StreamSetupError(
            f"JetStream cannot reserve {(config.max_bytes or 0) / 1024**3:.1f} GiB for stream "
            f"{config.name} ({exc.description}): JetStream reserves each stream's size bound "
            f"on its store at creation. Lower {setting}, free disk space under the server's "
            "store directory, or raise the server's jetstream max_file_store."
        ) from exc


async def ensure_streams(js: JetStreamContext, limits: BusLimits) -> None:
    """Declare ``ASR_IN`` (audio and lifecycle in) and ``ASR_OUT`` (persisted events out)."""
    await _ensure_stream(
        js,
        StreamConfig(
            name=sub.STREAM_IN,
            description="meeting lifecycle and audio chunks from the backend",
            subjects=[sub.wildcard(k) for k in sub.IN_KINDS],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=limits.in_max_age_s,
            max_bytes=limits.in_max_bytes,
            max_msg_size=limits.in_stored_message_bytes,
            discard=DiscardPolicy.OLD,
            duplicate_window=IN_DUPLICATE_WINDOW_S,
        ),
    )
    await _ensure_stream(
        js,
        StreamConfig(
            name=sub.STREAM_OUT,
            description="committed segments, status, errors, final transcripts, minutes",
            subjects=[sub.wildcard(k) for k in sub.PERSISTED_OUT_KINDS],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=limits.out_max_age_s,
            max_bytes=limits.out_max_bytes,
            max_msg_size=limits.max_message_bytes,
            discard=DiscardPolicy.OLD,
            duplicate_window=limits.duplicate_window_s,
        ),
    )


async def ensure_lease_bucket(js: JetStreamContext, limits: BusLimits) -> KeyValue:
    """The KV bucket of meeting leases; a key expires ``lease_ttl_s`` after its last refresh.

    An existing bucket whose TTL differs from the setting is updated: workers refresh leases on
    the setting's period, so a bucket left with a shorter TTL would hand live meetings over."""
    try:
        kv = await js.key_value(sub.LEASE_BUCKET)
    except Exception:  # noqa: BLE001 - bucket missing
        kv = None
    if kv is not None:
        info = await js.stream_info(f"KV_{sub.LEASE_BUCKET}")
        if abs((info.config.max_age or 0) - limits.lease_ttl_s) > 1e-3:
            log.warning(
                "lease bucket TTL %.1f s -> %.1f s (ASR_LEASE_TTL_S)",
                info.config.max_age or 0,
                limits.lease_ttl_s,
            )
            info.config.max_age = limits.lease_ttl_s
            # the duplicate window may not exceed max age (JetStream error 10052 on a lower TTL)
            if info.config.duplicate_window and info.config.duplicate_window > limits.lease_ttl_s:
                info.config.duplicate_window = limits.lease_ttl_s
            await js.update_stream(info.config)
        return kv
    return await js.create_key_value(
        bucket=sub.LEASE_BUCKET,
        ttl=limits.lease_ttl_s,
        history=1,
        storage=StorageType.FILE,
        description="owner of each live meeting",
    )


async def ensure_consumer(js: JetStreamContext, stream: str, config: ConsumerConfig) -> None:
    """Create a durable consumer; an existing one keeps its position (ack floor) and gets the
    configured ack wait (it follows ``ASR_LEASE_TTL_S`` for the dispatch consumer)."""
    try:
        info = await js.consumer_info(stream, config.durable_name or "")
    except Exception:  # noqa: BLE001 - not found
        await js.add_consumer(stream, config)
        return
    if config.ack_wait is not None and info.config.ack_wait != config.ack_wait:
        info.config.ack_wait = config.ack_wait
        await js.add_consumer(stream, info.config)  # create-or-update of an editable field


def dispatch_consumer(limits: BusLimits) -> ConsumerConfig:
    """Shared by all workers: each ``started`` goes to one worker, which holds it (un-acked, with
    in-progress heartbeats) until the meeting is done, so a dead worker's meetings are redelivered
    to another one after ``ack_wait``."""
    return ConsumerConfig(
        durable_name=sub.DISPATCH_CONSUMER,
        filter_subject=sub.wildcard("started"),
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=max(2.0, limits.lease_ttl_s),
        max_deliver=-1,
        max_ack_pending=10000,
        deliver_policy=DeliverPolicy.ALL,
    )


def sentinel_consumer() -> ConsumerConfig:
    """Shared, headers only: sees every new audio subject cheaply to report unknown meetings."""
    return ConsumerConfig(
        durable_name=sub.SENTINEL_CONSUMER,
        filter_subject=sub.wildcard("audio"),
        ack_policy=AckPolicy.NONE,
        headers_only=True,
        deliver_policy=DeliverPolicy.NEW,
    )


def meeting_consumer(tenant: str, meeting_id: str) -> ConsumerConfig:
    """One meeting's audio and end, in order; its ack floor is the resume point."""
    return ConsumerConfig(
        durable_name=sub.meeting_consumer(tenant, meeting_id),
        filter_subjects=[
            sub.subject(tenant, meeting_id, "audio"),
            sub.subject(tenant, meeting_id, "ended"),
        ],
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=30.0,
        max_deliver=-1,
        max_ack_pending=20000,
        deliver_policy=DeliverPolicy.ALL,
        inactive_threshold=7 * 24 * 3600.0,
    )
