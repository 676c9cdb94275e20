"""Bodies of the bus commands of ``asr-service``: ``serve``, ``worker``, ``simulate``.

``asr_service.cli`` registers these functions; ``python -m asr_service.bus`` runs them standalone
(what the fault tests start as separate worker processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from pathlib import Path

import typer

from asr_service.bus.server import EmbeddedNats

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
    from asr_service.bus.worker import Worker
    from asr_service.pipeline import Pipeline
    from asr_service.storage import AudioStore, Database

    db = Database.from_settings(settings)
    db.migrate()
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


async def _until_signal(worker) -> None:  # noqa: ANN001
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await worker.run(stop)


def _run_until_signal(worker) -> None:  # noqa: ANN001
    """Serve until SIGINT/SIGTERM; a bus that refuses us or cannot hold our streams is a clear
    error, exit 2."""
    from asr_service.bus.connection import BusConnectError, StreamSetupError

    try:
        asyncio.run(_until_signal(worker))
    except (StreamSetupError, BusConnectError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


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
        typer.echo("no NATS URL: set ASR_NATS_URL or pass --nats-url (or use `serve`)", err=True)
        raise typer.Exit(2)
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
    server = EmbeddedNats(settings.resolved_data_dir / "nats", port, max_payload=payload)
    try:
        server.start()
    except NatsServerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"embedded nats-server (JetStream) at {server.url}, data in {server.store_dir}")
    if port != asked:
        typer.echo(
            f"note: port {asked} was taken; point clients here, e.g. "
            f"`asr-service simulate FILE --meeting-id demo --nats-url {server.url}`"
        )
    try:
        _run_until_signal(build_worker(settings, server.url, minutes=minutes))
    finally:
        server.stop()


@app.command()
def simulate(
    files: list[Path] = typer.Argument(
        ..., exists=True, help="recording(s); several = one track each"
    ),
    meeting_id: str = typer.Option(..., "--meeting-id", help="meeting ID (letters, digits, _ -)"),
    tenant: str = typer.Option("default", help="tenant ID"),
    speed: float = typer.Option(1.0, help="1.0 = real time; 4 = four times faster"),
    tracks: str = typer.Option(None, help="comma-separated track/participant names, one per file"),
    title: str = typer.Option("", help="meeting title"),
    vocabulary: str = typer.Option("", help="comma-separated terms to favour"),
    chunk_ms: int = typer.Option(200, help="chunk length in milliseconds"),
    nats_url: str = typer.Option(None, "--nats-url", help="overrides ASR_NATS_URL"),
    timeout: float = typer.Option(1800, help="seconds to wait for the final transcript"),
) -> None:
    """Play a recording into the bus as the backend would; print partials, commits, final."""
    from asr_service.bus.connection import connect
    from asr_service.bus.simulator import load_tracks
    from asr_service.bus.simulator import simulate as run_simulation
    from asr_service.config import get_settings

    settings = get_settings()
    url = nats_url or settings.nats_url or "nats://127.0.0.1:4222"
    names = [t.strip() for t in tracks.split(",")] if tracks else None
    audio = load_tracks(files, names)

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
        nc = await connect(settings, url=url, name="asr-simulator")
        try:
            result = await run_simulation(
                nc,
                audio,
                meeting_id=meeting_id,
                tenant=tenant,
                title=title,
                speed=speed,
                vocabulary=[v.strip() for v in vocabulary.split(",") if v.strip()],
                chunk_s=chunk_ms / 1000,
                timeout=timeout,
                on_event=show,
            )
        finally:
            await nc.close()
        fatal = [e for e in result.errors if e.fatal]
        if fatal:
            return f"failed ({fatal[-1].code})"
        return result.statuses[-1].status if result.statuses else "unknown"

    from asr_service.bus.connection import BusConnectError
    from asr_service.bus.simulator import MeetingIdInUse

    try:
        status = asyncio.run(main())
    except (BusConnectError, MeetingIdInUse) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except TimeoutError as exc:
        typer.echo(
            f"error: no final status within {timeout:g} s (is a worker running? see --timeout)",
            err=True,
        )
        raise typer.Exit(1) from exc
    if status != "done":
        typer.echo(f"error: the meeting ended with status {status!r}", err=True)
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - entry point
    from asr_service.config import get_settings

    logging.basicConfig(
        level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app()
