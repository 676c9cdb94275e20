"""The bus contract as an AsyncAPI 3.0 document, generated from the code (``docs/asyncapi.yaml``).

A backend developer who does not read Python integrates from that file: every subject (a channel),
every message with its JSON Schema (each pydantic model's ``model_json_schema()``: types,
required fields, defaults, descriptions), examples built from the models, the streams, limits,
audio formats, delivery rules and the NATS permissions each side needs. Generating it from
``schemas``, ``subjects``, ``connection`` and the settings keeps it true to the code; the tests
compare the committed file with :func:`render`. Regenerate with::

    python -m asr_service.bus.asyncapi > docs/asyncapi.yaml

Operations are written from the service's side, as AsyncAPI requires: ``receive`` is what the
backend publishes, ``send`` what it subscribes to. ``docs/bus.md`` is the prose guide.
"""

from __future__ import annotations

import re
import sys
import textwrap
from datetime import UTC, datetime
from typing import Any, get_args

from pydantic import BaseModel

from asr_service import __version__
from asr_service.bus import subjects as sub
from asr_service.bus.connection import IN_DUPLICATE_WINDOW_S, IN_STORED_FACTOR, BusLimits
from asr_service.bus.intake import GAP_FILL_S, REORDER_WAIT_S
from asr_service.bus.meeting import MAX_FAILED_ATTEMPTS
from asr_service.bus.schemas import (
    IN_MESSAGES,
    MAX_PARTICIPANTS,
    MAX_TERM_CHARS,
    MAX_TITLE_CHARS,
    MAX_VOCABULARY_TERMS,
    OUT_MESSAGES,
    SAMPLE_RATE,
    SUPPORTED_ENCODINGS,
    AudioChunk,
    CommittedEvent,
    ErrorCode,
    ErrorEvent,
    FinalEvent,
    MeetingEnded,
    MeetingStarted,
    MinutesEvent,
    MinutesValidatedEvent,
    PartialEvent,
    Participant,
    StatusEvent,
)
from asr_service.bus.worker import MAX_START_ATTEMPTS
from asr_service.config import Settings
from asr_service.transcript import Segment, Speaker, Transcript, Word

ASYNCAPI_VERSION = "3.0.0"
NATS_SERVER_MIN = "2.10"
"""The per-meeting consumer filters on two subjects (``filter_subjects``): nats-server >= 2.10."""
TRANSCRIPT_URL = "GET /api/v1/meetings/{meeting_id}/transcript?format=json"
MINUTES_URL = "GET /api/v1/meetings/{meeting_id}/minutes?format=md"

REF = "#/components/schemas/{model}"

SERVICE_ERROR_MESSAGE = "ServiceError"
"""The message of ``asr.errors``: an :class:`ErrorEvent` about no valid meeting."""


def _setting(name: str) -> Any:
    """A setting's default, read from the model (never from this process's environment)."""
    return Settings.model_fields[name].default


def _gib(n: int) -> str:
    return f"{n / 1024**3:g} GiB"


# ------------------------------------------------------------------------------------ fields
# schemas.py documents most fields in prose only (pydantic then emits no description): these
# fill the gaps. A description pydantic does emit (Field(description=...)) wins. The tests check
# that every property of every payload ends up with a description, and that no entry here names
# a field that no longer exists.
ERROR_CODES: dict[str, str] = {
    "malformed_json": "the message is not JSON. On `started` the meeting does not start "
    "(fatal); on `audio` the chunk is dropped; on `ended` the meeting still ends",
    "invalid_message": "schema violation (the field is named; e.g. a `started` with over "
    f"{MAX_PARTICIPANTS} participants or {MAX_VOCABULARY_TERMS} vocabulary terms), "
    "`meeting_id` differing from the subject's, bad base64, unsafe track name, a `seq` after "
    "the last one `ended` "
    "announced (dropped); fatal for a `started` (the meeting does not start), including a "
    "`started` reusing the ID of a finished meeting and, on `asr.errors`, a subject naming no "
    "valid tenant or meeting ID",
    "unknown_meeting": "audio or `ended` for a meeting whose `started` was never published "
    "(once per meeting): the input is kept in ASR_IN and used if `started` comes later",
    "oversized_message": "a message over ASR_BUS_MAX_MESSAGE_BYTES, or a chunk longer than "
    "ASR_BUS_MAX_CHUNK_S: dropped; fatal for a `started` (the meeting does not start)",
    "unsupported_format": "encoding, sample rate or channel count not accepted, a byte length "
    "that is no whole number of samples, NaN/inf samples: dropped",
    "duplicate_chunk": "this track's `seq` was already received: ignored (nothing stored twice)",
    "out_of_order": "a `seq` ahead of the next expected one: held and re-ordered (informational)",
    "missing_chunks": f"a gap in `seq` that reception stalled on for {REORDER_WAIT_S:g} s, or "
    "still open at the end: the worker continues after it",
    "meeting_over": "audio or `ended` published after the meeting's end (its `ended`, or the "
    "idle timeout: status `ended_by_timeout`), once per meeting: not transcribed",
    "too_many_meetings": "a `started` while the tenant already has ASR_BUS_TENANT_MAX_MEETINGS "
    f"({_setting('bus_tenant_max_meetings')}) live meetings: fatal, the meeting does not start "
    "(start it again, under a new message ID, once one has ended)",
    "processing_failed": "an internal error: retried (possibly on another worker); fatal, with "
    f"status `failed`, after {MAX_FAILED_ATTEMPTS} failed attempts. Also fatal, on the meeting's "
    f"`error` subject and on `asr.errors`, when a `started` could not be taken on after "
    f"{MAX_START_ATTEMPTS} deliveries",
}

