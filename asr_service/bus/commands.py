"""Bodies of the bus commands of ``asr-service``: ``serve``, ``worker``, ``simulate``.

``asr_service.cli`` registers these functions; ``python -m asr_service.bus`` runs them standalone
(what the fault tests start as separate worker processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import socket
from pathlib import Path
from typing import Any

import typer

from asr_service.bus.server import EmbeddedNats
from asr_service.cli_support import fail, split_list
from asr_service.exit_codes import ExitCode

log = logging.getLogger(__name__)

app = typer.Typer(help="NATS bus: embedded server, worker, simulator", no_args_is_help=True)


def build_worker(
    settings,
    nats_url: str,
    *,
    worker_id: str | None = None,
    minutes: bool | None = None,
    final_pass: bool = True,
):  # noqa: ANN001, ANN201
    """A ready :class:`Worker`: migrated database, audio store, pipeline (model loaded once)."""
    from sqlalchemy.exc import OperationalError

    from asr_service.bus.worker import Worker
    from asr_service.pipeline import Pipeline
    from asr_service.storage import AudioStore, Database

    db = Database.from_settings(settings)
    try:
        db.migrate()
    except OperationalError as exc:  # e.g. PostgreSQL down: one line, exit 5, password masked
        db.dispose()
        fail(f"the database is unavailable: {exc.orig or exc}", ExitCode.UNAVAILABLE)
    audio = AudioStore(settings.resolved_data_dir / "audio", settings.audio_retention_days)
    pipeline = Pipeline(settings)
    return Worker(
        settings,
        pipeline=pipeline,
        db=db,
        audio=audio,
        nats_url=nats_url,
        worker_id=worker_id,
        minutes=minutes,
        final_pass=final_pass,
    )


STOP_SIGNALS = tuple(
    sig
    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None))
    if sig is not None
)
"""Signals that stop a worker cleanly (SIGHUP: its terminal closed; ``serve``'s nats-server,
in its own process group, does not get it and is stopped by ``serve``)."""


async def _until_signal(worker) -> None:  # noqa: ANN001
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await worker.run(stop)


def _run_until_signal(worker) -> None:  # noqa: ANN001
    """Serve until SIGINT/SIGTERM/SIGHUP; a bus that refuses us or cannot hold our streams is a
    clear error, exit 5 (service unavailable)."""
    from asr_service.bus.connection import BusConnectError, StreamSetupError
    from asr_service.bus.health import HealthPortError, serve_health
    from asr_service.logging import bind

    bind(worker_id=getattr(worker, "id", None))  # on every line this worker logs
    try:
        # /healthz, /readyz, /metrics on ASR_HEALTH_PORT (0: none) while the worker runs
        with serve_health(worker) as health:
            asyncio.run(health.watch(_until_signal(worker)))
    except (StreamSetupError, BusConnectError, HealthPortError) as exc:
        fail(str(exc), ExitCode.UNAVAILABLE)


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB" if n >= 1024**3 else f"{n / 1024**2:.0f} MiB"


STREAM_FLOOR_MESSAGES = 16
"""Fewest largest-possible messages a disk-sized stream bound still holds."""


def size_streams_to_disk(settings: Any, store_dir: Path) -> tuple[Any, str | None]:
    """Settings whose stream bounds the operator left unset are sized to the free disk under the
    embedded server's ``store_dir``, and the line that says so (None: nothing was sized).

    JetStream reserves each stream's ``max_bytes`` on its store when the stream is created, and
    the embedded server may use 75 % of the free disk: the production defaults (20 GiB + 2 GiB)
    make a first ``serve`` fail on a laptop with little free space. So ``ASR_IN`` gets at most
    ``IN_DISK_SHARE`` of it and ``ASR_OUT`` ``OUT_DISK_SHARE``, never more than the defaults;
    ``ASR_BUS_IN_MAX_BYTES`` / ``ASR_BUS_OUT_MAX_BYTES`` (environment or .env) are kept as set."""
    from asr_service.bus.connection import BusLimits
    from asr_service.bus.server import IN_DISK_SHARE, OUT_DISK_SHARE, disk_sized_bound

    limits = BusLimits.from_settings(settings)
    free = shutil.disk_usage(store_dir).free
    wanted = {
        "bus_in_max_bytes": (
            IN_DISK_SHARE,
            STREAM_FLOOR_MESSAGES * limits.in_stored_message_bytes,
            "ASR_IN",
        ),
        "bus_out_max_bytes": (
            OUT_DISK_SHARE,
            STREAM_FLOOR_MESSAGES * limits.max_message_bytes,
            "ASR_OUT",
        ),
    }
    update: dict[str, int] = {}
    shown: list[str] = []
    overrides: list[str] = []
    for field, (share, floor, stream) in wanted.items():
        if field in settings.model_fields_set:
            continue
        update[field] = disk_sized_bound(getattr(settings, field), free, share, floor)
        shown.append(f"{stream} {_size(update[field])}")
        overrides.append(f"ASR_{field.upper()}")
    if not update:
        return settings, None
    line = (
        f"stream bounds sized to the {_size(free)} free under {store_dir}: {', '.join(shown)} "
        f"(set {' / '.join(overrides)} to choose)"
    )
    return settings.model_copy(update=update), line


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@app.command()
def worker(
    nats_url: str = typer.Option(None, "--nats-url", help="overrides ASR_NATS_URL"),
    worker_id: str = typer.Option(None, "--id", help="worker name in leases (default host-pid)"),
    minutes: bool = typer.Option(None, "--minutes/--no-minutes", help="minutes at meeting end"),
    final_pass: bool = typer.Option(
        True, "--final-pass/--no-final-pass", help="accurate pass at meeting end (benchmarks: off)"
    ),
) -> None:
    """Join a NATS cluster (ASR_NATS_URL, credentials/TLS from ASR_NATS_*) and serve meetings."""
    from asr_service.config import get_settings

    settings = get_settings()
    url = nats_url or settings.nats_url
    if not url:
        fail("no NATS URL: set ASR_NATS_URL or pass --nats-url (or use `serve`)", ExitCode.USAGE)
    worker_ = build_worker(
        settings, url, worker_id=worker_id, minutes=minutes, final_pass=final_pass
    )
    _run_until_signal(worker_)


@app.command()
def serve(
    port: int = typer.Option(4222, help="port of the embedded nats-server (next free if taken)"),
    minutes: bool = typer.Option(None, "--minutes/--no-minutes", help="minutes at meeting end"),
) -> None:
    """Run a worker; with no ASR_NATS_URL, first start an embedded nats-server with JetStream."""
    from asr_service.bus.server import free_port
    from asr_service.config import get_settings

    settings = get_settings()
    if settings.nats_url:
        _run_until_signal(build_worker(settings, settings.nats_url, minutes=minutes))
        return
    from asr_service.bus.server import NatsServerError

    asked = port
    if not _port_free(port):
        port = free_port()
    from asr_service.bus.connection import BusLimits

    # Payloads up to ASR_IN's stored bound (+ headers) reach a worker, which answers oversized
    # ones with an error event, whatever ASR_BUS_MAX_MESSAGE_BYTES is.
    payload = BusLimits.from_settings(settings).in_stored_message_bytes + 64 * 1024
    server = EmbeddedNats(
        settings.resolved_data_dir / "nats", port, max_payload=payload, own_process_group=True
    )
    # Until the worker's loop handles them, SIGTERM and SIGHUP unwind like Ctrl-C, so that the
    # `finally` below stops the child server (their default action, e.g. while the model loads,
    # would leave an orphan nats-server holding the port and the store).
    for sig in STOP_SIGNALS:
        if sig != signal.SIGINT:  # SIGINT already raises KeyboardInterrupt
            signal.signal(sig, _interrupt)
    try:
        try:
            server.start()
        except NatsServerError as exc:
            fail(str(exc), ExitCode.UNAVAILABLE)
        typer.echo(f"embedded nats-server (JetStream) at {server.url}, data in {server.store_dir}")
        settings, sized = size_streams_to_disk(settings, server.store_dir)
        if sized:
            typer.echo(sized)
        if port != asked:
            typer.echo(
                f"note: port {asked} was taken; point clients here, e.g. "
                f"`asr-service simulate FILE --meeting-id demo --nats-url {server.url}`"
            )
        _run_until_signal(build_worker(settings, server.url, minutes=minutes))
    finally:
        server.stop()


def _interrupt(signum: int, frame: object) -> None:
    """Signal handler: unwind (and run ``finally`` blocks) as Ctrl-C does."""
    raise KeyboardInterrupt


CONNECT_WITHIN_S = 10.0
"""How long ``simulate`` waits for an unreachable NATS server (one that is starting) before it
exits with one line, instead of retrying forever."""


def _positive_speed(value: float) -> float:
    if not value > 0:  # also refuses NaN
        raise typer.BadParameter(
            f"must be > 0 (1 = real time, 4 = four times faster, inf = no pauses), got {value}"
        )
    return value


def _track_names(values: list[str] | None) -> list[str] | None:
    if values and not split_list(values):
        raise typer.BadParameter("empty: give one name per file (repeatable, commas accepted)")
    return values


@app.command()
def simulate(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="recording(s); several = one track each"
    ),
    meeting_id: str = typer.Option(..., "--meeting-id", help="meeting ID (letters, digits, _ -)"),
    tenant: str = typer.Option("default", help="tenant ID"),
    speed: float = typer.Option(
        1.0,
        callback=_positive_speed,
        help="playback rate, > 0: 1 = real time, 4 = four times faster than real time, "
        "inf = as fast as possible (no pauses between chunks)",
    ),
    tracks: list[str] | None = typer.Option(
        None,
        "--tracks",
        callback=_track_names,
        help="track/participant names, one per file (repeatable, commas accepted)",
    ),
    title: str = typer.Option("", help="meeting title"),
    vocabulary: list[str] | None = typer.Option(
        None, "--vocabulary", help="names/terms to favour (repeatable, commas accepted)"
    ),
    chunk_ms: int = typer.Option(200, min=1, help="chunk length in milliseconds"),
    nats_url: str = typer.Option(None, "--nats-url", help="overrides ASR_NATS_URL"),
    timeout: float = typer.Option(
        1800, help="seconds to wait for the final transcript once all the audio is sent"
    ),
) -> None:
    """Play a recording into the bus as the backend would; print partials, commits, final.

    A bus that cannot be reached within 10 s, or that no worker has started on (no ASR_IN
    stream), is reported at once in one line, exit 5; a meeting ID already in use: exit 3; no
    final status within --timeout, or a meeting that did not end done: exit 1."""
    import nats.errors

    from asr_service.bus.connection import BusConnectError, BusUnreachableError, connect
    from asr_service.bus.simulator import (
        FinalStatusTimeout,
        MeetingIdInUse,
        StreamsMissing,
        check_track_names,
        load_tracks,
        wait_for_streams,
    )
    from asr_service.bus.simulator import simulate as run_simulation
    from asr_service.config import get_settings

    settings = get_settings()
    url = nats_url or settings.nats_url or "nats://127.0.0.1:4222"
    names = split_list(tracks) or None
    if names is not None or len(files) > 1:  # several files: tracks named after their stems
        try:
            check_track_names(len(files), names or [f.stem for f in files])
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--tracks'") from exc

    def show(kind: str, event) -> None:  # noqa: ANN001
        if kind == "partial":
            typer.echo(f"  … [{event.track}] {event.text}")
        elif kind == "committed":
            s = event.segment
            who = f" {s.speaker}:" if s.speaker else ""
            typer.secho(f"[{s.start:7.2f}-{s.end:7.2f}]{who} {s.text}", fg="green")
        elif kind == "status":
            typer.secho(f"status: {event.status} {event.detail}", fg="cyan")
        elif kind == "error":
            typer.secho(f"error {event.code}: {event.message}", fg="red", err=True)
        elif kind == "final":
            typer.secho(
                f"final transcript: {event.segments} segments, {event.duration:.1f} s", fg="cyan"
            )
            if event.transcript:
                for s in event.transcript.segments:
                    who = f" {s.speaker}:" if s.speaker else ""
                    typer.echo(f"  [{s.start:7.2f}-{s.end:7.2f}]{who} {s.text}")
        elif kind == "minutes":
            typer.secho(f"minutes: {'ready' if event.available else event.detail}", fg="cyan")
            if event.markdown:
                typer.echo(event.markdown)

    async def main() -> str:
        nc = await connect(settings, url=url, name="asr-simulator", reach_within=CONNECT_WITHIN_S)
        try:
            # before decoding the recording: a bus no worker serves is reported at once
            await wait_for_streams(nc.jetstream(), timeout=0)
            audio = load_tracks(files, names)
            result = await run_simulation(
                nc,
                audio,
                meeting_id=meeting_id,
                tenant=tenant,
                title=title,
                speed=speed,
                vocabulary=split_list(vocabulary),
                chunk_s=chunk_ms / 1000,
                timeout=timeout,
                streams_timeout=0,
                on_event=show,
            )
        finally:
            await nc.close()
        fatal = [e for e in result.errors if e.fatal]
        if fatal:
            return f"failed ({fatal[-1].code})"
        return result.statuses[-1].status if result.statuses else "unknown"

    try:
        status = asyncio.run(main())
    except BusUnreachableError as exc:
        fail(
            f"{exc} (is `asr-service serve` running? set ASR_NATS_URL or pass --nats-url)",
            ExitCode.UNAVAILABLE,
        )
    except (BusConnectError, StreamsMissing) as exc:
        fail(str(exc), ExitCode.UNAVAILABLE)
    except MeetingIdInUse as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    except FinalStatusTimeout as exc:
        fail(f"{exc} (is the worker still running? see --timeout)", ExitCode.FAILED)
    except (TimeoutError, nats.errors.Error, OSError) as exc:  # publish_retry gave up
        fail(f"the bus stopped accepting the meeting's messages: {exc!r}", ExitCode.FAILED)
    if status != "done":
        fail(f"the meeting ended with status {status!r}", ExitCode.FAILED)


def main() -> None:  # pragma: no cover - entry point
    """``python -m asr_service.bus``: the bus commands with the service's logging (ASR_LOG_*)
    and secret masking; a bad setting is one line, exit 3."""
    from asr_service.config import SettingsError, get_settings
    from asr_service.logging import configure_logging
    from asr_service.redaction import register_secrets

    try:
        settings = get_settings()
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(ExitCode.BAD_INPUT) from None
    register_secrets(settings)
    configure_logging(settings.log_level, settings.log_format)
    app()
