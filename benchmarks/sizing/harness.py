"""The sizing bench end to end: measure this machine, then write the report (``asr-service bench``).

Order of a run (each part is its own module; this one only sequences them and records failures):

1. machine description (:mod:`.machine`);
2. batch throughput of the file pipeline per stage, against plain faster-whisper (:mod:`.batch`);
3. decoding across streams, sequential vs batched (:mod:`.batching`; on CUDA or in a full run);
4. live capacity ladder on the real bus (:mod:`.live`) and its compute-bound baseline;
5. WER on the French dev set for the same settings (:mod:`.quality`);
6. the sizing calculator on the measured capacity (:mod:`.calculator`), then the report
   (:mod:`.report`).

Three presets: ``quick`` (minutes on a laptop: 36 s meeting, ladder 1-8, a dev subset), ``full``
(eval meetings too, ladder to 64, whole dev set) and ``tiny`` (a few seconds, N ≤ 2: the tests).
A part that cannot run here (no eval set, no diarization export, no LLM) is recorded as skipped
with the reason, and the report says so; it never aborts the rest.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asr_service.config import Settings
from asr_service.pipeline import Pipeline
from benchmarks.sizing import batch as batch_mod
from benchmarks.sizing import workload
from benchmarks.sizing.calculator import inputs_from_report, plan
from benchmarks.sizing.machine import describe_machine
from benchmarks.sizing.report import key_rows, write_report

log = logging.getLogger(__name__)

LogFn = Callable[[str], None]


@dataclass
class BenchConfig:
    """What to measure and how much of it; a preset fills the amounts, flags override them."""

    mode: str = "quick"
    out: Path = Path("out/sizing")
    model: str | None = None
    device: str | None = None
    compute_type: str | None = None
    beam_size: int | None = None
    full_workload: bool = False
    batch_seconds: float | None = None
    """Trim each workload meeting to this many seconds for the batch part (None: whole)."""
    diarization: bool = True
    minutes: bool = True
    batched: bool | None = None
    """Also run faster-whisper's batched pipeline (None: on CUDA only)."""
    stream_batching: list[int] | None = None
    """N values for the across-streams batching measurement (None: preset; empty: skip)."""
    live: bool = True
    ladder: list[int] | None = None
    """Simultaneous meetings to try (None: the preset's ladder for the device)."""
    live_seconds: float = 20.0
    live_budget_s: float | None = None
    """Start no new rung after this many seconds of ladder (a borrowed GPU's time is short)."""
    eval_meetings: bool = True
    """Live ladder on the eval set's French meeting mixes when present (live WER measured too)."""
    slo_s: float = 3.0
    quality: bool = True
    quality_seconds: float | None = 45.0
    users: int = 40_000
    concurrency: float = 0.10
    participants: float = 6.0
    meeting_minutes: float = 60.0
    streams_per_meeting: float = 1.0
    headroom: float = 0.30


PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {
        "batch_seconds": 8.0,
        "minutes": False,
        "ladder": [1, 2],
        "live_seconds": 8.0,
        "eval_meetings": False,
        "quality_seconds": 8.0,
        "stream_batching": [],
    },
    "quick": {},
    "full": {
        "full_workload": True,
        "live_seconds": 60.0,
        "quality_seconds": None,
        "batched": True,
    },
}

LADDERS = {  # (mode, device) → simultaneous meetings tried, until one is not held
    ("quick", "cpu"): [1, 2, 4, 6, 8],
    ("quick", "cuda"): [1, 4, 8, 16, 24, 32, 48, 64],
    ("full", "cpu"): [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32],
    ("full", "cuda"): [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128],
}
STREAM_BATCHES = {  # on CPU batching buys little and costs minutes: full runs only
    ("quick", "cpu"): [],
    ("quick", "cuda"): [1, 4, 16, 32],
    ("full", "cpu"): [1, 2, 4, 8],
    ("full", "cuda"): [1, 4, 8, 16, 32, 64],
}


def config_for(mode: str, **overrides: Any) -> BenchConfig:
    """A preset (``tiny``, ``quick``, ``full``) with explicit overrides (None values ignored)."""
    if mode not in PRESETS:
        raise ValueError(f"unknown mode {mode!r}: choose from {', '.join(PRESETS)}")
    values = {**PRESETS[mode], **{k: v for k, v in overrides.items() if v is not None}}
    return replace(BenchConfig(mode=mode), **values)


def bench_settings(config: BenchConfig) -> Settings:
    """Service settings for the model, device, compute type and beam being sized."""
    overrides = {
        "model": config.model,
        "device": config.device,
        "compute_type": config.compute_type,
        "beam_size": config.beam_size,
    }
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _part(report: dict[str, Any], name: str, fn: Callable[[], Any], log_fn: LogFn) -> Any:
    """Run one part; a failure is recorded in the report (with its reason) instead of raised."""
    t0 = time.perf_counter()
    log_fn(f"[{name}] …")
    try:
        result = fn()
    except Exception as exc:  # noqa: BLE001 - one broken part must not lose the others
        log.debug("part %s failed", name, exc_info=True)
        result = {"state": f"failed: {type(exc).__name__}: {exc}"}
        report.setdefault("notes", []).append(
            f"{name} failed: {exc} ({traceback.format_exc(limit=2).splitlines()[-1]})"
        )
    if isinstance(result, dict):
        result.setdefault("elapsed_s", time.perf_counter() - t0)
    log_fn(f"[{name}] done in {time.perf_counter() - t0:.0f} s")
    return result