FIELD_NOTES: dict[str, dict[str, str]] = {
    "MeetingStarted": {
        "meeting_id": "the meeting; must equal the subject's `<meeting_id>`. A new meeting "
        "needs a new ID: a `started` reusing a finished meeting's ID is refused (fatal "
        "`invalid_message`)",
        "title": "shown in the clerk pages and the minutes",
        "language": "Whisper language code (`fr`, `en`, ...); `auto` lets the final pass "
        "detect it. Live decodes use it too (the service's ASR_LANGUAGE, else French, for "
        "`auto` or a code Whisper does not know)",
        "participants": "who takes part; their number bounds the speakers diarization may find "
        "(it finds fewer when some only listen)",
        "vocabulary": "hotwords (names, acronyms, terms) priming the final pass (and live "
        "decodes when ASR_LIVE_VOCABULARY=true)",
        "per_track": "true when audio comes as one track per participant: speakers then come "
        "from the tracks (no diarization)",
        "started_at": "when the meeting began (informational: the service records its own times)",
    },
    "Participant": {
        "id": "participant ID, 1-128 characters",
        "name": "display name, used as the speaker label",
        "track": "the audio track (`AudioChunk.track`) carrying this participant's voice; "
        "defaults to `id`",
    },
    "AudioChunk": {
        "meeting_id": "must equal the subject's `<meeting_id>`",
        "seq": "per track, from 0, without gaps: a repeated `seq` is ignored "
        "(`duplicate_chunk`), one ahead is held and re-ordered (`out_of_order`)",
        "timestamp": "capture time of the first sample, in seconds since the meeting started: "
        f"places late-starting tracks and fills gaps over {GAP_FILL_S:g} s with silence",
        "track": "`mix` for one mixed track, else the participant's track",
        "encoding": f"one of {', '.join(f'`{e}`' for e in SUPPORTED_ENCODINGS)} "
        "(little-endian PCM); anything else is refused (`unsupported_format`)",
        "sample_rate": f"must be {SAMPLE_RATE}",
        "channels": "must be 1 (mono)",
        "data": "base64 of the raw samples: a whole number of samples, at most "
        f"ASR_BUS_MAX_CHUNK_S ({_setting('bus_max_chunk_s'):g} s) of audio; 100-500 ms is typical",
    },
    "MeetingEnded": {
        "meeting_id": "must equal the subject's `<meeting_id>`",
        "ended_at": "when the meeting ended (informational: the service records its own times)",
        "last_seq": "optional: the last `seq` of each track. The worker waits (up to "
        f"{2 * REORDER_WAIT_S:g} s) for chunks still in flight, and refuses chunks numbered after",
    },
    "PartialEvent": {
        "meeting_id": "the meeting",
        "track": "the track the utterance is on",
        "speaker": "the participant of a per-track meeting; null on a mixed track",
        "start": "utterance start, seconds of meeting time",
        "end": "utterance end so far, seconds of meeting time",
        "text": "current hypothesis: replaced by later partials and by the committed segment",
        "sent_at": "when the service sent the event (UTC)",
    },
    "CommittedEvent": {
        "meeting_id": "the meeting",
        "track": "the track the segment is on",
        "segment": "the segment; `segment.id` identifies it: de-duplicate on it",
        "sent_at": "when the service sent the event (UTC)",
    },
    "StatusEvent": {
        "meeting_id": "the meeting",
        "status": "`live` → `ending` (live streams flushed) → `finalizing` (final pass) → "
        f"`done`; `failed` after {MAX_FAILED_ATTEMPTS} failed attempts. A takeover by another "
        "worker repeats `live` (detail `resumed by <worker>`). `ended_by_timeout` before "
        "`ending`: no audio came for ASR_MEETING_IDLE_TIMEOUT_S "
        f"({_setting('meeting_idle_timeout_s'):g} s), the service ended the meeting itself and "
        "transcribes what it received",
        "detail": "human-readable detail",
        "worker": "the worker that owns the meeting",
        "sent_at": "when the service sent the event (UTC)",
    },
    "ErrorEvent": {
        "meeting_id": 'the meeting; empty ("") on `asr.errors`, where no valid meeting is named',
        "code": "what went wrong:\n"
        + "\n".join(f"- `{code}`: {text}" for code, text in ERROR_CODES.items()),
        "message": "human-readable explanation naming the cause",
        "fatal": "true: the service gave up on (or refused) the meeting; false: it goes on",
        "subject": "the subject of the offending message, when one is to blame",
        "track": "the offending chunk's track",
        "seq": "the offending chunk's `seq` (for `missing_chunks`: the first missing one)",
        "sent_at": "when the service sent the event (UTC)",
    },
    "FinalEvent": {
        "meeting_id": "the meeting",
        "segments": "number of segments of the final transcript",
        "duration": "seconds of audio transcribed",
        "speakers": "speaker labels of the final transcript (participant names when known)",
        "transcript": "the final transcript, inline when its JSON is under half "
        f"ASR_BUS_MAX_MESSAGE_BYTES; else null: fetch it over HTTP ({TRANSCRIPT_URL})",
        "sent_at": "when the service sent the event (UTC)",
    },
    "MinutesEvent": {
        "meeting_id": "the meeting",
        "markdown": "the minutes in Markdown, inline when under half ASR_BUS_MAX_MESSAGE_BYTES; "
        f"else null: fetch them over HTTP ({MINUTES_URL})",
        "available": "false when no minutes were made (`detail` says why)",
        "detail": "`done`, or why there are no minutes (disabled, no speech, summarizer missing)",
        "sent_at": "when the service sent the event (UTC)",
    },
    "DroppedSpan": {
        "start": "start of the removed audio, seconds",
        "end": "end of the removed audio, seconds",
        "reason": "the stage that removed it: `vad_rejected`, `no_speech`, `blocklisted`, "
        "`vocabulary_echo` or `repetition`",
        "text": "what was decoded there, when anything was",
        "avg_logprob": "Whisper's average log-probability of that text, when decoded",
        "no_speech_prob": "Whisper's no-speech probability there, when decoded",
    },
    "Segment": {
        "id": "stable within the meeting's live transcript (and within the final one); the "
        "de-duplication key of `committed` events",
        "start": "seconds of meeting time",
        "end": "seconds of meeting time",
        "text": "the segment's text",
        "words": "words with their times and confidences",
        "speaker": "speaker label (participant name when known), or null",
        "avg_logprob": "Whisper's average token log-probability, or null",
        "no_speech_prob": "Whisper's no-speech probability, or null",
        "compression_ratio": "Whisper's text compression ratio, or null",
    },
    "Word": {
        "start": "seconds of meeting time",
        "end": "seconds of meeting time",
        "word": "the word as Whisper wrote it (usually with a leading space)",
        "probability": "the model's confidence, 0-1",
        "speaker": "speaker label, or null",
    },
    "Speaker": {
        "id": "speaker label used by segments",
        "name": "the participant's display name, when known",
    },
    "Transcript": {
        "schema_version": "version of this transcript format",
        "meeting_id": "the meeting",
        "source": "where the audio came from (`meeting:<meeting_id>`)",
        "language": "language of the transcript",
        "language_probability": "confidence of a detected language, or null",
        "duration": "seconds of audio",
        "segments": "segments in time order",
        "speakers": "speakers appearing in the segments",
        "model": "the speech model that produced it",
        "settings": "the settings and stages that produced it",
        "created_at": "when the transcript was made (UTC)",
    },
}


