"""Live capacity: how many simultaneous real-time meetings one worker holds within the latency SLO.

The measurement drives the real service, not a model of it: an embedded ``nats-server`` with
JetStream (:class:`asr_service.bus.server.EmbeddedNats`), one real ``asr-service worker`` process
(``python -m asr_service.bus worker``: same code, same model settings as production), and N copies
of the backend simulator (:func:`asr_service.bus.simulator.simulate`) playing French meetings in
real time, started a little apart as real meetings are. For each N of a ladder it records:

- committed-segment latency: arrival of a ``committed`` event minus the wall time at which the
  audio up to that segment's end had been sent (end of utterance → committed), p50/p95/max;
- partial cadence: the median gap between two partial hypotheses of one meeting;
- the worker process's CPU (100 % = one core) and resident memory, the machine's CPU, GPU use;
- whether every meeting completed without error.

The ladder stops at the first N whose p95 exceeds the SLO (default 3 s) or that loses a meeting;
the capacity is the largest N held. The same-run baseline is the compute bound of plain
faster-whisper: ``1 / RTF`` of greedy decoding of the same audio on the same weights, i.e. how many
streams one worker could hold if live recognition cost no more than one offline pass; the ratio
measured / bound shows what streaming (re-decoding windows for partials, VAD, the bus) costs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from asr_service.audio import SAMPLE_RATE
from asr_service.bus.server import EmbeddedNats
from benchmarks.sizing.machine import ResourceSampler
from benchmarks.sizing.workload import Recording

LogFn = Callable[[str], None]


@dataclass
class LevelResult:
    """What one rung of the ladder (N simultaneous meetings) measured."""

    n: int
    meetings_done: int
    committed: int
    errors: int
    latency_p50_s: float | None
    latency_p95_s: float | None
    latency_max_s: float | None
    partial_gap_p50_s: float | None
    worker_cpu_percent: float
    worker_rss_mib_peak: float
    machine_cpu_percent: float
    gpu_memory_mib_peak: float | None
    gpu_util_percent: float | None
    wall_s: float
    held: bool
    reason: str = ""


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0-1) by linear interpolation; None for no values."""
    if not values:
        return None
    return float(np.quantile(np.asarray(values, dtype=float), q))


def committed_latencies(result: Any, together_s: float = 0.05) -> list[float]:
    """End of utterance → committed, one figure per commit of one simulated meeting.

    The live policy commits an utterance (up to a pause) at once, possibly as several Whisper
    segments; events arriving within ``together_s`` of each other are one commit, and its
    utterance ends where its last segment ends.
    """
    events = sorted(result.committed, key=lambda item: item[0])
    groups: list[list[tuple[float, Any]]] = []
    for arrival, ev in events:
        if groups and arrival - groups[-1][-1][0] <= together_s:
            groups[-1].append((arrival, ev))
        else:
            groups.append([(arrival, ev)])
    latencies = []
    for group in groups:
        arrival = group[-1][0]
        end = max(ev.segment.end for _, ev in group)
        latencies.append(max(0.0, arrival - result.sent_at(end)))
    return latencies


def partial_gaps(result: Any) -> list[float]:
    """Gaps between successive partial hypotheses of one meeting (the cadence users see)."""
    times = sorted(t for t, _ in result.partials)
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def quiet_cut(audio: np.ndarray, seconds: float, search_s: float = 2.0) -> np.ndarray:
    """Cut ``audio`` near ``seconds`` at the quietest 100 ms in the last ``search_s`` before it.

    A cut in mid-word would leave an utterance that only the end-of-meeting flush commits, and its
    "latency" would measure the meeting's end, not live recognition.
    """
    end = int(seconds * SAMPLE_RATE)
    if end >= len(audio):
        return audio
    frame = SAMPLE_RATE // 10
    start = max(0, end - int(search_s * SAMPLE_RATE))
    frames = [
        (float(np.mean(audio[i : i + frame] ** 2)), i) for i in range(start, end - frame, frame)
    ]
    cut = min(frames)[1] + frame // 2 if frames else end
    return audio[:cut]