def run_bench(
    config: BenchConfig, log_fn: LogFn | None = None, *, pipeline: Pipeline | None = None
) -> dict[str, Any]:
    """Measure everything ``config`` asks for on this machine; write and return the report.

    ``pipeline`` lets a caller that already holds a loaded model (the tests) lend it; its settings
    then win over the config's model options.
    """
    say = log_fn or (lambda msg: log.info(msg))
    t_start = time.perf_counter()
    settings = pipeline.settings if pipeline is not None else bench_settings(config)
    pipeline = pipeline or Pipeline(settings)
    t0 = time.perf_counter()
    transcriber = pipeline.transcriber
    load_s = time.perf_counter() - t0
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": config.mode,
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "machine": describe_machine(),
        "settings": {
            "model": transcriber.model_name,
            "model_path": str(transcriber.model_path),
            "device": transcriber.device,
            "compute_type": transcriber.compute_type,
            "beam_size": settings.beam_size,
            "live_beam_size": settings.live_beam_size,
            "cpu_threads": settings.cpu_threads,
            "model_load_s": load_s,
        },
        "notes": [],
    }
    on_gpu = transcriber.device == "cuda"
    key = (config.mode, transcriber.device)
    ladder = config.ladder or LADDERS.get(key, [1, 2])
    stream_batches = (
        config.stream_batching if config.stream_batching is not None else STREAM_BATCHES.get(key)
    )
    report["config"]["ladder"] = ladder
    report["config"]["stream_batching"] = stream_batches
    recordings = workload.meetings(full=config.full_workload, max_seconds=config.batch_seconds)

    report["batch"] = _part(
        report,
        "batch throughput",
        lambda: batch_mod.measure_batch(
            pipeline,
            recordings,
            diarize=config.diarization,
            minutes=config.minutes,
            batched=config.batched if config.batched is not None else on_gpu,
            log_fn=say,
        ),
        say,
    )
    if stream_batches:
        from benchmarks.sizing.batching import measure_stream_batching

        report["stream_batching"] = _part(
            report,
            "decoding across streams",
            lambda: measure_stream_batching(transcriber.model, recordings, stream_batches),
            say,
        )

    if config.live:
        from benchmarks.sizing.live import measure_live, streaming_recordings

        def live() -> dict[str, Any]:
            recs = streaming_recordings(
                workload.meetings(full=config.full_workload), eval_meetings=config.eval_meetings
            )
            return measure_live(
                settings,
                recs,
                ladder,
                seconds=config.live_seconds,
                slo_s=config.slo_s,
                log_fn=say,
                retry=config.mode != "tiny",
                budget_s=config.live_budget_s,
            )

        report["live"] = _part(report, "live capacity", live, say)
    else:
        report["live"] = {"state": "skipped: --no-live"}

    if config.quality:

        def quality() -> Any:
            try:
                from benchmarks.sizing.quality import measure_quality
            except ImportError as exc:  # jiwer / num2words come with the `bench` extra
                raise RuntimeError(
                    f"WER scoring needs the bench extra (pip install 'asr-service[bench]'): {exc}"
                ) from exc
            return measure_quality(settings, limit_seconds=config.quality_seconds)

        report["quality"] = _part(report, "quality (WER)", quality, say)
    else:
        report["quality"] = {"state": "skipped: --no-quality"}

    load = report["machine"]["load_average_at_start"][0]
    cores = report["machine"]["cpu_cores_usable"]
    if load > cores:
        report["notes"].append(
            f"the machine was busy with other work (load average {load:.1f} on {cores} cores at "
            "the start): speeds and capacity are pessimistic; ratios to the same-run baseline "
            "are the robust figures. Size on a quiet run."
        )
    report["final_pass_rtf"] = (report["batch"].get("together") or {}).get("rtf")
    report["elapsed_s"] = time.perf_counter() - t_start
    report["sizing"] = size(report, config)
    paths = write_report(report, config.out)
    report["files"] = {k: str(v) for k, v in paths.items()}
    return report


def size(report: dict[str, Any], config: BenchConfig) -> dict[str, Any] | None:
    """The calculator on this report's measurements and the config's assumptions."""
    live = report.get("live") or {}
    if live.get("state") != "done":
        return None
    inputs = inputs_from_report(
        report,
        users=config.users,
        concurrency=config.concurrency,
        participants_per_meeting=config.participants,
        meeting_minutes=config.meeting_minutes,
        streams_per_meeting=config.streams_per_meeting,
        headroom=config.headroom,
    )
    return plan(inputs).as_dict()


def print_summary(report: dict[str, Any], echo: LogFn) -> None:
    """The key table and where the files are, for the terminal."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Sizing — key figures (same-run baseline: plain faster-whisper)")
    for col in ("figure", "value", "baseline / ratio"):
        table.add_column(col)
    for row in key_rows(report):
        table.add_row(*row)
    Console(stderr=True, width=140).print(table)
    sizing = report.get("sizing")
    if sizing and sizing["feasible"]:
        hw = (
            f"{sizing['gpus']} GPUs"
            if sizing["gpus"] is not None
            else f"{sizing['cpu_cores']} cores"
        )
        echo(
            f"{sizing['inputs']['users']} users → {sizing['peak_meetings']} meetings at peak → "
            f"{sizing['workers']} workers ({hw}, {sizing['memory_gib']} GiB)"
        )
    elif sizing:
        echo(f"sizing: {sizing['note']}")
    for path in report.get("files", {}).values():
        echo(path)