def _describe(name: str, schema: dict[str, Any]) -> None:
    """Fill missing property descriptions of one object schema from :data:`FIELD_NOTES`."""
    notes = FIELD_NOTES.get(name, {})
    for field, prop in schema.get("properties", {}).items():
        if "description" not in prop and field in notes:
            text = notes[field]
            prop["description"] = _reflow(text, width=88) if "\n" in text else text


def _all_required(schema: dict[str, Any]) -> None:
    """Events are serialized whole (``model_dump_json()``): every property is always present,
    null when it has no value, so a consumer may rely on each key."""
    if "properties" in schema:
        schema["required"] = list(schema["properties"])


def payload_schemas() -> dict[str, dict[str, Any]]:
    """``components.schemas``: each message model's ``model_json_schema()`` and the models it
    nests (``$defs`` hoisted, ``$ref``s pointing into ``#/components/schemas``)."""
    schemas: dict[str, dict[str, Any]] = {}

    def add(name: str, schema: dict[str, Any]) -> None:
        if name in schemas and schemas[name] != schema:
            raise ValueError(f"schema {name!r} differs between messages (input and output use?)")
        schemas[name] = schema

    for models, mode in ((IN_MESSAGES, "validation"), (OUT_MESSAGES, "serialization")):
        for model in models.values():
            schema = model.model_json_schema(ref_template=REF, mode=mode)
            parts = {**schema.pop("$defs", {}), model.__name__: schema}
            for name, part in parts.items():
                _describe(name, part)
                if mode == "serialization":
                    _all_required(part)
                add(name, part)
    return schemas


# ---------------------------------------------------------------------------------- examples
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
"""A fixed time: examples (and so the document) do not change between runs."""


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0.timestamp() + seconds, UTC)


