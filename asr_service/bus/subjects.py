"""The subject table: every NATS subject the service reads or writes, general to specific.

``meetings.<tenant>.<meeting_id>.<kind>``; tenant and meeting IDs are 1-128 letters, digits, ``_``
or ``-`` (no dots, so a subject always has exactly four tokens).

In (backend → service), JetStream stream ``ASR_IN``:

- ``started``  meeting metadata (:class:`~asr_service.bus.schemas.MeetingStarted`)
- ``audio``    ordered audio chunks (:class:`~asr_service.bus.schemas.AudioChunk`)
- ``ended``    end of meeting (:class:`~asr_service.bus.schemas.MeetingEnded`)

Out (service → backend):

- ``partial``    hypotheses that may still change, core NATS (not persisted)
- ``committed``  final-for-the-live-pass segments, JetStream stream ``ASR_OUT``
- ``status``     lifecycle (live, ending, finalizing, done, failed), ``ASR_OUT``
- ``error``      problems with input or processing, naming the cause, ``ASR_OUT``
- ``final``      the final (accurate) transcript replaced the live one, ``ASR_OUT``
- ``minutes``    the minutes are ready, ``ASR_OUT``
- ``minutes_validated``  a clerk validated the minutes (published by the HTTP API), ``ASR_OUT``

KV bucket ``ASR_LEASES`` (key ``<tenant>.<meeting_id>``): which worker owns a live meeting.

``asr.errors`` (core NATS): errors about input whose subject names no valid tenant or meeting, so
they cannot be answered on that meeting's ``error`` subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "meetings"
IN_KINDS = ("started", "audio", "ended")
OUT_KINDS = ("partial", "committed", "status", "error", "final", "minutes", "minutes_validated")
PERSISTED_OUT_KINDS = ("committed", "status", "error", "final", "minutes", "minutes_validated")

STREAM_IN = "ASR_IN"
STREAM_OUT = "ASR_OUT"
LEASE_BUCKET = "ASR_LEASES"
DISPATCH_CONSUMER = "asr-dispatch"
SENTINEL_CONSUMER = "asr-sentinel"
SERVICE_ERRORS = "asr.errors"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,127}$")


def valid_id(value: str) -> bool:
    """True for a tenant or meeting ID usable as one subject token and one folder name."""
    return bool(_ID.match(value or ""))


def subject(tenant: str, meeting_id: str, kind: str) -> str:
    """``meetings.<tenant>.<meeting_id>.<kind>``; raises ``ValueError`` for unusable IDs."""
    if not valid_id(tenant):
        raise ValueError(f"invalid tenant id {tenant!r}: 1-128 letters, digits, '_' or '-'")
    if not valid_id(meeting_id):
        raise ValueError(f"invalid meeting id {meeting_id!r}: 1-128 letters, digits, '_' or '-'")
    if kind not in IN_KINDS + OUT_KINDS:
        raise ValueError(f"unknown subject kind {kind!r}")
    return f"{PREFIX}.{tenant}.{meeting_id}.{kind}"


def wildcard(kind: str, tenant: str = "*") -> str:
    """``meetings.<tenant|*>.*.<kind>``: what a backend subscribes to for all its meetings."""
    return f"{PREFIX}.{tenant}.*.{kind}"


@dataclass(frozen=True)
class Address:
    """A parsed subject."""

    tenant: str
    meeting_id: str
    kind: str


def parse(subject_: str) -> Address | None:
    """The tenant, meeting and kind of a service subject, or ``None`` for anything else
    (including a subject whose tenant or meeting ID is not a valid ID)."""
    parts = subject_.split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not (valid_id(parts[1]) and valid_id(parts[2])):
        return None
    return Address(parts[1], parts[2], parts[3])


def lease_key(tenant: str, meeting_id: str) -> str:
    return f"{tenant}.{meeting_id}"


def meeting_consumer(tenant: str, meeting_id: str) -> str:
    """Durable consumer name of one meeting's audio (the resume point survives workers)."""
    return f"meeting-{tenant}-{meeting_id}"[:255]
