"""Prometheus metrics of the HTTP API and its batch jobs, served on ``/metrics``.

Each metric lives in its own registry so several app instances (tests) never collide, and the
worker and the API can each expose theirs.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ApiMetrics:
    """Counters and histograms for jobs, downloads and errors."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.jobs = Counter(
            "asr_jobs_total",
            "Batch jobs finished, by outcome (succeeded, failed)",
            ["outcome"],
            registry=self.registry,
        )
        self.job_duration = Histogram(
            "asr_job_duration_seconds",
            "Wall-clock time of one batch job (decode, transcription, diarization, minutes)",
            buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600),
            registry=self.registry,
        )
        self.real_time_factor = Histogram(
            "asr_job_real_time_factor",
            "Processing time divided by audio duration (below 1: faster than real time)",
            buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5),
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "asr_job_queue_depth",
            "Batch jobs waiting or running",
            registry=self.registry,
        )
        self.errors = Counter(
            "asr_errors_total",
            "Errors by kind (job, upload_rejected, http_5xx, retention)",
            ["kind"],
            registry=self.registry,
        )
        self.downloads = Counter(
            "asr_downloads_total",
            "Transcript and minutes downloads by format",
            ["kind", "format"],
            registry=self.registry,
        )
        self.purged = Counter(
            "asr_retention_purged_meetings_total",
            "Meetings deleted by the retention job",
            registry=self.registry,
        )