def examples() -> dict[str, list[tuple[str, BaseModel, dict[str, str] | None]]]:
    """Message name → examples as (summary, model instance, NATS headers): real instances of the
    models, so each is valid by construction; the tests validate them against the schemas."""
    seg = Segment(
        id=7,
        start=12.3,
        end=15.0,
        text=" Nous décidons de valider la première tranche.",
        speaker="Alice Martin",
        words=[
            Word(start=12.3, end=12.5, word=" Nous", probability=0.98, speaker="Alice Martin"),
            Word(start=12.5, end=13.0, word=" décidons", probability=0.91, speaker="Alice Martin"),
        ],
        avg_logprob=-0.21,
        no_speech_prob=0.01,
        compression_ratio=1.2,
    )
    transcript = Transcript(
        meeting_id="m-42",
        source="meeting:m-42",
        language="fr",
        duration=4321.0,
        segments=[seg.model_copy(update={"id": 0, "words": []})],
        speakers=[Speaker(id="Alice Martin", name="Alice Martin")],
        model={"name": "whisper-base"},
        settings={"pass": "final"},
        created_at=_at(4500),
    )
    audio_headers = {"Nats-Msg-Id": "acme.m-42.p1.17"}
    return {
        "MeetingStarted": [
            (
                "One track per participant",
                MeetingStarted(
                    meeting_id="m-42",
                    title="Comité de pilotage",
                    language="fr",
                    participants=[
                        Participant(id="p1", name="Alice Martin", track="p1"),
                        Participant(id="p2", name="Bruno Petit"),
                    ],
                    vocabulary=["numérisation", "Cerfa"],
                    per_track=True,
                    started_at=T0,
                ),
                {"Nats-Msg-Id": "acme.m-42.started"},
            ),
            ("The least: one mixed track, French", MeetingStarted(meeting_id="m-43"), None),
        ],
        "AudioChunk": [
            (
                "4 samples of silence (200 ms is 3200 samples)",
                AudioChunk(
                    meeting_id="m-42", seq=17, timestamp=3.4, track="p1", data="A" * 11 + "="
                ),
                audio_headers,
            )
        ],
        "MeetingEnded": [
            (
                "With the last seq of each track",
                MeetingEnded(
                    meeting_id="m-42", ended_at=_at(4321), last_seq={"p1": 3120, "p2": 3118}
                ),
                None,
            )
        ],
        "PartialEvent": [
            (
                "A hypothesis",
                PartialEvent(
                    meeting_id="m-42",
                    track="p1",
                    speaker="Alice Martin",
                    start=12.3,
                    end=14.1,
                    text=" Nous décidons de valider",
                    sent_at=_at(14.6),
                ),
                None,
            )
        ],
        "CommittedEvent": [
            (
                "A committed segment",
                CommittedEvent(meeting_id="m-42", track="p1", segment=seg, sent_at=_at(15.9)),
                {"Nats-Msg-Id": "acme.m-42.segment.7"},
            )
        ],
        "StatusEvent": [
            (
                "Taken by a worker",
                StatusEvent(
                    meeting_id="m-42",
                    status="live",
                    detail="started by host-123-ab12cd",
                    worker="host-123-ab12cd",
                    sent_at=_at(0.2),
                ),  # fmt: skip
                None,
            ),
            (
                "Finished (after `final` and `minutes`)",
                StatusEvent(
                    meeting_id="m-42",
                    status="done",
                    detail="412 segments",
                    worker="host-123-ab12cd",
                    sent_at=_at(4700),
                ),  # fmt: skip
                None,
            ),
        ],
        "ErrorEvent": [
            (
                "A repeated chunk (the meeting goes on)",
                ErrorEvent(
                    meeting_id="m-42",
                    code="duplicate_chunk",
                    message="track 'p1' chunk 17 was already received; ignored",
                    subject="meetings.acme.m-42.audio",
                    track="p1",
                    seq=17,
                    sent_at=_at(3.7),
                ),
                None,
            ),
            (
                "A reused meeting ID (fatal: the meeting does not start)",
                ErrorEvent(
                    meeting_id="m-42",
                    code="invalid_message",
                    message="meeting 'm-42' of tenant 'acme' already took place and is done: "
                    "a new meeting needs a new meeting_id; this `started` is ignored",
                    fatal=True,
                    subject="meetings.acme.m-42.started",
                    sent_at=_at(90000),
                ),
                None,
            ),
        ],
        "FinalEvent": [
            (
                "Transcript inline",
                FinalEvent(
                    meeting_id="m-42",
                    segments=1,
                    duration=4321.0,
                    speakers=["Alice Martin"],
                    transcript=transcript,
                    sent_at=_at(4600),
                ),  # fmt: skip
                {"Nats-Msg-Id": "acme.m-42.final"},
            ),
            (
                "Transcript too large to inline: fetch it over HTTP",
                FinalEvent(
                    meeting_id="m-42",
                    segments=4120,
                    duration=28800.0,
                    speakers=["Alice Martin", "Bruno Petit"],
                    sent_at=_at(31000),
                ),  # fmt: skip
                {"Nats-Msg-Id": "acme.m-42.final"},
            ),
        ],
        "MinutesEvent": [
            (
                "Minutes inline",
                MinutesEvent(
                    meeting_id="m-42",
                    markdown="# Comité de pilotage\n\n## Décisions\n...",
                    detail="done",
                    sent_at=_at(4650),
                ),  # fmt: skip
                {"Nats-Msg-Id": "acme.m-42.minutes"},
            ),
            (
                "No minutes",
                MinutesEvent(
                    meeting_id="m-42",
                    available=False,
                    detail="minutes disabled (ASR_MEETING_MINUTES=false or --no-minutes)",
                    sent_at=_at(4650),
                ),  # fmt: skip
                {"Nats-Msg-Id": "acme.m-42.minutes"},
            ),
        ],
        "MinutesValidatedEvent": [
            (
                "A clerk validated version 4 (sent by the HTTP API)",
                MinutesValidatedEvent(
                    meeting_id="m-42",
                    version=4,
                    validated_by="Mme Leroy, greffe",
                    validated_at=_at(90_000),
                    title="Comité de pilotage",
                    decisions=3,
                    actions=5,
                    sent_at=_at(90_000),
                ),  # fmt: skip
                {"Nats-Msg-Id": "acme.m-42.minutes.v4"},
            ),
        ],
        SERVICE_ERROR_MESSAGE: [
            (
                "A subject naming no valid meeting ID",
                ErrorEvent(
                    meeting_id="",
                    code="invalid_message",
                    message="subject must be meetings.<tenant>.<meeting_id>.started, each ID "
                    "1-128 letters, digits, '_' or '-' starting with a letter or digit; message "
                    "dropped",
                    fatal=True,
                    subject="meetings.acme._x.started",
                    sent_at=_at(60),
                ),
                None,
            )
        ],
    }


