"""End to end with the real models: upload the shipped French recording over HTTP, let the batch
job run the real pipeline (decode, VAD, Whisper base, diarization when installed), then read the
transcript back in every format. Minutes are not requested here: the LLM step has its own tests.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from asr_service.api import create_app
from asr_service.api.jobs import pipeline_processor
from asr_service.asr import Transcriber
from asr_service.config import Settings
from asr_service.pipeline import Pipeline
from asr_service.storage import repository as repo
from tests.conftest import SAMPLE_KEYWORDS, SAMPLE_MAX_CER, cer, sample_script


@pytest.mark.slow
def test_upload_to_transcript_with_the_real_pipeline(
    tmp_path: Path, transcriber: Transcriber, french_speech_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", api_job_workers=1)
    processor = pipeline_processor(settings, Pipeline(settings, transcriber=transcriber))
    app = create_app(settings, processor=processor, run_retention=False)
    with TestClient(app) as client:
        services = app.state.services
        ready = client.get("/readyz").json()
        assert ready["checks"]["models"]["ok"], (
            ready
        )  # the real model check: Whisper base installed
        with services.db.session() as s:
            _, backend = repo.create_api_token(s, "mairie", "backend")
        headers = {"Authorization": f"Bearer {backend}"}
        r = client.post(
            "/api/v1/recordings",
            files={
                "file": ("comité de pilotage.ogg", french_speech_path.read_bytes(), "audio/ogg")
            },
            data={"title": "Comité de pilotage", "meeting_id": "copil-1", "minutes": "false"},
            headers=headers,
        )
        assert r.status_code == 202, r.text
        status_url = r.json()["status_url"]
        deadline = time.monotonic() + 300
        while (job := client.get(status_url, headers=headers).json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
        assert job["status"] == "done", job

        transcript = client.get("/api/v1/meetings/copil-1/transcript", headers=headers).json()
        assert transcript["duration"] == pytest.approx(35.8, abs=0.5)
        text = " ".join(s["text"] for s in transcript["segments"]).lower()
        assert cer(sample_script(), text) < SAMPLE_MAX_CER, text  # the sample, transcribed
        found = [w for w in SAMPLE_KEYWORDS if w in text]
        assert found, text
        srt = client.get("/api/v1/meetings/copil-1/transcript?format=srt", headers=headers)
        assert srt.status_code == 200 and "-->" in srt.text
        odt = client.get("/api/v1/meetings/copil-1/transcript?format=odt", headers=headers)
        assert odt.status_code == 200 and odt.content[:2] == b"PK"
        minutes = client.get("/api/v1/meetings/copil-1/minutes", headers=headers)
        assert minutes.status_code == 404  # not asked for
        metrics = client.get("/metrics").text
        assert 'asr_jobs_total{outcome="succeeded"} 1.0' in metrics
        assert "asr_job_real_time_factor_count 1.0" in metrics
