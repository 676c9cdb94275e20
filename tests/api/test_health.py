"""Probes and metrics."""

from __future__ import annotations

from tests.api.conftest import ApiHarness


def test_healthz_readyz_metrics(api: ApiHarness) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["storage"]["ok"] and checks["models"]["ok"] and checks["bus"]["ok"]

    api.services.checks["bus"] = lambda: (False, "bus unreachable: connection refused")
    not_ready = api.client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"]["bus"] == {
        "ok": False,
        "detail": "bus unreachable: connection refused",
    }

    metrics = api.client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    for name in (
        "asr_jobs_total",
        "asr_job_duration_seconds",
        "asr_job_real_time_factor",
        "asr_job_queue_depth",
        "asr_errors_total",
    ):
        assert f"# HELP {name}" in metrics.text


def test_storage_check_fails_when_the_database_is_gone(api: ApiHarness) -> None:
    from sqlalchemy import create_engine

    ok, _ = api.services.check_storage()
    assert ok
    real = api.services.db.engine
    api.services.db.engine = create_engine("sqlite:////nonexistent-dir/x.db")
    try:
        ok, detail = api.services.check_storage()
        assert not ok and "database unreachable" in detail
        assert api.client.get("/readyz").status_code == 503
    finally:
        api.services.db.engine = real


def test_bus_check_against_a_closed_port(api: ApiHarness) -> None:
    from asr_service.config import Settings

    api.services.settings = Settings(data_dir=api.services.settings.data_dir)
    object.__setattr__(api.services.settings, "nats_url", "nats://127.0.0.1:1")
    ok, detail = api.services.check_bus()
    assert not ok and "unreachable" in detail


def test_openapi_documents_every_route_with_examples(api: ApiHarness) -> None:
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/meetings",
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/meetings/{meeting_id}/transcript",
        "/api/v1/meetings/{meeting_id}/minutes",
        "/api/v1/recordings",
        "/api/v1/jobs/{job_id}",
        "/api/v1/tokens",
        "/api/v1/audit",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/recordings"]["post"]["requestBody"]["content"]
    assert "example" in spec["components"]["schemas"]["MeetingDetail"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