# ------------------------------------------------------------------------------- permissions
def nats_permissions(tenant: str = "<tenant>") -> dict[str, dict[str, list[str]]]:
    """Subjects each client must be allowed to publish to and subscribe to (NATS
    ``permissions``), by role. ``backend`` is what streaming meetings and receiving events takes;
    ``backend_replay``, ``service_errors`` and ``simulate`` are optional additions; ``worker`` is
    the service. The tests grant exactly these to users of a real nats-server and run a meeting."""
    inbox = "_INBOX.>"  # replies: JetStream acks and API answers come back on the client's inbox
    js = "$JS.API"
    kv = f"KV_{sub.LEASE_BUCKET}"  # the stream behind the lease bucket
    streams = (sub.STREAM_IN, sub.STREAM_OUT, kv)
    return {
        "backend": {
            "publish": [sub.wildcard(k, tenant) for k in sub.IN_KINDS],
            "subscribe": [*(sub.wildcard(k, tenant) for k in sub.OUT_KINDS), inbox],
        },
        "backend_replay": {
            "publish": [
                f"{js}.CONSUMER.CREATE.{sub.STREAM_OUT}.*.{sub.PREFIX}.{tenant}.>",
                f"{js}.CONSUMER.MSG.NEXT.{sub.STREAM_OUT}.*",
                f"{js}.CONSUMER.INFO.{sub.STREAM_OUT}.*",
                f"{js}.CONSUMER.DELETE.{sub.STREAM_OUT}.*",
                f"$JS.ACK.{sub.STREAM_OUT}.>",
            ],
            "subscribe": [inbox],
        },
        "service_errors": {"publish": [], "subscribe": [sub.SERVICE_ERRORS]},
        "simulate": {
            "publish": [
                f"{js}.STREAM.INFO.{sub.STREAM_IN}",
                f"{js}.STREAM.MSG.GET.{sub.STREAM_IN}",
            ],
            "subscribe": [inbox],
        },
        "worker": {
            "publish": [
                *(sub.wildcard(k) for k in sub.OUT_KINDS),
                sub.SERVICE_ERRORS,
                *(f"{js}.STREAM.{op}.{s}" for s in streams for op in ("CREATE", "UPDATE", "INFO")),
                f"{js}.STREAM.PURGE.{sub.STREAM_IN}",
                f"{js}.STREAM.MSG.GET.{sub.STREAM_IN}",
                *(
                    f"{js}.CONSUMER.{op}.{sub.STREAM_IN}.*"
                    for op in ("DURABLE.CREATE", "INFO", "DELETE", "MSG.NEXT")
                ),
                f"$JS.ACK.{sub.STREAM_IN}.>",
                f"$KV.{sub.LEASE_BUCKET}.>",
                f"{js}.STREAM.MSG.GET.{kv}",
                f"{js}.DIRECT.GET.{kv}.>",  # reads, when the bucket allows direct gets
                # a tenant's live meetings are counted with a watcher (ordered consumer)
                f"{js}.CONSUMER.CREATE.{kv}",
                f"{js}.CONSUMER.CREATE.{kv}.>",
                f"{js}.CONSUMER.INFO.{kv}.*",
                f"{js}.CONSUMER.DELETE.{kv}.*",
                f"$JS.FC.{kv}.>",
            ],
            "subscribe": [inbox],
        },
    }


PERMISSION_ROLES: dict[str, str] = {
    "backend": "**`backend`**: stream meetings and receive their events (per tenant).",
    "backend_replay": "**`backend_replay`** (optional, added to `backend`): read missed events "
    "back from ASR_OUT with a named pull consumer filtered under `meetings.<tenant>.`.",
    "service_errors": "**`service_errors`** (optional): `asr.errors` is service-wide and its "
    "events name other tenants' subjects: for operators and single-tenant backends.",
    "simulate": "**`simulate`** (added to `backend` for `asr-service simulate`, a test tool): it "
    "checks that ASR_IN exists and that the meeting ID is unused (this reads any tenant's ASR_IN "
    "messages); it subscribes to the output subjects only, like `backend`.",
    "worker": "**`worker`** (`asr-service worker` and `serve`): it declares the streams, "
    "consumers and lease bucket itself.",
}


