"""Sizing calculator: from users and measured capacity to workers, GPUs or cores, and memory.

The arithmetic, step by step (every step is in :class:`SizingPlan` so a reader can check it):

1. peak users in meetings = users × concurrency (share of users in a meeting at the peak);
2. peak meetings = ⌈peak users / participants per meeting⌉;
   peak live streams = peak meetings × streams per meeting (1 when the backend sends the mix,
   the number of speaking tracks when it sends one track per participant);
3. usable streams per worker = ⌊measured capacity × (1 − headroom)⌋ (the headroom absorbs bursts,
   longer meetings than measured, a worker being replaced);
   live workers = ⌈peak streams / usable streams per worker⌉;
4. end-of-meeting work (final pass: beam search + diarization, minutes): by Little's law, at a
   steady peak the audio to re-process arrives at peak meetings × 1 s per second, and one worker
   processes 1/RTF s per second, so it keeps peak meetings × RTF workers busy;
   final-pass workers = ⌈peak meetings × final RTF / (1 − headroom)⌉ (0 when not counted);
5. hardware: GPUs = ⌈workers / workers per GPU⌉ on CUDA, cores = workers × cores per worker on
   CPU; memory = workers × resident memory of a worker at its capacity.

Meeting length does not change the peak load (it is already in the concurrency ratio), but it sets
how many meetings a day the fleet processes and how much audio the final passes re-read; both are
reported. ``python -m benchmarks.sizing.calculator REPORT.json --users 100000`` recomputes a plan
from a saved report.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import typer


@dataclass(frozen=True)
class SizingInputs:
    """The operator's assumptions and the bench's measurements a plan is computed from."""

    users: int
    concurrency: float = 0.10
    participants_per_meeting: float = 6.0
    meeting_minutes: float = 60.0
    streams_per_meeting: float = 1.0
    headroom: float = 0.30
    live_capacity: float = 1.0
    """Measured: simultaneous real-time streams one worker holds within the latency SLO."""
    final_rtf: float = 0.0
    """Measured: real-time factor of the end-of-meeting pass on one worker (0: not counted)."""
    device: str = "cpu"
    cores_per_worker: int = 1
    workers_per_gpu: int = 1
    worker_memory_mib: float = 0.0
    peak_hours_per_day: float = 8.0

    def __post_init__(self) -> None:
        if self.users < 0:
            raise ValueError("users must be ≥ 0")
        if not 0 < self.concurrency <= 1:
            raise ValueError("concurrency is a share of users: 0 < concurrency ≤ 1")
        if self.participants_per_meeting < 1:
            raise ValueError("participants per meeting must be ≥ 1")
        if not 0 <= self.headroom < 1:
            raise ValueError("headroom is a share of capacity kept free: 0 ≤ headroom < 1")
        if self.meeting_minutes <= 0:
            raise ValueError("meeting length must be > 0")


@dataclass(frozen=True)
class SizingPlan:
    """Every intermediate figure of the calculation, then the answer."""

    inputs: SizingInputs
    peak_users_in_meetings: float
    peak_meetings: int
    peak_streams: int
    usable_streams_per_worker: int
    live_workers: int | None
    final_pass_busy_workers: float
    final_pass_workers: int
    workers: int | None
    gpus: int | None
    cpu_cores: int | None
    memory_gib: float | None
    meetings_per_peak_hour: float
    audio_hours_per_day: float
    feasible: bool
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan(inputs: SizingInputs) -> SizingPlan:
    """Compute the fleet for ``inputs`` (see the module docstring for the arithmetic)."""
    peak_users = inputs.users * inputs.concurrency
    peak_meetings = math.ceil(peak_users / inputs.participants_per_meeting - 1e-9)
    peak_streams = math.ceil(peak_meetings * inputs.streams_per_meeting - 1e-9)
    usable = math.floor(inputs.live_capacity * (1 - inputs.headroom) + 1e-9)
    busy_final = peak_meetings * inputs.final_rtf
    final_workers = math.ceil(busy_final / (1 - inputs.headroom) - 1e-9) if busy_final else 0
    meetings_per_hour = peak_meetings * 60.0 / inputs.meeting_minutes
    audio_hours_day = peak_meetings * inputs.peak_hours_per_day
    if usable < 1:
        return SizingPlan(
            inputs=inputs,
            peak_users_in_meetings=peak_users,
            peak_meetings=peak_meetings,
            peak_streams=peak_streams,
            usable_streams_per_worker=usable,
            live_workers=None,
            final_pass_busy_workers=busy_final,
            final_pass_workers=final_workers,
            workers=None,
            gpus=None,
            cpu_cores=None,
            memory_gib=None,
            meetings_per_peak_hour=meetings_per_hour,
            audio_hours_per_day=audio_hours_day,
            feasible=False,
            note=(
                f"a worker holds {inputs.live_capacity:g} stream(s) within the SLO, less than one "
                f"after {inputs.headroom:.0%} headroom: this model/device cannot serve live "
                "meetings; choose a smaller model, a faster device or a GPU"
            ),
        )
    live_workers = math.ceil(peak_streams / usable - 1e-9)
    workers = live_workers + final_workers
    on_gpu = inputs.device == "cuda"
    return SizingPlan(
        inputs=inputs,
        peak_users_in_meetings=peak_users,
        peak_meetings=peak_meetings,
        peak_streams=peak_streams,
        usable_streams_per_worker=usable,
        live_workers=live_workers,
        final_pass_busy_workers=busy_final,
        final_pass_workers=final_workers,
        workers=workers,
        gpus=math.ceil(workers / inputs.workers_per_gpu) if on_gpu else None,
        cpu_cores=None if on_gpu else workers * inputs.cores_per_worker,
        memory_gib=round(workers * inputs.worker_memory_mib / 1024, 1),
        meetings_per_peak_hour=meetings_per_hour,
        audio_hours_per_day=audio_hours_day,
        feasible=True,
    )


def inputs_from_report(report: dict[str, Any], **assumptions: Any) -> SizingInputs:
    """Measured figures of a sizing report plus the operator's assumptions → calculator inputs."""
    live = report.get("live", {})
    batch = report.get("batch", {})
    final = report.get("final_pass_rtf")
    if final is None:
        final = (batch.get("together") or {}).get("rtf") or 0.0
    per_stream = live.get("per_stream", {})
    capacity = assumptions.get("live_capacity") or live.get("capacity") or 0
    levels = [lv for lv in live.get("levels", []) if lv.get("n") == capacity]
    if levels:  # memory of the worker measured at that N
        rss = levels[0]["worker_rss_mib_peak"]
    else:  # not measured at that N: idle worker + the fitted cost of each stream
        rss = per_stream.get("worker_rss_mib_idle", 0) + capacity * max(
            0.0, per_stream.get("rss_mib_per_stream", 0.0)
        )
    machine = report.get("machine", {})
    device = report.get("settings", {}).get("device", "cpu")
    values: dict[str, Any] = {
        "live_capacity": capacity,
        "final_rtf": final,
        "device": device,
        "cores_per_worker": machine.get("cpu_cores_usable") or 1,
        "worker_memory_mib": rss or 0.0,
    }
    values.update({k: v for k, v in assumptions.items() if v is not None})
    return SizingInputs(**values)


