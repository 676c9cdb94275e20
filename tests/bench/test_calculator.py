"""The sizing calculator's arithmetic, worked by hand on the cases operators ask about."""

from __future__ import annotations

import json
import math

import pytest

from benchmarks.sizing.calculator import SizingInputs, inputs_from_report, main, plan


def test_forty_thousand_users_on_cpu_worked_by_hand() -> None:
    # 40 000 users, 10 % in a meeting at peak, 8 per meeting: 4 000 users, 500 meetings.
    # Capacity 6 streams, 25 % headroom: ⌊4.5⌋ = 4 usable → ⌈500 / 4⌉ = 125 live workers.
    # Final pass RTF 0.2: 500 × 0.2 = 100 busy workers, / 0.75 = 133.3 → 134.
    result = plan(
        SizingInputs(
            users=40_000,
            concurrency=0.10,
            participants_per_meeting=8,
            meeting_minutes=45,
            headroom=0.25,
            live_capacity=6,
            final_rtf=0.2,
            device="cpu",
            cores_per_worker=2,
            worker_memory_mib=1024,
        )
    )
    assert result.feasible
    assert result.peak_users_in_meetings == pytest.approx(4000)
    assert result.peak_meetings == 500
    assert result.peak_streams == 500
    assert result.usable_streams_per_worker == 4
    assert result.live_workers == 125
    assert result.final_pass_busy_workers == pytest.approx(100)
    assert result.final_pass_workers == 134
    assert result.workers == 259
    assert result.cpu_cores == 518
    assert result.gpus is None
    assert result.memory_gib == pytest.approx(259.0)
    assert result.meetings_per_peak_hour == pytest.approx(500 * 60 / 45)


def test_gpu_plan_counts_cards_not_cores() -> None:
    result = plan(
        SizingInputs(
            users=100_000,
            concurrency=0.05,
            participants_per_meeting=5,
            live_capacity=40,
            headroom=0.2,
            device="cuda",
            workers_per_gpu=2,
        )
    )
    # 5 000 users → 1 000 meetings; ⌊40 × 0.8⌋ = 32 → ⌈1000 / 32⌉ = 32 workers → 16 GPUs.
    assert result.peak_meetings == 1000
    assert result.live_workers == 32
    assert result.final_pass_workers == 0
    assert result.workers == 32
    assert result.gpus == 16
    assert result.cpu_cores is None


def test_partial_meetings_and_per_track_streams_round_up() -> None:
    result = plan(
        SizingInputs(
            users=1000,
            concurrency=0.1,
            participants_per_meeting=7,
            streams_per_meeting=3,
            live_capacity=10,
            headroom=0.0,
        )
    )
    assert result.peak_meetings == math.ceil(100 / 7) == 15
    assert result.peak_streams == 45
    assert result.live_workers == 5


def test_exact_multiples_do_not_round_up_by_float_noise() -> None:
    # 0.1 × 3000 / 6 = 50.000000000000004 in floating point: still 50 meetings.
    result = plan(SizingInputs(users=3000, concurrency=0.1, live_capacity=10, headroom=0.5))
    assert result.peak_meetings == 50
    assert result.usable_streams_per_worker == 5
    assert result.live_workers == 10


def test_capacity_below_one_after_headroom_is_reported_infeasible() -> None:
    result = plan(SizingInputs(users=500, live_capacity=1, headroom=0.3, final_rtf=0.5))
    assert not result.feasible
    assert result.workers is None and result.live_workers is None
    assert "cannot serve live meetings" in result.note
    assert result.final_pass_workers == math.ceil(9 * 0.5 / 0.7)


@pytest.mark.parametrize(
    "bad",
    [
        {"concurrency": 0},
        {"concurrency": 1.5},
        {"headroom": 1.0},
        {"participants_per_meeting": 0.5},
        {"meeting_minutes": 0},
        {"users": -1},
    ],
)
def test_nonsense_inputs_are_refused(bad: dict) -> None:
    values = {"users": 1000, **bad}
    with pytest.raises(ValueError):
        SizingInputs(**values)


def _report() -> dict:
    return {
        "settings": {"device": "cpu"},
        "machine": {"cpu_cores_usable": 2},
        "final_pass_rtf": 0.25,
        "live": {
            "state": "done",
            "capacity": 4,
            "levels": [
                {"n": 2, "worker_rss_mib_peak": 700.0},
                {"n": 4, "worker_rss_mib_peak": 900.0},
                {"n": 6, "worker_rss_mib_peak": 1100.0},
            ],
            "per_stream": {"worker_rss_mib_idle": 500.0, "rss_mib_per_stream": 100.0},
        },
    }


def test_inputs_from_report_take_capacity_and_memory_at_capacity() -> None:
    inputs = inputs_from_report(_report(), users=2000, headroom=0.25)
    assert inputs.live_capacity == 4
    assert inputs.final_rtf == 0.25
    assert inputs.worker_memory_mib == 900.0
    assert inputs.cores_per_worker == 2
    assert inputs.users == 2000 and inputs.headroom == 0.25


def test_calculator_cli_recomputes_from_a_saved_report(tmp_path, capsys) -> None:
    path = tmp_path / "sizing.json"
    path.write_text(json.dumps(_report()))
    result = main([str(path), "--users", "6000", "--participants", "5", "--headroom", "0.25"])
    # 600 users / 5 = 120 meetings; ⌊4 × 0.75⌋ = 3 → 40 live; 120 × 0.25 / 0.75 = 40 final.
    assert result.live_workers == 40
    assert result.final_pass_workers == 40
    assert result.cpu_cores == 160
    printed = json.loads(capsys.readouterr().out)
    assert printed["workers"] == 80


def test_calculator_cli_accepts_capacity_from_another_run(tmp_path) -> None:
    path = tmp_path / "sizing.json"
    path.write_text(json.dumps(_report()))
    result = main([str(path), "--users", "6000", "--participants", "5", "--capacity", "12"])
    # ⌊12 × 0.7⌋ = 8 usable → ⌈120 / 8⌉ = 15 live; 120 × 0.25 / 0.7 = 42.9 → 43 final.
    assert result.usable_streams_per_worker == 8
    assert result.live_workers == 15
    assert result.final_pass_workers == 43
    # memory not measured at N = 12: idle 500 MiB + 12 × 100 MiB fitted per stream
    assert result.inputs.worker_memory_mib == pytest.approx(1700)