def meeting_audio(
    recordings: list[Recording], index: int, seconds: float | None, tail_s: float = 0.0
) -> np.ndarray:
    """Audio for meeting ``index``: recordings in turn, rotated so copies do not speak in unison,
    cut at a pause near ``seconds`` and followed by ``tail_s`` of silence, so every utterance
    ends (and is committed by the live policy) while the meeting is still running."""
    rec = recordings[index % len(recordings)]
    audio = rec.audio
    turn = index // len(recordings)
    if turn:
        shift = int((turn * 7.3 % max(rec.seconds, 1.0)) * SAMPLE_RATE)
        audio = np.roll(audio, -shift)
    if seconds:
        audio = quiet_cut(audio, seconds)
    if tail_s:
        audio = np.concatenate([audio, np.zeros(int(tail_s * SAMPLE_RATE), dtype=audio.dtype)])
    return audio


class WorkerProcess:
    """One real ``asr-service worker`` in a child process, on the given NATS URL."""

    def __init__(self, nats_url: str, data_dir: Path, env: dict[str, str]) -> None:
        self.nats_url = nats_url
        self.data_dir = data_dir
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "worker.log"

    def start(self) -> WorkerProcess:
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


async def wait_worker_ready(nc: Any, worker: WorkerProcess, timeout: float = 180.0) -> None:
    """Wait until the worker has declared its streams (its model is loaded by then)."""
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


async def run_level(
    nc: Any,
    worker: WorkerProcess,
    recordings: list[Recording],
    n: int,
    *,
    seconds: float | None,
    slo_s: float,
    stagger_s: float = 2.0,
    tag: str = "",
) -> LevelResult:
    """Play ``n`` meetings at once in real time through the worker; measure latency and use."""
    from asr_service.bus.simulator import simulate

    async def one(i: int) -> Any:
        await asyncio.sleep(stagger_s * i / n)
        audio = meeting_audio(recordings, i, seconds, tail_s=slo_s + 1.0)
        return await simulate(
            nc,
            {"mix": audio},
            meeting_id=f"sizing{tag}-n{n}-m{i}",
            tenant="sizing",
            title="sizing bench",
            timeout=len(audio) / SAMPLE_RATE * 4 + 120,
        )

    t0 = time.perf_counter()
    with ResourceSampler(pids=[worker.pid], interval=0.5) as sampler:
        results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    wall = time.perf_counter() - t0
    worker.check()
    ok = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    latencies = [x for r in ok for x in committed_latencies(r)]
    gaps = [g for r in ok for g in partial_gaps(r)]
    done = sum(1 for r in ok if r.done and r.final is not None)
    errors = sum(len(r.errors) for r in ok) + len(lost)
    p95 = percentile(latencies, 0.95)
    reasons = []
    if done < n:
        reasons.append(f"{n - done} of {n} meetings did not complete")
    if errors:
        reasons.append(f"{errors} error events")
    if not latencies:
        reasons.append("no committed segment")
    elif p95 is not None and p95 > slo_s:
        reasons.append(f"p95 {p95:.2f}s > SLO {slo_s:.1f}s")
    s = sampler.summary
    return LevelResult(
        n=n,
        meetings_done=done,
        committed=len(latencies),
        errors=errors,
        latency_p50_s=percentile(latencies, 0.5),
        latency_p95_s=p95,
        latency_max_s=max(latencies) if latencies else None,
        partial_gap_p50_s=statistics.median(gaps) if gaps else None,
        worker_cpu_percent=s.cpu_percent_mean,
        worker_rss_mib_peak=s.rss_mib_peak,
        machine_cpu_percent=s.machine_cpu_percent_mean,
        gpu_memory_mib_peak=s.gpu_memory_mib_peak,
        gpu_util_percent=s.gpu_util_percent_mean,
        wall_s=wall,
        held=not reasons,
        reason="; ".join(reasons),
    )


async def warm_up_worker(nc: Any, recordings: list[Recording]) -> None:
    """One short meeting at 4× speed before measuring: the worker loads VAD, allocates buffers
    and runs its first final pass (speaker model) outside the ladder."""
    from asr_service.bus.simulator import simulate

    audio = meeting_audio(recordings, 0, 6.0, tail_s=1.0)
    await simulate(
        nc, {"mix": audio}, meeting_id="sizing-warm-up", tenant="sizing", speed=4.0, timeout=180
    )


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