def _permissions_markdown() -> str:
    """Each role's permissions as a block to paste into a nats-server user's configuration."""
    perms = nats_permissions()
    blocks = []
    for role, title in PERMISSION_ROLES.items():
        lines = [title, "", "```", "permissions: {"]
        for way in ("publish", "subscribe"):
            if perms[role][way]:
                lines.append(f"  {way}: {{allow: [")
                lines += [f'    "{s}",' for s in perms[role][way]]
                lines.append("  ]}")
        lines += ["}", "```"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _reflow(markdown: str, width: int = 96) -> str:
    """Re-wrap the paragraphs and list items of ``markdown`` (after substitutions changed their
    lengths); headings, tables and fenced blocks are kept as they are."""
    out: list[str] = []
    fenced = False
    for block in markdown.split("\n\n"):
        first = block.lstrip()
        if fenced or first.startswith(("```", "|", "#")):
            out.append(block)
            fenced = fenced != (block.count("```") % 2 == 1)
            continue
        items: list[list[str]] = []
        for line in block.splitlines():
            if re.match(r"(- |\d+\. )", line) or not items:
                items.append([line])
            else:
                items[-1].append(line.strip())
        wrapped = []
        for item in items:
            marker = re.match(r"(- |\d+\. )?", item[0]).group(0)  # type: ignore[union-attr]
            text = " ".join([item[0][len(marker) :], *item[1:]])
            # a code span is never broken across lines: its spaces are held back while wrapping
            text = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
            filled = textwrap.fill(
                text,
                width,
                initial_indent=marker,
                subsequent_indent=" " * len(marker),
                break_on_hyphens=False,
                break_long_words=False,
            )
            wrapped.append(filled.replace("\0", " "))
        out.append("\n".join(wrapped))
    return "\n\n".join(out)


# ---------------------------------------------------------------------------------- document
def _description() -> str:
    """The document's ``info.description``: what a backend developer needs beyond the schemas."""
    limits = BusLimits()
    max_bytes = _setting("bus_max_message_bytes")
    encodings = ", ".join(f"`{e}`" for e in SUPPORTED_ENCODINGS)
    stored = ", ".join(f"`{k}`" for k in sub.PERSISTED_OUT_KINDS)
    core = sorted(set(sub.OUT_KINDS) - set(sub.PERSISTED_OUT_KINDS))
    text = f"""\
The NATS bus between a meeting backend and the transcription service: the backend streams a
meeting's audio in, the service sends live and final transcripts, status, errors and minutes out.
Generated from the service's code (`python -m asr_service.bus.asyncapi > docs/asyncapi.yaml`);
`docs/bus.md` is the prose guide.

**Reading this document.** Operations are written from the service's side: `receive` operations
are what the backend **publishes**, `send` operations what it **subscribes** to. Messages are JSON
(UTF-8). Subjects are `{sub.PREFIX}.<tenant>.<meeting_id>.<kind>`; `tenant` and `meeting_id` are 1-128
characters of `A-Z a-z 0-9 _ -`, starting with a letter or digit (no dots). Unknown JSON fields
are ignored.

## Server

NATS with JetStream, **nats-server >= {NATS_SERVER_MIN}** (each meeting's audio consumer filters
on two subjects, `filter_subjects`). `asr-service serve` runs an embedded one on 127.0.0.1:4222.
Workers declare the streams, consumers and lease bucket at start-up; nothing is set up by hand.

| Stream / bucket | Subjects | Retention (settings) |
|---|---|---|
| `{sub.STREAM_IN}` (JetStream, file) | `started`, `audio`, `ended` | {limits.in_max_age_s / 3600:g} h (ASR_BUS_IN_MAX_AGE_H), {_gib(limits.in_max_bytes)} (ASR_BUS_IN_MAX_BYTES), {IN_DUPLICATE_WINDOW_S} s duplicate window; a finished meeting's audio is purged |
| `{sub.STREAM_OUT}` (JetStream, file) | {stored} | {limits.out_max_age_s / 3600:g} h (ASR_BUS_OUT_MAX_AGE_H), {_gib(limits.out_max_bytes)} (ASR_BUS_OUT_MAX_BYTES), {limits.duplicate_window_s:g} s duplicate window |
| core NATS only (not stored) | {", ".join(f"`{k}`" for k in core)}, `{sub.SERVICE_ERRORS}` | received only while subscribed |
| `{sub.LEASE_BUCKET}` (KV, workers only) | key `<tenant>.<meeting_id>` | TTL ASR_LEASE_TTL_S ({_setting("lease_ttl_s"):g} s) |

## Limits (service settings, defaults)

- Largest accepted message: ASR_BUS_MAX_MESSAGE_BYTES ({max_bytes} bytes); larger ones are
  answered with `oversized_message`. ASR_IN stores messages up to {IN_STORED_FACTOR}x that so a
  worker can answer them; a message over that, or over the server's `max_payload` (1 MiB on a
  stock nats-server), is refused to the publisher (no ack).
- Longest chunk: ASR_BUS_MAX_CHUNK_S ({_setting("bus_max_chunk_s"):g} s); 100-500 ms is typical.
- Live meetings per worker: ASR_WORKER_MAX_MEETINGS ({_setting("worker_max_meetings")}); more
  meetings wait in ASR_IN for a free worker.
- Live meetings per tenant, across workers: ASR_BUS_TENANT_MAX_MEETINGS
  ({_setting("bus_tenant_max_meetings")}; 0: no cap); a `started` beyond it is refused (fatal
  `too_many_meetings`).
- A meeting that receives nothing for ASR_MEETING_IDLE_TIMEOUT_S
  ({_setting("meeting_idle_timeout_s"):g} s) ends itself: status `ended_by_timeout`, then the
  final pass on what was received; later input gets `meeting_over`.
- `started`: at most {MAX_PARTICIPANTS} participants and {MAX_VOCABULARY_TERMS} vocabulary
  terms of at most {MAX_TERM_CHARS} characters each, a title of at most {MAX_TITLE_CHARS}
  characters (else fatal `invalid_message`).
- A dead worker's meetings move to another after ASR_LEASE_TTL_S ({_setting("lease_ttl_s"):g} s).

## Audio

Mono, {SAMPLE_RATE} Hz, {encodings} (little-endian), base64 in `AudioChunk.data`. `seq` counts
from 0 per track without gaps. One mixed track is `mix`; with one track per participant, set
`per_track: true` in `started` and name each participant's `track`.

## A meeting, step by step

1. Subscribe to the meeting's output subjects (`{sub.PREFIX}.<tenant>.<meeting_id>.<kind>` for
   each of {", ".join(f"`{k}`" for k in sub.OUT_KINDS)}; or `{sub.PREFIX}.<tenant>.*.<kind>` for
   all meetings). Not `{sub.PREFIX}.<tenant>.<meeting_id>.>`: that also delivers your own audio.
2. Publish `started` with JetStream and check the ack; use a **new `meeting_id` for every
   meeting** (a finished meeting's ID is refused with a fatal `invalid_message` error; with the
   recommended `Nats-Msg-Id`, a `started` repeated within the duplicate window is acked with
   `duplicate: true` and ignored).
3. Publish `audio` chunks in order per track, then `ended` (with `last_seq`). Publishing with
   JetStream and checking the ack means the service will process the message even if no worker
   runs right now; a `Nats-Msg-Id` header (e.g. `<tenant>.<meeting_id>.<track>.<seq>`) makes a
   retried publish harmless within the {IN_DUPLICATE_WINDOW_S} s duplicate window.
4. The meeting is over when both `final` and `minutes` have come (then `status` `done`), or on
   `status` `failed`, or on an `error` with `fatal: true`. Processing `ended` runs the final
   pass: allow minutes, not seconds. A meeting that sends nothing for
   ASR_MEETING_IDLE_TIMEOUT_S is ended by the service (`ended_by_timeout`, then as after
   `ended`).

## Delivery rules

- **De-duplicate `committed` events by `segment.id`.** Segments are published in id order;
  after a worker takeover the new owner re-publishes those its predecessor stored but had not
  yet published. A publish retried after a lost answer reaches the server twice: JetStream
  keeps one copy in ASR_OUT (`Nats-Msg-Id` `<tenant>.<meeting_id>.segment.<id>`, within its
  {limits.duplicate_window_s:g} s window), but core-NATS subscribers receive both.
- `partial` events are not stored and replace one another; `committed` segments are final for
  the live pass; the `final` transcript replaces the live one.
- Missed events (e.g. after a backend restart) can be read back from ASR_OUT with a consumer
  filtered on `{sub.PREFIX}.<tenant>.<meeting_id>.>`; `partial` events cannot.
- **`{sub.SERVICE_ERRORS}`** carries the fatal `ErrorEvent`s operators watch: messages whose
  subject names no valid tenant or meeting ID, so they cannot be answered on a meeting's `error`
  subject (`meeting_id` `""`), and `started` messages no worker could take on (also sent on the
  meeting's `error` subject); `subject` names the offending subject (of any tenant).

## Results over HTTP

The service stores every transcript and the minutes by tenant and meeting ID. When `final`
does not carry the transcript inline (too large), fetch it: `{TRANSCRIPT_URL}` (also `txt`,
`srt`, `vtt`, `odt`, `docx`, `pdf`); minutes: `{MINUTES_URL}` (also `odt`, `docx`, `pdf`,
`json`). Served by `asr-service api` with `Authorization: Bearer <token>`, a token of the same
tenant made with `asr-service tokens create --tenant <tenant> --role backend` (`clerk` may read
too). See `docs/api.md`.

## NATS permissions

What each client must be allowed to publish and subscribe to, by role, as blocks for a
nats-server user's configuration (replace `<tenant>`; the same lists are in
`x-nats-permissions`). `_INBOX.>` is where replies come back (JetStream acks, API answers): use
your client's inbox prefix instead if you set one. The tests grant exactly these lists to users
of a real nats-server and run a meeting through them.

{_permissions_markdown()}

The `backend_replay` subjects limit what a consumer may filter on to the tenant, not which
existing consumer may be read: where tenants must not see each other, give consumers
unguessable names, or give each tenant its own NATS account.
"""
    return _reflow(text)


def _parameters() -> dict[str, Any]:
    ids = (
        "1-128 characters of A-Z a-z 0-9 _ -, starting with a letter or digit "
        f"(regular expression `{sub._ID.pattern}`)"
    )
    return {
        "tenant": {"description": f"the organisation; {ids}", "examples": ["acme"]},
        "meeting_id": {
            "description": f"the meeting, unique per tenant and never reused; {ids}",
            "examples": ["m-42"],
        },
    }


CHANNEL_TEXT: dict[str, tuple[str, str]] = {
    "started": ("A meeting begins", "Publish before any audio, once per meeting."),
    "audio": ("Audio chunks", "In `seq` order per track, paced in real time or faster."),
    "ended": ("No more audio", "Triggers the end of the live pass, then the final pass."),
    "partial": (
        "Hypotheses in progress",
        "The current hypothesis of an utterance; changes, not stored.",
    ),
    "committed": (
        "Committed live segments",
        "Segments the live pass will not change. De-duplicate by `segment.id`.",
    ),
    "status": (
        "Meeting lifecycle",
        "live → (ended_by_timeout →) ending → finalizing → done, or failed.",
    ),
    "error": ("Problems with a meeting's input or processing", "`fatal` says if it goes on."),
    "final": ("Final transcript ready", "Inline when it fits, else fetch it over HTTP."),
    "minutes": ("Minutes ready", "Or why there are none; sent just before status `done`."),
    "minutes_validated": (
        "Minutes validated by a clerk",
        "Sent by the HTTP API when a clerk validates a version of the minutes (kept in its "
        "outbox until NATS acknowledges it, so none is lost while the bus is away); downloads "
        "then carry that version.",
    ),
}


def _headers(kind: str) -> dict[str, Any] | None:
    """The NATS headers schema of a message: the ``Nats-Msg-Id`` used for de-duplication."""
    text = {
        "started": "recommended: `<tenant>.<meeting_id>.started`, makes a retried publish harmless",
        "audio": "recommended: `<tenant>.<meeting_id>.<track>.<seq>`, makes a retried publish "
        "harmless",
        "ended": "optional: `<tenant>.<meeting_id>.ended`, makes a retried publish harmless",
        "committed": "`<tenant>.<meeting_id>.segment.<id>`: ASR_OUT stores a re-published "
        "segment once",
        "final": "`<tenant>.<meeting_id>.final`",
        "minutes": "`<tenant>.<meeting_id>.minutes`",
        "minutes_validated": "`<tenant>.<meeting_id>.minutes.v<version>`",
    }.get(kind)
    if text is None:
        return None
    return {
        "type": "object",
        "properties": {"Nats-Msg-Id": {"type": "string", "description": text}},
    }


def _message(name: str, model: type[BaseModel], kind: str, extra: str = "") -> dict[str, Any]:
    doc = " ".join((model.__doc__ or "").split())
    message: dict[str, Any] = {
        "name": name,
        "title": name,
        "summary": doc.split(". ")[0].rstrip("."),
        "description": (doc + extra).strip(),
        "contentType": "application/json",
        "payload": {"$ref": REF.format(model=model.__name__)},
    }
    headers = _headers(kind)
    if headers is not None:
        message["headers"] = headers
    message["examples"] = [
        {
            "name": f"{name}-{i}",
            "summary": summary,
            **({"headers": h} if h else {}),
            "payload": instance.model_dump(mode="json"),
        }
        for i, (summary, instance, h) in enumerate(examples()[name], start=1)
    ]
    return message


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the bus, as a plain dict (see :func:`render`)."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    params = {p: {"$ref": f"#/components/parameters/{p}"} for p in ("tenant", "meeting_id")}
    out_note = " Every field is always present (null when it has no value)."
    for kind, model in {**IN_MESSAGES, **OUT_MESSAGES}.items():
        incoming = kind in IN_MESSAGES
        name = model.__name__
        messages[name] = _message(name, model, kind, "" if incoming else out_note)
        if incoming:
            nats = {"transport": "jetstream", "stream": sub.STREAM_IN}
        elif kind in sub.PERSISTED_OUT_KINDS:
            nats = {"transport": "jetstream", "stream": sub.STREAM_OUT}
        else:
            nats = {"transport": "core"}
        where = f"JetStream stream {nats['stream']}" if "stream" in nats else "core NATS only"
        title, text = CHANNEL_TEXT[kind]
        direction = "backend → service" if incoming else "service → backend"
        channels[kind] = {
            "address": f"{sub.PREFIX}.{{tenant}}.{{meeting_id}}.{kind}",
            "title": title,
            "description": f"{direction}, {where}. {text}",
            "parameters": params,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "x-nats": nats,
        }
        action = "receive" if incoming else "send"
        operations[f"{action}{kind.capitalize()}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{kind}"},
            "summary": ("The backend publishes: " if incoming else "The backend subscribes: ")
            + title.lower(),
            "messages": [{"$ref": f"#/channels/{kind}/messages/{name}"}],
        }
    messages[SERVICE_ERROR_MESSAGE] = _message(
        SERVICE_ERROR_MESSAGE,
        ErrorEvent,
        "service_errors",
        ' On `asr.errors`: `subject` names the offending subject; `meeting_id` is empty ("") when '
        "it names no valid meeting.",
    )
    channels["serviceErrors"] = {
        "address": sub.SERVICE_ERRORS,
        "title": "Errors about no valid meeting",
        "description": "service → backend, core NATS only. Messages whose subject names no valid "
        "tenant or meeting ID cannot be answered on a meeting's `error` subject: they are "
        'reported here, service-wide (any tenant), with `meeting_id` "" (a `started` each time, '
        "audio once per subject); so is a `started` no worker could take on (with its "
        "`meeting_id`, also on the meeting's `error` subject).",
        "messages": {
            SERVICE_ERROR_MESSAGE: {"$ref": f"#/components/messages/{SERVICE_ERROR_MESSAGE}"}
        },
        "x-nats": {"transport": "core"},
    }
    operations["sendServiceError"] = {
        "action": "send",
        "channel": {"$ref": "#/channels/serviceErrors"},
        "summary": "The backend (or an operator) subscribes: errors about no valid meeting",
        "messages": [{"$ref": f"#/channels/serviceErrors/messages/{SERVICE_ERROR_MESSAGE}"}],
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "asr-service NATS bus",
            "version": __version__,
            "description": _description(),
            "license": {"name": "Apache-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "embedded": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "the embedded nats-server of `asr-service serve` (JetStream)",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": payload_schemas(),
            "messages": messages,
            "parameters": _parameters(),
        },
        "x-nats-permissions": nats_permissions(),
    }


def _check_codes() -> None:
    """Every error code of the schema is explained (a new code must be documented)."""
    if set(ERROR_CODES) != set(get_args(ErrorCode)):
        raise ValueError(f"ERROR_CODES {sorted(ERROR_CODES)} != ErrorCode {get_args(ErrorCode)}")


def render() -> str:
    """The document as YAML (multi-line strings as literal blocks): ``docs/asyncapi.yaml``."""
    import yaml  # PyYAML: a dependency of ctranslate2 and of the dev extra

    _check_codes()

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # repeat shared parts in full: no YAML anchors for a reader to chase

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return yaml.dump(
        asyncapi_document(), Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100
    )


if __name__ == "__main__":
    sys.stdout.write(render())
