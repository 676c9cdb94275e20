"""CLI commands of the HTTP layer: ``asr-service api`` and ``asr-service tokens ...``.

Registered on the main typer app by :mod:`asr_service.cli`; heavy imports (FastAPI, SQLAlchemy)
happen inside the commands so the rest of the CLI starts fast.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table

from asr_service.api.auth import Role
from asr_service.cli_support import fail
from asr_service.exit_codes import ExitCode

console = Console(stderr=True, soft_wrap=True)  # a line stays one line in logs
tokens_app = typer.Typer(
    help="API tokens: create (shown once), list, revoke.", no_args_is_help=True
)

ROLE_HELP = "clerk (read), backend (also upload/delete), admin (also tokens, audit)"


def api_command(
    host: str | None = typer.Option(None, help="listen address (default ASR_API_HOST)"),
    port: int | None = typer.Option(
        None, min=1, max=65535, help="listen port (default ASR_API_PORT)"
    ),
    workers: int | None = typer.Option(
        None, "--jobs", min=0, help="batch jobs run at once in this process (ASR_API_JOB_WORKERS)"
    ),
) -> None:
    """Run the HTTP API and the clerk pages (uvicorn)."""
    from asr_service.api import create_app
    from asr_service.api.server import serve_api
    from asr_service.config import get_settings

    settings = get_settings(api_host=host, api_port=port, api_job_workers=workers)
    app = create_app(settings)
    console.print(
        f"API on http://{settings.api_host}:{settings.api_port} "
        f"(docs: /docs, clerk pages: /connexion, data: {settings.data_dir})"
    )
    # log_config=None: uvicorn's records go through the service's formatter (ASR_LOG_FORMAT,
    # secrets masked); the request middleware logs one line per request, with its request_id.
    # h11 with header and body read timeouts (ASR_API_HEADER_TIMEOUT_S, ASR_API_BODY_TIMEOUT_S)
    serve_api(app, settings, log_config=None, access_log=False)


def purge_command() -> None:
    """Apply the retention rules once and exit: meetings past ASR_MEETING_RETENTION_DAYS (or
    their tenant's ASR_TENANT_RETENTION_DAYS__<id>), received audio past its deadline
    (ASR_AUDIO_RETENTION_DAYS). The API process does this every ASR_RETENTION_INTERVAL_S; run this
    from cron or a CronJob where only bus workers run. Exit 1 if anything failed to delete."""
    from asr_service.api.retention import purge_expired
    from asr_service.api.services import storage_locations
    from asr_service.config import get_settings

    settings = get_settings()
    audio_store, upload_root = storage_locations(settings)
    report = purge_expired(_database(), settings, audio_store=audio_store, upload_root=upload_root)
    console.print(
        f"retention: {len(report.meetings)} meeting(s) deleted, audio of "
        f"{len(report.audio)} meeting(s) deleted, {len(report.errors)} error(s)"
    )
    for error in report.errors:
        console.print(f"error: {error}")
    if report.errors:
        raise typer.Exit(1)


def _database():  # noqa: ANN202 - storage Database
    """The migrated database; exit 5 when it cannot be reached."""
    from sqlalchemy.exc import OperationalError

    from asr_service.config import get_settings
    from asr_service.storage import Database

    db = Database.from_settings(get_settings())
    try:
        db.migrate()
    except OperationalError as exc:
        db.dispose()
        fail(f"the database is unavailable: {exc.orig or exc}", ExitCode.UNAVAILABLE)
    return db


@tokens_app.command("create")
def tokens_create(
    tenant: str = typer.Option(..., help="tenant ID (created when new)"),
    role: Role = typer.Option(..., help=ROLE_HELP),
    name: str = typer.Option("", help="what the token is for, e.g. 'greffe poste 2'"),
    days: float | None = typer.Option(None, help="expires after this many days"),
) -> None:
    """Create a token and print it once on stdout (only its hash is stored)."""
    from asr_service.storage import repository as repo
    from asr_service.storage import safe_name

    try:
        safe_name(tenant, "tenant id")
    except ValueError as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    db = _database()
    try:
        with db.session() as session:
            record, secret = repo.create_api_token(
                session, tenant, role.value, name=name, expires_at=expires
            )
            repo.audit(session, "token.created", tenant_id=tenant, actor="cli",
                       target=f"token:{record.id}", detail={"role": role.value, "name": name})  # fmt: skip
            token_id = record.id
    except ValueError as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    finally:
        db.dispose()
    console.print(
        f"token {token_id} for tenant {tenant!r}, role {role}: store it now, it is not shown again"
    )
    typer.echo(secret)


@tokens_app.command("list")
def tokens_list(tenant: str = typer.Option(..., help="tenant ID")) -> None:
    """List a tenant's tokens (never their secrets)."""
    from asr_service.storage import repository as repo

    db = _database()
    with db.session() as session:
        rows = repo.list_api_tokens(session, tenant)
        table = Table("id", "role", "name", "created", "expires", "revoked", "last used")
        for t in rows:
            table.add_row(
                str(t.id), t.role, t.name, f"{t.created_at:%Y-%m-%d}",
                f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "-",
                f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else "-",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-",
            )  # fmt: skip
    db.dispose()
    Console().print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int = typer.Argument(..., help="token id (see tokens list)"),
    tenant: str = typer.Option(..., help="tenant ID"),
) -> None:
    """Revoke one of a tenant's tokens."""
    from asr_service.storage import repository as repo

    db = _database()
    try:
        with db.session() as session:
            repo.revoke_api_token(session, tenant, token_id)
            repo.audit(session, "token.revoked", tenant_id=tenant, actor="cli",
                       target=f"token:{token_id}")  # fmt: skip
    except repo.NotFound as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    finally:
        db.dispose()
    console.print(f"token {token_id} revoked")