async def _ladder(
    settings: Any,
    recordings: list[Recording],
    ladder: Sequence[int],
    *,
    seconds: float | None,
    slo_s: float,
    log_fn: LogFn | None,
    work_dir: Path,
) -> dict[str, Any]:
    from asr_service.bus.connection import connect

    server = EmbeddedNats(work_dir / "nats").start()
    worker = WorkerProcess(server.url, work_dir / "worker", worker_env(settings, max(ladder)))
    (work_dir / "worker").mkdir(parents=True, exist_ok=True)
    levels: list[LevelResult] = []
    idle: dict[str, Any] = {}
    try:
        worker.start()
        nc = await connect(settings, url=server.url, name="sizing-bench")
        try:
            await wait_worker_ready(nc, worker)
            await warm_up_worker(nc, recordings)
            with ResourceSampler(pids=[worker.pid], interval=0.25) as sampler:
                await asyncio.sleep(1.0)
            idle = sampler.summary.as_dict()
            for n in ladder:
                level = await run_level(
                    nc, worker, recordings, n, seconds=seconds, slo_s=slo_s, tag=work_dir.name[-6:]
                )
                levels.append(level)
                if log_fn:
                    log_fn(
                        f"live N={n}: p50 {_fmt(level.latency_p50_s)} p95 "
                        f"{_fmt(level.latency_p95_s)}, worker CPU {level.worker_cpu_percent:.0f}%, "
                        f"RSS {level.worker_rss_mib_peak:.0f} MiB"
                        + ("" if level.held else f" → SLO broken ({level.reason})")
                    )
                if not level.held:
                    break
        finally:
            await nc.close()
    finally:
        worker.stop()
        server.stop()
    return {"levels": levels, "worker_idle": idle}


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}s"


def per_stream_resources(levels: list[LevelResult], idle: dict[str, Any]) -> dict[str, Any]:
    """CPU (% of one core) and memory (MiB) each extra stream adds: least-squares slope over N."""
    if not levels:
        return {}
    ns = np.array([0] + [lv.n for lv in levels], dtype=float)
    cpu = np.array([idle.get("cpu_percent_mean", 0.0)] + [lv.worker_cpu_percent for lv in levels])
    rss = np.array(
        [idle.get("rss_mib_peak", levels[0].worker_rss_mib_peak)]
        + [lv.worker_rss_mib_peak for lv in levels]
    )
    out: dict[str, Any] = {
        "worker_rss_mib_idle": float(rss[0]),
        "worker_cpu_percent_idle": float(cpu[0]),
    }
    if len(ns) >= 2:
        out["cpu_percent_per_stream"] = float(np.polyfit(ns, cpu, 1)[0])
        out["rss_mib_per_stream"] = float(np.polyfit(ns, rss, 1)[0])
    gpu = [lv.gpu_memory_mib_peak for lv in levels if lv.gpu_memory_mib_peak is not None]
    if gpu:
        out["gpu_memory_mib_peak"] = max(gpu)
    return out


def live_compute_bound(model: Any, audio: np.ndarray) -> dict[str, float]:
    """Baseline: plain faster-whisper greedy on ``audio``; ``1/RTF`` streams is the compute bound."""
    t0 = time.perf_counter()
    segments, _ = model.transcribe(audio, language="fr", beam_size=1)
    list(segments)
    spent = time.perf_counter() - t0
    rtf = spent / (len(audio) / SAMPLE_RATE)
    return {"rtf_greedy": rtf, "streams_bound": 1.0 / rtf if rtf else float("inf")}


def measure_live(
    settings: Any,
    recordings: list[Recording],
    ladder: Sequence[int],
    *,
    seconds: float | None,
    slo_s: float = 3.0,
    log_fn: LogFn | None = None,
) -> dict[str, Any]:
    """Climb the ladder of simultaneous meetings until the SLO breaks; capacity and resources."""
    with tempfile.TemporaryDirectory(prefix="asr-sizing-live-") as tmp:
        raw = asyncio.run(
            _ladder(
                settings,
                recordings,
                ladder,
                seconds=seconds,
                slo_s=slo_s,
                log_fn=log_fn,
                work_dir=Path(tmp),
            )
        )
    levels: list[LevelResult] = raw["levels"]
    held = [lv.n for lv in levels if lv.held]
    broke = next((lv for lv in levels if not lv.held), None)
    return {
        "state": "done",
        "driver": "asr_service.bus (EmbeddedNats + worker process + simulator)",
        "slo_p95_s": slo_s,
        "ladder": list(ladder),
        "meeting_seconds": len(meeting_audio(recordings, 0, seconds)) / SAMPLE_RATE,
        "tail_silence_s": slo_s + 1.0,
        "recordings": [r.name for r in recordings],
        "capacity": max(held) if held else 0,
        "broke_at": broke.n if broke else None,
        "broke_reason": broke.reason if broke else "ladder exhausted before the SLO broke",
        "levels": [asdict(lv) for lv in levels],
        "per_stream": per_stream_resources(levels, raw["worker_idle"]),
    }
