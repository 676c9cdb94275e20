"""Live capacity: how many simultaneous real-time meetings one worker holds within the latency SLO.

The measurement drives the real service, not a model of it: an embedded ``nats-server`` with
JetStream (:class:`asr_service.bus.server.EmbeddedNats`), one real ``asr-service worker`` process
(``python -m asr_service.bus worker --no-final-pass``: production code, the model settings being
sized, live passes only) and N backend simulators. Each rung of the ladder is measured by
:func:`benchmarks.bench_streaming.run_level` (the streaming engineer's benchmark, so the project
has one definition of latency, cadence and "held"):

- committed-segment latency: arrival of ``committed`` minus the wall time at which the audio up to
  the segment's end had been sent (end of utterance → committed), p50/p95/max;
- partial cadence; the worker process's CPU (100 % = one core) and peak memory; live WER where
  the meeting has a reference;
- held: every meeting completed and p95 ≤ the SLO.

This module adds what sizing needs around it: the worker runs the settings under test (model,
device, compute type), one warm-up meeting is played before measuring, GPU memory/utilisation and
whole-machine CPU are sampled per rung, a rung not held is tried once more (noise from other
work on a shared machine), the ladder stops at the first rung still not held (or when its time budget is spent), and the
memory and CPU each extra stream costs are fitted over the rungs. Baseline in the same run:
:func:`benchmarks.bench_streaming.offline_baseline`, plain faster-whisper greedy on the same
audio and weights, whose ``1/RTF`` is the compute bound on streams per worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from asr_service.audio import SAMPLE_RATE
from asr_service.bus.server import EmbeddedNats
from benchmarks import bench_streaming
from benchmarks.sizing.machine import ResourceSampler
from benchmarks.sizing.workload import Recording

LogFn = Callable[[str], None]
StreamingRecording = tuple[str, np.ndarray, list | None]
"""(name, audio, STM turns or None): the recording type of ``bench_streaming``."""


def streaming_recordings(
    recordings: list[Recording], *, eval_meetings: bool, eval_dir: Path | None = None
) -> list[StreamingRecording]:
    """Meetings for the ladder: the eval set's French mixes (with references, so live WER is
    measured too) when asked and present, else the workload's recordings without references."""
    if eval_meetings:
        from benchmarks.eval_data import default_eval_dir

        folder = (eval_dir or default_eval_dir()) / "fr" / "mixes"
        if any(folder.glob("*.wav")):
            return bench_streaming.recordings(eval_dir or default_eval_dir())
    return [(r.name, r.audio, None) for r in recordings]


class WorkerProcess:
    """One real ``asr-service worker`` (live passes only) in a child process."""

    def __init__(self, nats_url: str, data_dir: Path, env: dict[str, str]) -> None:
        self.nats_url = nats_url
        self.data_dir = data_dir
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "worker.log"

    def start(self) -> WorkerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env, "ASR_DATA_DIR": str(self.data_dir)}
        env.pop("ASR_NATS_URL", None)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "asr_service.bus",
                "worker",
                "--nats-url",
                self.nats_url,
                "--id",
                "sizing-bench",
                "--no-minutes",
                "--no-final-pass",
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def check(self) -> None:
        """Raise with the end of the worker's log if it has died."""
        if self.proc is not None and self.proc.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{tail}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        with contextlib.suppress(Exception):
            self._log.close()


def worker_env(settings: Any, max_meetings: int) -> dict[str, str]:
    """Environment that gives the worker process the model settings being sized."""
    env = {
        "ASR_MODEL": str(settings.model),
        "ASR_DEVICE": str(settings.device),
        "ASR_COMPUTE_TYPE": str(settings.compute_type),
        "ASR_BEAM_SIZE": str(settings.beam_size),
        "ASR_LIVE_BEAM_SIZE": str(settings.live_beam_size),
        "ASR_CPU_THREADS": str(settings.cpu_threads),
        "ASR_WORKER_MAX_MEETINGS": str(max_meetings + 1),
    }
    if settings.models_dir:
        env["ASR_MODELS_DIR"] = str(settings.models_dir)
    return env