def recompute(
    report: Path = typer.Argument(..., help="sizing.json written by `asr-service bench`"),
    users: int = typer.Option(..., help="users of the service"),
    concurrency: float | None = typer.Option(None, help="share of users in a meeting at the peak"),
    participants: float | None = typer.Option(None, help="participants per meeting"),
    meeting_minutes: float | None = typer.Option(None, help="length of a meeting"),
    streams_per_meeting: float | None = typer.Option(None, help="live streams per meeting"),
    headroom: float | None = typer.Option(None, help="share of capacity kept free"),
    capacity: float | None = typer.Option(None, help="override measured"),
    final_rtf: float | None = typer.Option(None, help="override the measured end-of-meeting RTF"),
) -> SizingPlan:
    """Recompute a plan from a saved ``sizing.json`` with other assumptions; prints it as JSON."""
    saved = json.loads(report.read_text(encoding="utf-8"))
    result = plan(
        inputs_from_report(
            saved,
            users=users,
            concurrency=concurrency,
            participants_per_meeting=participants,
            meeting_minutes=meeting_minutes,
            streams_per_meeting=streams_per_meeting,
            headroom=headroom,
            live_capacity=capacity,
            final_rtf=final_rtf,
        )
    )
    print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    return result


app = typer.Typer(add_completion=False)
app.command(help=__doc__.split("\n\n")[0])(recompute)


def main(argv: list[str] | None = None) -> SizingPlan:
    """Run the command line on ``argv`` (default: ``sys.argv``) and return the plan it printed."""
    command = typer.main.get_command(app)
    return command.main(
        args=argv, prog_name="python -m benchmarks.sizing.calculator", standalone_mode=False
    )


if __name__ == "__main__":
    app(prog_name="python -m benchmarks.sizing.calculator")
