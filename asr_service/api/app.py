"""The FastAPI application: ``create_app(settings)`` wires services, routes, pages and jobs.

At start-up the database is migrated to the current schema, jobs left unfinished by a previous
process are re-queued, and the retention job starts; at shutdown both stop cleanly.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from asr_service.api.jobs import Processor
from asr_service.api.middleware import RequestContextMiddleware
from asr_service.api.oidc import OidcClient
from asr_service.api.retention import RetentionScheduler
from asr_service.api.routes import (
    audit,
    downloads,
    health,
    meetings,
    recordings,
    review,
    tokens,
    web,
)
from asr_service.api.security import AuthThrottle, SecurityHeaders, origin_of
from asr_service.api.services import ApiServices, ReadinessCheck
from asr_service.config import Settings, get_settings
from asr_service.storage import Database

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
DOCS_ASSETS_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
"""Swagger UI and ReDoc, shipped in the ``fastapi-offline`` wheel: /docs works air-gapped."""
DOCS_ASSETS = "/docs-assets"

DESCRIPTION = """
Transcriptions and minutes of meetings, per tenant.

**Authentication**: `Authorization: Bearer asr_…` — an API token bound to one tenant and one role
(`clerk` reads, `backend` also uploads and deletes, `admin` also manages tokens and reads the audit
log). Create the first one with `asr-service tokens create --tenant T --role admin`. Clerks'
browsers use a sign-in session cookie instead (OpenID Connect); a change made with that cookie must
come from this service's pages. Repeated authentication failures answer 429 with `Retry-After`.
A meeting of another tenant answers 404, exactly like a meeting that does not exist.

**Typical flow**: `POST /api/v1/recordings` (multipart, field `file`) → poll
`GET /api/v1/jobs/{job_id}` until `done` → `GET /api/v1/meetings/{meeting_id}/minutes?format=odt`.
"""

TAGS = [
    {"name": "réunions", "description": "List, search, inspect and delete meetings."},
    {"name": "téléchargements", "description": "Transcripts and minutes as files."},
    {
        "name": "relecture",
        "description": "The clerk's review of the minutes: edit, decide the points à vérifier, "
        "validate; versions kept and audited; regenerate after correcting the transcript.",
    },
    {"name": "enregistrements", "description": "Upload recordings; follow batch jobs."},
    {"name": "administration", "description": "Tokens and audit log (admin role)."},
    {"name": "santé", "description": "Probes and metrics for the orchestrator."},
]


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    processor: Processor | None = None,
    model_check: ReadinessCheck | None = None,
    run_retention: bool = True,
) -> FastAPI:
    """Build the app; ``db``, ``processor``, ``model_check`` replace the defaults (tests)."""
    settings = settings or get_settings()
    services = ApiServices.build(settings, db=db, processor=processor, model_check=model_check)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.db.migrate()
        if settings.api_job_workers > 0:
            resumed = services.jobs.resume_pending()
            if resumed:
                log.info("re-queued %d unfinished job(s)", resumed)
        scheduler = None
        if run_retention:
            scheduler = RetentionScheduler(services.purge_expired, settings.retention_interval_s)
            scheduler.start()
        if services.outbox is not None:
            services.outbox.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()
            if services.outbox is not None:
                services.outbox.stop()
            if services.regenerations is not None:
                services.regenerations.shutdown()
            services.jobs.shutdown()

    app = FastAPI(
        title="asr-service — API des comptes rendus",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served below from local assets
        redoc_url=None,
    )
    app.state.services = services
    app.state.throttle = AuthThrottle(settings.sign_in_rate_limit, settings.auth_failure_rate_limit)
    app.state.oidc = OidcClient(settings) if settings.oidc_issuer else None
    app.add_middleware(SecurityHeaders, form_targets=(origin_of(settings.oidc_issuer) or "",))
    app.add_middleware(RequestContextMiddleware)  # request_id (and tenant) on every log line

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        """422 with the offending fields named (FastAPI's default, plus a French summary)."""
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        return JSONResponse(
            {"detail": f"Requête invalide ({fields}).", "errors": jsonable_encoder(exc.errors())},
            status_code=422,
        )

    for module in (meetings, downloads, review, recordings, tokens, audit, health, web):
        app.include_router(module.router)
    app.include_router(review.pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(DOCS_ASSETS, StaticFiles(directory=DOCS_ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — documentation",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )

    return app