async def wait_worker_ready(nc: Any, worker: WorkerProcess, timeout: float = 180.0) -> None:
    """Wait until the worker has declared its dispatch consumer (its model is loaded by then)."""
    from asr_service.bus import subjects as sub

    js = nc.jetstream()
    deadline = time.monotonic() + timeout
    while True:
        worker.check()
        try:
            await js.consumer_info(sub.STREAM_IN, sub.DISPATCH_CONSUMER)
            return
        except Exception as exc:  # noqa: BLE001 - not there yet
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker not ready after {timeout:.0f} s") from exc
            await asyncio.sleep(0.3)


async def warm_up_worker(nc: Any, recs: list[StreamingRecording]) -> None:
    """One short meeting at 4× speed before measuring: the worker loads VAD and allocates its
    buffers (and CUDA its kernels) outside the ladder."""
    from asr_service.bus.simulator import simulate

    audio = recs[0][1][: 6 * SAMPLE_RATE]
    audio = np.concatenate([audio, np.zeros(SAMPLE_RATE, dtype=np.float32)])
    await simulate(
        nc, {"mix": audio}, meeting_id="sizing-warm-up", tenant="sizing", speed=4.0, timeout=180
    )


def _reason(level: dict[str, Any], n: int, slo_s: float) -> str:
    reasons = []
    if level["meetings_done"] < n:
        reasons.append(f"{n - level['meetings_done']} of {n} meetings did not complete")
    if level["errors"]:
        reasons.append(f"{level['errors']} error events")
    p95 = level["latency_p95_s"]
    if p95 is None:
        reasons.append("no committed segment")
    elif p95 > slo_s:
        reasons.append(f"p95 {p95:.2f}s > SLO {slo_s:g}s")
    return "; ".join(reasons)


async def _ladder(
    settings: Any,
    recs: list[StreamingRecording],
    ladder: Sequence[int],
    *,
    seconds: float,
    slo_s: float,
    log_fn: LogFn | None,
    work_dir: Path,
    retry: bool,
    budget_s: float | None,
) -> dict[str, Any]:
    from asr_service.bus.connection import connect

    args = bench_streaming.LevelOptions(seconds=seconds, slo=slo_s, stagger=2.0)
    server = EmbeddedNats(work_dir / "nats").start()
    worker = WorkerProcess(server.url, work_dir / "worker", worker_env(settings, max(ladder)))
    levels: list[dict[str, Any]] = []
    idle: dict[str, Any] = {}
    stopped = ""
    try:
        worker.start()
        nc = await connect(settings, url=server.url, name="sizing-bench")
        try:
            await wait_worker_ready(nc, worker)
            await warm_up_worker(nc, recs)
            with ResourceSampler(pids=[worker.pid], interval=0.25) as sampler:
                await asyncio.sleep(1.0)
            idle = sampler.summary.as_dict()
            t_ladder = time.monotonic()
            for n in ladder:
                if budget_s and levels and time.monotonic() - t_ladder > budget_s:
                    stopped = f"time budget of {budget_s:.0f} s spent before N={n}"
                    break
                level = await _rung(nc, worker, recs, n, args)
                in_budget = not budget_s or time.monotonic() - t_ladder <= budget_s
                if not level["held"] and retry and in_budget:
                    # One retry before concluding: on a shared machine a burst of someone else's
                    # work can sink one rung. Both tries are kept in the report.
                    first = level
                    level = await _rung(nc, worker, recs, n, args, attempt=1)
                    level["first_try"] = {
                        k: first[k] for k in ("latency_p50_s", "latency_p95_s", "held", "reason")
                    }
                levels.append(level)
                if log_fn:
                    log_fn(
                        f"live N={n}: p50 {_fmt(level['latency_p50_s'])} p95 "
                        f"{_fmt(level['latency_p95_s'])}, worker CPU "
                        f"{level['worker_cpu_percent']:.0f}%, RSS "
                        f"{level['worker_rss_mib_peak']:.0f} MiB"
                        + ("" if level["held"] else f" → not held ({level['reason']})")
                    )
                if not level["held"]:
                    break
        finally:
            await nc.close()
    finally:
        worker.stop()
        server.stop()
    return {"levels": levels, "worker_idle": idle, "stopped": stopped}


