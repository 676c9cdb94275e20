"""docs/asyncapi.yaml: the bus contract for backend developers who do not read Python.

- The committed file is what :func:`asr_service.bus.asyncapi.render` makes of the code today.
- Every subject of ``subjects.py`` is a channel; every ``$ref`` resolves; every property is
  described; each message's examples are instances of its pydantic model and validate against the
  payload schema (with ``jsonschema`` when it is installed).
- The NATS permissions it lists are enough, on a real ``nats-server`` that enforces them: a
  stand-in worker makes the worker's NATS calls (``connection.py``'s declarations, the lease,
  the per-meeting consumer, the events) as the ``worker`` user; docs/bus.md's minimal backend,
  run as it is written, streams a meeting as the ``backend`` user and must print each committed
  segment once although core NATS delivers a twice-published segment twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jsonschema
import nats
import nats.errors
import numpy as np
import pytest
import yaml
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic import BaseModel

from asr_service.bus import asyncapi
from asr_service.bus import subjects as sub
from asr_service.bus.connection import (
    BusLimits,
    dispatch_consumer,
    ensure_consumer,
    ensure_lease_bucket,
    ensure_streams,
    meeting_consumer,
)
from asr_service.bus.lease import count_leases
from asr_service.bus.schemas import (
    IN_MESSAGES,
    OUT_MESSAGES,
    AudioChunk,
    CommittedEvent,
    ErrorEvent,
    FinalEvent,
    MinutesEvent,
    PartialEvent,
    StatusEvent,
)
from asr_service.bus.sentinel import ensure_sentinel
from asr_service.bus.server import free_port
from asr_service.transcript import Segment, Transcript

from .conftest import nats_process

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "asyncapi.yaml"
BUS_MD = ROOT / "docs" / "bus.md"
REGENERATE = "python -m asr_service.bus.asyncapi > docs/asyncapi.yaml"

MODELS: dict[str, type[BaseModel]] = {
    **{m.__name__: m for m in (*IN_MESSAGES.values(), *OUT_MESSAGES.values())},
    asyncapi.SERVICE_ERROR_MESSAGE: ErrorEvent,
}
"""Message name in the document → the model its payload is."""


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return yaml.safe_load(DOC.read_text(encoding="utf-8"))


def resolve(document: dict[str, Any], ref: str) -> Any:
    """The part of the document a local ``$ref`` (``#/a/b``) points at."""
    assert ref.startswith("#/"), ref
    node: Any = document
    for token in ref[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


# ------------------------------------------------------------------------------ the document
def test_committed_document_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == asyncapi.render(), (
        f"docs/asyncapi.yaml is stale: run `{REGENERATE}`"
    )


def test_every_subject_is_a_channel(document: dict[str, Any]) -> None:
    channels = document["channels"]
    by_address = {c["address"]: c for c in channels.values()}
    for kind in (*sub.IN_KINDS, *sub.OUT_KINDS):
        address = f"{sub.PREFIX}.{{tenant}}.{{meeting_id}}.{kind}"
        assert address in by_address, f"no channel for {address}"
        nats_ = by_address[address]["x-nats"]
        if kind in sub.IN_KINDS:
            assert nats_ == {"transport": "jetstream", "stream": sub.STREAM_IN}
        elif kind in sub.PERSISTED_OUT_KINDS:
            assert nats_ == {"transport": "jetstream", "stream": sub.STREAM_OUT}
        else:
            assert nats_ == {"transport": "core"}
    assert by_address[sub.SERVICE_ERRORS]["x-nats"] == {"transport": "core"}
    assert len(by_address) == len(sub.IN_KINDS) + len(sub.OUT_KINDS) + 1
    # each channel has one operation: receive (the backend publishes) or send (it subscribes)
    operated = {resolve(document, op["channel"]["$ref"])["address"]: op["action"]
                for op in document["operations"].values()}  # fmt: skip
    assert operated == {
        a: "receive" if a.endswith(tuple(f".{k}" for k in sub.IN_KINDS)) else "send"
        for a in by_address
    }


def test_every_ref_resolves(document: dict[str, Any]) -> None:
    found = list(refs(document))
    assert found
    for ref in found:
        assert isinstance(resolve(document, ref), dict), ref


def test_every_property_is_described(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    bare = [
        f"{name}.{prop}"
        for name, schema in schemas.items()
        for prop, spec in schema.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert bare == [], f"add these fields to FIELD_NOTES in asr_service/bus/asyncapi.py: {bare}"
    stale = [
        f"{name}.{prop}"
        for name, notes in asyncapi.FIELD_NOTES.items()
        for prop in notes
        if prop not in schemas.get(name, {}).get("properties", {})
    ]
    assert stale == [], f"FIELD_NOTES names fields the models no longer have: {stale}"


def test_the_limits_and_rules_a_backend_needs_are_stated(document: dict[str, Any]) -> None:
    text = " ".join(document["info"]["description"].split())  # whatever the line breaks
    for needed in (
        "nats-server >= 2.10",
        "filter_subjects",
        "ASR_BUS_MAX_MESSAGE_BYTES (1048576 bytes)",
        "ASR_BUS_MAX_CHUNK_S (5 s)",
        "`pcm_s16le`, `pcm_f32le`",
        "16000 Hz",
        "De-duplicate `committed` events by `segment.id`",
        '(`meeting_id` `""`)',
        "GET /api/v1/meetings/{meeting_id}/transcript",
        "asr-service tokens create",
        "## NATS permissions",
    ):
        assert needed in text, needed
    assert document["x-nats-permissions"] == asyncapi.nats_permissions()


def test_examples_are_instances_of_the_models(document: dict[str, Any]) -> None:
    messages = document["components"]["messages"]
    assert set(messages) == set(MODELS)
    for name, message in messages.items():
        schema = resolve(document, message["payload"]["$ref"])
        assert message["examples"], f"{name} has no example"
        for example in message["examples"]:
            payload = example["payload"]
            assert set(schema.get("required", [])) <= set(payload) <= set(schema["properties"])
            model = MODELS[name]
            assert model.model_validate(payload).model_dump(mode="json") == payload, name


def test_payload_schemas_validate_real_messages(document: dict[str, Any]) -> None:
    """Each payload schema accepts real messages built from the models (the document's examples
    and fresh ones) and refuses broken ones: the schemas say what the models do."""

    def validator(name: str) -> Any:
        ref = document["components"]["messages"][name]["payload"]["$ref"]
        schema = {"$ref": ref, "components": document["components"]}
        return jsonschema.Draft7Validator(schema)

    fresh: dict[str, list[BaseModel]] = {
        "AudioChunk": [AudioChunk(meeting_id="m-1", seq=0, data="AAAA")],
        "PartialEvent": [PartialEvent(meeting_id="m-1", track="mix", start=0, end=1, text=" a")],
        "CommittedEvent": [
            CommittedEvent(
                meeting_id="m-1", track="mix", segment=Segment(id=0, start=0, end=1, text=" a")
            )
        ],
        "StatusEvent": [StatusEvent(meeting_id="m-1", status="live")],
        "FinalEvent": [
            FinalEvent(meeting_id="m-1", segments=0, duration=0, transcript=Transcript())
        ],
        "MinutesEvent": [MinutesEvent(meeting_id="m-1", available=False)],
    }
    for name, message in document["components"]["messages"].items():
        check = validator(name)
        payloads = [e["payload"] for e in message["examples"]]
        payloads += [m.model_dump(mode="json") for m in fresh.get(name, [])]
        for payload in payloads:
            errors = [e.message for e in check.iter_errors(payload)]
            assert errors == [], f"{name}: {errors}"
    assert not validator("AudioChunk").is_valid({"meeting_id": "m-1", "seq": 0})  # no data
    assert not validator("AudioChunk").is_valid({"meeting_id": "m-1", "seq": -1, "data": ""})
    status = StatusEvent(meeting_id="m-1", status="live").model_dump(mode="json")
    assert not validator("StatusEvent").is_valid({**status, "status": "paused"})
    del status["worker"]  # the service always sends every field
    assert not validator("StatusEvent").is_valid(status)


# ----------------------------------------------------------------------- permissions, for real
PASSWORD = "s3cret"
TENANT = "acme"
USERS = {
    "worker": ("worker",),
    "backend": ("backend",),
    "replayer": ("backend", "backend_replay"),
    "simulator": ("backend", "simulate"),
    "operator": ("backend", "service_errors"),
}
"""NATS user → the roles of ``nats_permissions`` it is granted (exactly those subjects)."""
TEST_LIMITS = BusLimits(in_max_bytes=64 * 1024**2, out_max_bytes=64 * 1024**2, lease_ttl_s=15.0)


@dataclass
class Bus:
    port: int

    def url(self, user: str) -> str:
        return f"nats://{user}:{PASSWORD}@127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bus]:
    """A JetStream ``nats-server`` whose users have the document's permissions, nothing more."""
    folder = tmp_path_factory.mktemp("nats-permissions")
    perms = asyncapi.nats_permissions(TENANT)
    users = [
        {
            "user": user,
            "password": PASSWORD,
            "permissions": {
                way: {"allow": sorted({s for r in roles for s in perms[r].get(way, [])})}
                for way in ("publish", "subscribe")
            },
        }
        for user, roles in USERS.items()
    ]
    port = free_port()
    conf = folder / "nats.conf"
    conf.write_text(
        json.dumps(
            {
                "listen": f"127.0.0.1:{port}",
                "jetstream": {"store_dir": str(folder / "js")},
                "authorization": {"users": users},
            }
        ),
        encoding="utf-8",
    )
    with nats_process(port, "-c", str(conf), "-l", str(folder / "nats.log")):
        yield Bus(port)


@dataclass
class StandInWorker:
    """The worker's NATS calls without the speech model: it declares what a worker declares,
    takes each meeting from ``asr-dispatch`` with its lease, reads the audio through the
    meeting's consumer (re-created as on a takeover), then answers with a fixed set of events,
    publishing the committed segment twice as a publish retried after a lost answer does."""

    url: str
    errors: list[Exception] = field(default_factory=list)
    served: list[tuple[str, str, int]] = field(default_factory=list)
    """(tenant, meeting, audio chunks) of each meeting served."""
    duplicate_acks: list[bool] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def on_error(self, exc: Exception) -> None:
        self.errors.append(exc)

    async def run(self) -> None:
        nc = await nats.connect(self.url, error_cb=self.on_error)
        js = nc.jetstream(timeout=5.0)
        for _ in range(2):  # the second time as at a restart: streams and consumers exist
            await ensure_streams(js, TEST_LIMITS)
            await ensure_consumer(js, sub.STREAM_IN, dispatch_consumer(TEST_LIMITS))
            await ensure_sentinel(js)
        await ensure_lease_bucket(js, TEST_LIMITS)
        kv = await ensure_lease_bucket(js, replace(TEST_LIMITS, lease_ttl_s=20.0))  # TTL update
        dispatch = await js.pull_subscribe_bind(sub.DISPATCH_CONSUMER, stream=sub.STREAM_IN)
        sentinel = await js.pull_subscribe_bind(sub.SENTINEL_CONSUMER, stream=sub.STREAM_IN)
        self.ready.set()
        try:
            while not self.stop.is_set():
                # TimeoutError, not nats.errors.TimeoutError: under load nats-py's fetch raises
                # a plain asyncio.TimeoutError (the worker catches both too)
                with contextlib.suppress(TimeoutError):
                    for msg in await dispatch.fetch(1, timeout=0.2):
                        await self.meeting(nc, js, kv, msg)
                with contextlib.suppress(TimeoutError):
                    await sentinel.fetch(16, timeout=0.05)
        finally:
            await nc.close()  # (drain would wait for the pull subscriptions' late replies)

    async def meeting(self, nc: Any, js: Any, kv: Any, start: Msg) -> None:
        address = sub.parse(start.subject)
        assert address is not None
        tenant, mid = address.tenant, address.meeting_id
        await start.in_progress()
        key = sub.lease_key(tenant, mid)
        revision = await kv.create(key, b"stand-in")
        revision = await kv.update(key, b"stand-in", last=(await kv.get(key)).revision)
        assert await count_leases(kv, tenant) == 1  # the tenant cap's count of live meetings
        await js.get_last_msg(sub.STREAM_IN, sub.subject(tenant, mid, "started"))
        config = meeting_consumer(tenant, mid)
        name = config.durable_name or ""
        with contextlib.suppress(NotFoundError):
            await js.consumer_info(sub.STREAM_IN, name)
        await js.add_consumer(sub.STREAM_IN, config)
        await js.consumer_info(sub.STREAM_IN, name)
        await js.delete_consumer(sub.STREAM_IN, name)  # a takeover restarts it at its floor
        config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
        config.opt_start_seq = 1
        await js.add_consumer(sub.STREAM_IN, config)
        audio = await js.pull_subscribe_bind(name, stream=sub.STREAM_IN)
        chunks, ended = 0, False
        while not ended:
            with contextlib.suppress(TimeoutError):
                for msg in await audio.fetch(64, timeout=0.25):
                    ended = msg.subject.endswith(".ended")
                    chunks += not ended
                    await msg.ack()
        await js.stream_info(sub.STREAM_IN)  # where the meeting's input closed (meeting_over)

        async def emit(kind: str, event: BaseModel, msg_id: str | None = None) -> Any:
            headers = {"Nats-Msg-Id": msg_id} if msg_id else None
            data = event.model_dump_json().encode()
            return await js.publish(sub.subject(tenant, mid, kind), data, headers=headers)

        await emit("status", StatusEvent(meeting_id=mid, status="live", worker="stand-in"))
        partial = PartialEvent(meeting_id=mid, track="mix", start=0.0, end=0.3, text=" Bonjour")
        await nc.publish(sub.subject(tenant, mid, "partial"), partial.model_dump_json().encode())
        segment = Segment(id=0, start=0.0, end=0.4, text=" Bonjour à tous.")
        for _ in range(2):  # the second as a publish retried after its answer was lost
            ack = await emit(
                "committed",
                CommittedEvent(meeting_id=mid, track="mix", segment=segment),
                f"{tenant}.{mid}.segment.0",
            )
            self.duplicate_acks.append(bool(ack.duplicate))
        lost = ErrorEvent(
            meeting_id="", code="invalid_message", message="test", fatal=True,
            subject=f"{sub.PREFIX}.{tenant}._x.started",
        )  # fmt: skip
        await nc.publish(sub.SERVICE_ERRORS, lost.model_dump_json().encode())
        for status in ("ending", "finalizing"):
            await emit("status", StatusEvent(meeting_id=mid, status=status))
        final = FinalEvent(
            meeting_id=mid, segments=1, duration=0.4, transcript=Transcript(segments=[segment])
        )
        await emit("final", final, f"{tenant}.{mid}.final")
        await emit(
            "minutes", MinutesEvent(meeting_id=mid, markdown="# CR"), f"{tenant}.{mid}.minutes"
        )
        await js.delete_consumer(sub.STREAM_IN, name)
        await js.purge_stream(sub.STREAM_IN, subject=sub.subject(tenant, mid, "audio"))
        await emit("status", StatusEvent(meeting_id=mid, status="done"))
        await kv.delete(key, last=revision)
        await start.ack()
        self.served.append((tenant, mid, chunks))


@contextlib.asynccontextmanager
async def stand_in_worker(bus: Bus) -> Any:
    worker = StandInWorker(bus.url("worker"))
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.wait_for(
            asyncio.wait({task, asyncio.ensure_future(worker.ready.wait())},
                         return_when=asyncio.FIRST_COMPLETED), 20,
        )  # fmt: skip
        if task.done():
            task.result()  # raises what stopped it
        yield worker
    finally:
        worker.stop.set()
        await asyncio.wait_for(task, 20)
    assert worker.errors == [], f"the worker's permissions fell short: {worker.errors}"


def minimal_backend_code() -> str:
    """The Python block of docs/bus.md's "Minimal backend" section, as written there."""
    text = BUS_MD.read_text(encoding="utf-8")
    section = text[text.index("## Minimal backend") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "docs/bus.md: no python block under ## Minimal backend"
    return match.group(1)


def permission_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Permission violations nats-py reported through its default error callback."""
    found = []
    for record in caplog.records:
        text = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
        if "permissions violation" in text.lower():
            found.append(text)
    return found


async def test_minimal_backend_streams_a_meeting_with_the_backend_permissions(
    bus: Bus, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    namespace: dict[str, Any] = {"__name__": "bus_md_example"}
    exec(compile(minimal_backend_code(), str(BUS_MD), "exec"), namespace)
    meeting = f"m-{uuid.uuid4().hex[:8]}"
    async with stand_in_worker(bus) as worker:
        watcher = await nats.connect(bus.url("operator"))  # a second backend, counting
        committed: list[bytes] = []

        async def count(msg: Msg) -> None:
            committed.append(msg.data)

        await watcher.subscribe(sub.wildcard("committed", TENANT), cb=count)
        errors_sub = await watcher.subscribe(sub.SERVICE_ERRORS)
        pcm = np.zeros(6400, dtype="<i2").tobytes()  # 400 ms: two chunks
        await asyncio.wait_for(
            namespace["main"](pcm, url=bus.url("backend"), tenant=TENANT, meeting=meeting), 30
        )
        await watcher.flush()
        lost = ErrorEvent.model_validate_json((await errors_sub.next_msg(timeout=5)).data)
        await watcher.close()
    out = capsys.readouterr().out
    assert worker.served == [(TENANT, meeting, 2)]
    # core NATS delivers the twice-published segment twice; JetStream stored it once
    assert len(committed) == 2 and worker.duplicate_acks == [False, True]
    assert out.count("Bonjour à tous.") == 1, out  # the example de-duplicates by segment.id
    assert "final: 1 segments (inline)" in out and "minutes: ready" in out, out
    assert lost.meeting_id == "" and lost.fatal
    assert permission_errors(caplog) == []


async def test_a_backend_replays_its_events_and_no_other_tenants(bus: Bus) -> None:
    meeting = f"m-{uuid.uuid4().hex[:8]}"
    async with stand_in_worker(bus):
        nc = await nats.connect(bus.url("replayer"))
        js = nc.jetstream(timeout=2.0)
        base = f"{sub.PREFIX}.{TENANT}.{meeting}"
        await js.publish(f"{base}.started", f'{{"meeting_id": "{meeting}"}}'.encode())
        await js.publish(f"{base}.ended", f'{{"meeting_id": "{meeting}"}}'.encode())
        name = f"replay-{uuid.uuid4().hex}"
        config = ConsumerConfig(
            name=name,
            filter_subject=f"{base}.>",
            ack_policy=AckPolicy.EXPLICIT,
            inactive_threshold=60.0,
        )
        kinds: list[str] = []
        deadline = time.monotonic() + 15
        while "minutes" not in kinds and time.monotonic() < deadline:
            await asyncio.sleep(0.2)  # until the stand-in worker has answered
            info = await js.add_consumer(sub.STREAM_OUT, config)
            assert info.name == name
            replay = await js.pull_subscribe_bind(name, stream=sub.STREAM_OUT)
            kinds = []
            with contextlib.suppress(TimeoutError):
                for msg in await replay.fetch(20, timeout=1.0):
                    kinds.append(msg.subject.rsplit(".", 1)[1])
                    await msg.ack()
            await js.consumer_info(sub.STREAM_OUT, name)
            await js.delete_consumer(sub.STREAM_OUT, name)
            await replay.unsubscribe()
        assert kinds.count("committed") == 1, kinds  # the re-published copy was not stored again
        assert {"final", "minutes"} <= set(kinds) and "partial" not in kinds, kinds
        # another tenant's subjects: neither published to nor filtered on
        other = f"{sub.PREFIX}.other.{meeting}"
        with pytest.raises(nats.errors.Error):
            await js.publish(f"{other}.started", f'{{"meeting_id": "{meeting}"}}'.encode())
        with pytest.raises(nats.errors.Error):
            await js.add_consumer(sub.STREAM_OUT, replace(config, filter_subject=f"{other}.>"))
        await nc.close()


async def test_simulate_runs_with_its_permissions(bus: Bus) -> None:
    from asr_service.bus.simulator import simulate

    meeting = f"sim-{uuid.uuid4().hex[:8]}"
    async with stand_in_worker(bus) as worker:
        nc = await nats.connect(bus.url("simulator"))
        result = await simulate(
            nc,
            {"mix": np.zeros(6400, dtype=np.float32)},
            meeting_id=meeting,
            tenant=TENANT,
            speed=50.0,
            timeout=20.0,
        )
        await nc.close()
    assert worker.served == [(TENANT, meeting, 2)]
    assert [s.status for s in result.statuses][-1] == "done"
    assert len(result.committed) == 1 and result.final is not None and result.minutes is not None
