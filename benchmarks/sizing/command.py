"""Body of ``asr-service bench``: parse options, run the sizing harness, print the key table.

A rich progress bar on standard error follows the parts (batch throughput, decoding across
streams, live capacity, quality): which one runs, for how long, how many are done and the time
the rest should take at the pace so far; the harness's own lines print above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from asr_service.cli_support import ComputeType, Device, split_list

_PART = re.compile(r"^\[(?P<name>[^\]]+)\] (?P<state>…|done in .*)$")
"""The harness's part markers: ``[live capacity] …`` and ``[live capacity] done in 312 s``."""


@contextmanager
def bench_progress(parts: int, console: Console | None = None) -> Iterator[Callable[[str], None]]:
    """A ``log_fn`` for :func:`run_bench` that drives a progress bar of ``parts`` parts (more
    when the harness runs an optional one) and prints every other line above the bar."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("parts"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
    )
    with progress:
        task = progress.add_task("starting (model load)", total=parts)

        def log_fn(message: str) -> None:
            match = _PART.match(message)
            if match is None:
                progress.console.print(message, highlight=False, markup=False)
                return
            current = progress.tasks[0]
            if match["state"] == "…":
                if current.completed >= (current.total or 0):
                    progress.update(task, total=current.completed + 1)
                progress.update(task, description=match["name"])
            else:
                progress.console.print(message, highlight=False, markup=False)
                progress.advance(task)

        yield log_fn


def _ints(values: list[str] | None) -> list[int] | None:
    """``--ladder`` values (repeatable, commas accepted) as sorted distinct integers."""
    items = split_list(values)
    if not items:
        return None
    try:
        return sorted({int(v) for v in items})
    except ValueError as exc:
        raise typer.BadParameter(
            f"expected integers, got {', '.join(items)}", param_hint="'--ladder'"
        ) from exc


def bench_command(
    quick: bool = typer.Option(False, "--quick", help="a few minutes: 36 s meeting, ladder 1-8"),
    tiny: bool = typer.Option(False, "--tiny", hidden=True, help="seconds of audio (tests)"),
    model: str | None = typer.Option(None, help="catalogue name or CTranslate2 folder"),
    compute_type: ComputeType | None = typer.Option(  # type: ignore[valid-type]
        None, help="default ASR_COMPUTE_TYPE"
    ),
    device: Device | None = typer.Option(None, help="default ASR_DEVICE"),  # type: ignore[valid-type]
    beam_size: int | None = typer.Option(None, help="beam of the file pipeline / final pass"),
    out: Path = typer.Option(Path("out/sizing"), "--out", "-o", help="report folder"),
    ladder: list[str] | None = typer.Option(
        None, "--ladder", help="N values to try (repeatable, commas accepted), e.g. 1,2,4,8,16"
    ),
    slo: float = typer.Option(3.0, help="committed-segment latency target, p95 seconds"),
    live_budget: float | None = typer.Option(
        None, help="seconds after which the ladder starts no new N (time-boxed runs)"
    ),
    live: bool = typer.Option(True, "--live/--no-live", help="measure live capacity on the bus"),
    quality: bool = typer.Option(True, "--quality/--no-quality", help="WER on the dev set"),
    minutes: bool | None = typer.Option(None, "--minutes/--no-minutes", help="time minutes"),
    diarization: bool = typer.Option(True, "--diarization/--no-diarization"),
    users: int = typer.Option(40_000, help="calculator: users to serve"),
    concurrency: float = typer.Option(0.10, help="calculator: share of users in a meeting at peak"),
    participants: float = typer.Option(6.0, help="calculator: participants per meeting"),
    meeting_minutes: float = typer.Option(60.0, help="calculator: average meeting length"),
    streams_per_meeting: float = typer.Option(
        1.0, help="calculator: 1 = mixed audio; participants = one track each"
    ),
    headroom: float = typer.Option(0.30, help="calculator: share of capacity kept free"),
) -> None:
    """Measure this machine for sizing: batch RTF per stage, live capacity, resources, WER."""
    from benchmarks.sizing.harness import config_for, print_summary, run_bench

    mode = "tiny" if tiny else "quick" if quick else "full"
    config = config_for(
        mode,
        out=out,
        model=model,
        device=device.value if device else None,
        compute_type=compute_type.value if compute_type else None,
        beam_size=beam_size,
        ladder=_ints(ladder),
        slo_s=slo,
        live_budget_s=live_budget,
        live=live,
        quality=quality,
        minutes=minutes,
        diarization=diarization,
        users=users,
        concurrency=concurrency,
        participants=participants,
        meeting_minutes=meeting_minutes,
        streams_per_meeting=streams_per_meeting,
        headroom=headroom,
    )

    parts = 1 + int(config.live) + int(config.quality)  # batch, live, quality (+ optional ones)
    with bench_progress(parts) as say:
        report = run_bench(config, log_fn=say)
    print_summary(report, typer.echo)