async def _rung(
    nc: Any,
    worker: WorkerProcess,
    recs: list[StreamingRecording],
    n: int,
    args: Any,
    attempt: int = 0,
) -> dict[str, Any]:
    """One rung through ``bench_streaming.run_level``, plus GPU use, wall time and the reason."""
    t0 = time.perf_counter()
    with ResourceSampler(pids=[worker.pid], interval=0.5) as sampler:
        level = await bench_streaming.run_level(nc, worker.pid, recs, n, args, attempt=attempt)
    worker.check()
    s = sampler.summary
    level.update(
        wall_s=time.perf_counter() - t0,
        gpu_memory_mib_peak=s.gpu_memory_mib_peak,
        gpu_util_percent=s.gpu_util_percent_mean,
        reason=_reason(level, n, args.slo),
    )
    return level


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}s"


def per_stream_resources(levels: list[dict[str, Any]], idle: dict[str, Any]) -> dict[str, Any]:
    """CPU (% of one core) and memory (MiB) each extra stream adds: least-squares slope over N,
    anchored on the warmed-up idle worker (N = 0)."""
    if not levels:
        return {}
    ns = np.array([0] + [lv["n"] for lv in levels], dtype=float)
    cpu = np.array(
        [idle.get("cpu_percent_mean", 0.0)] + [lv["worker_cpu_percent"] for lv in levels]
    )
    rss0 = idle.get("rss_mib_peak") or levels[0]["worker_rss_mib_peak"]
    rss = np.array([rss0] + [lv["worker_rss_mib_peak"] for lv in levels])
    out: dict[str, Any] = {
        "worker_rss_mib_idle": float(rss0),
        "worker_cpu_percent_idle": float(cpu[0]),
        "cpu_percent_per_stream": float(np.polyfit(ns, cpu, 1)[0]),
        "rss_mib_per_stream": float(np.polyfit(ns, rss, 1)[0]),
    }
    gpu = [lv["gpu_memory_mib_peak"] for lv in levels if lv.get("gpu_memory_mib_peak") is not None]
    if gpu:
        out["gpu_memory_mib_peak"] = max(gpu)
    return out


def measure_live(
    settings: Any,
    recs: list[StreamingRecording],
    ladder: Sequence[int],
    *,
    seconds: float,
    slo_s: float = 3.0,
    log_fn: LogFn | None = None,
    retry: bool = True,
    budget_s: float | None = None,
) -> dict[str, Any]:
    """Climb the ladder of simultaneous meetings until a rung is not held; capacity, resources,
    and the same-run compute bound of plain faster-whisper."""
    baseline = bench_streaming.offline_baseline(recs, settings)
    with tempfile.TemporaryDirectory(prefix="asr-sizing-live-") as tmp:
        raw = asyncio.run(
            _ladder(
                settings,
                recs,
                ladder,
                seconds=seconds,
                slo_s=slo_s,
                log_fn=log_fn,
                work_dir=Path(tmp),
                retry=retry,
                budget_s=budget_s,
            )
        )
    levels: list[dict[str, Any]] = raw["levels"]
    held = [lv["n"] for lv in levels if lv["held"]]
    broke = next((lv for lv in levels if not lv["held"]), None)
    return {
        "state": "done",
        "driver": "benchmarks.bench_streaming.run_level (EmbeddedNats + worker process, "
        "live passes only + simulators)",
        "slo_p95_s": slo_s,
        "ladder": list(ladder),
        "meeting_seconds": seconds,
        "tail_silence_s": slo_s + 1.0,
        "recordings": [r[0] for r in recs],
        "capacity": max(held) if held else 0,
        "broke_at": broke["n"] if broke else None,
        "broke_reason": broke["reason"]
        if broke
        else raw["stopped"] or "ladder exhausted before the SLO broke",
        "levels": levels,
        "per_stream": per_stream_resources(levels, raw["worker_idle"]),
        "baseline": baseline,
    }
