"""Liveness, readiness and Prometheus metrics (unauthenticated: keep them on the pod network)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from asr_service.api.deps import ServicesDep
from asr_service.api.schemas import Health, Readiness

router = APIRouter(tags=["santé"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
def healthz() -> Health:
    """Liveness: answers as long as the event loop runs (no dependency is checked)."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Ready to serve: storage reachable, models available, bus connected",
    responses={503: {"model": Readiness, "description": "at least one check failed"}},
)
async def readyz(services: ServicesDep) -> JSONResponse:
    """Readiness: every check of :class:`ApiServices` (storage, models, bus); 503 if one fails."""
    results = await services.readiness()
    body = Readiness(
        ready=all(ok for ok, _ in results.values()),
        checks={name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()},
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
def metrics(services: ServicesDep) -> Response:
    """Jobs, durations, real-time factor, queue depth, downloads and errors (text format 0.0.4)."""
    services.metrics.queue_depth.set(services.jobs.depth)
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)
