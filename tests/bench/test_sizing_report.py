"""A tiny real sizing run (8 s of the shipped meeting, N ≤ 2 on the real bus) and its report.

The run measures for real: Whisper base, the speaker model, an embedded nats-server, a worker
process and the simulator. Assertions check that every figure of the report comes from those
measurements (consistent with each other and with the audio used) and that the Markdown, JSON
and plots are written from them; never how fast this machine is.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from asr_service.config import Settings
from asr_service.pipeline import Pipeline
from benchmarks.sizing.calculator import inputs_from_report, plan
from benchmarks.sizing.harness import config_for, run_bench
from benchmarks.sizing.report import render_markdown

pytestmark = pytest.mark.slow

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory, settings: Settings, model_store, transcriber) -> dict:
    out = tmp_path_factory.mktemp("sizing")
    pipeline = Pipeline(settings, model_store, transcriber)
    config = config_for("tiny", out=out, users=12_000, participants=4.0, headroom=0.5)
    messages: list[str] = []
    report = run_bench(config, log_fn=messages.append, pipeline=pipeline)
    report["_messages"] = messages
    return report


def test_report_files_are_written(tiny_report: dict) -> None:
    files = {k: Path(v) for k, v in tiny_report["files"].items()}
    assert json.loads(files["json"].read_text())["mode"] == "tiny"
    md = files["markdown"].read_text()
    assert md.startswith("# Sizing report")
    for name in ("latency vs N", "memory", "RTF per stage"):
        assert files[name].read_bytes()[:8] == PNG_MAGIC, name
        assert f"]({files[name].name})" in md


def test_machine_is_described(tiny_report: dict) -> None:
    m = tiny_report["machine"]
    assert m["cpu_cores_logical"] >= 1 and m["ram_gib"] > 0
    assert m["cpu_model"]
    assert m["libraries"]["faster-whisper"]
    md = Path(tiny_report["files"]["markdown"]).read_text()
    assert m["cpu_model"] in md


def test_batch_figures_come_from_the_audio_measured(tiny_report: dict) -> None:
    batch = tiny_report["batch"]
    (row,) = batch["rows"]
    assert 6.0 <= row["audio_s"] <= 8.0  # the tiny preset's 8 s, cut at the pause before
    assert batch["audio_s"] == pytest.approx(row["audio_s"])
    assert row["baseline_asr_s"] > 0 and row["segments"] >= 1
    asr = batch["stages"]["asr"]
    assert asr["rtf"] == pytest.approx(row["stages_s"]["asr"] / row["audio_s"])
    assert asr["x_baseline_asr"] == pytest.approx(row["stages_s"]["asr"] / row["baseline_asr_s"])
    assert batch["baseline"]["rtf"] == pytest.approx(row["baseline_asr_s"] / row["audio_s"])
    measured = [s["rtf"] for s in batch["stages"].values() if s["rtf"] is not None]
    assert batch["together"]["rtf"] == pytest.approx(sum(measured))
    assert batch["stages"]["minutes"]["state"] == "not requested"
    # diarization ran (weights installed) or says exactly why it did not
    diar = batch["stages"]["diarization"]
    assert diar["state"] == "done" or diar["state"].startswith("skipped")
    assert batch["resources"]["rss_mib_peak"] > 0


def test_live_ladder_ran_on_the_bus(tiny_report: dict) -> None:
    live = tiny_report["live"]
    assert live["state"] == "done", tiny_report["notes"]
    assert [lv["n"] for lv in live["levels"]] == [1, 2][: len(live["levels"])]
    first = live["levels"][0]
    assert first["meetings_done"] == 1 and first["errors"] == 0
    assert first["committed"] >= 1
    assert first["latency_p50_s"] <= first["latency_p95_s"] <= first["latency_max_s"]
    assert first["worker_rss_mib_peak"] > 0  # a real worker process was watched
    held = [lv["n"] for lv in live["levels"] if lv["held"]]
    assert live["capacity"] == (max(held) if held else 0)
    if live["broke_at"] is not None:
        assert live["broke_reason"]
    assert live["baseline"]["streams_bound"] == pytest.approx(1 / live["baseline"]["rtf_greedy"])


def test_sizing_uses_the_measured_capacity(tiny_report: dict) -> None:
    sizing = tiny_report["sizing"]
    expected = plan(
        inputs_from_report(
            tiny_report,
            users=12_000,
            concurrency=0.10,
            participants_per_meeting=4.0,
            meeting_minutes=60.0,
            streams_per_meeting=1.0,
            headroom=0.5,
        )
    ).as_dict()
    assert sizing == json.loads(json.dumps(expected))
    assert sizing["inputs"]["live_capacity"] == tiny_report["live"]["capacity"]
    assert sizing["inputs"]["final_rtf"] == pytest.approx(tiny_report["batch"]["together"]["rtf"])
    assert sizing["peak_meetings"] == 300


def test_markdown_is_rendered_from_the_measurements(tiny_report: dict) -> None:
    md = Path(tiny_report["files"]["markdown"]).read_text()
    asr_rtf = tiny_report["batch"]["stages"]["asr"]["rtf"]
    assert f"{asr_rtf:.3f}" in md
    changed = copy.deepcopy(tiny_report)
    changed["batch"]["stages"]["asr"]["rtf"] = asr_rtf + 1.2345
    assert f"{asr_rtf + 1.2345:.3f}" in render_markdown(changed, tiny_report["plots"])


def test_quality_is_measured_or_skipped_with_a_reason(tiny_report: dict) -> None:
    quality = tiny_report["quality"]
    if quality["state"] == "done":
        overall = quality["overall"]
        assert quality["clips"] >= 1 and overall["audio_s"] > 0
        assert overall["our_wer"] >= 0 and overall["base_wer"] >= 0
        md = Path(tiny_report["files"]["markdown"]).read_text()
        assert f"{overall['our_wer']:.1%}" in md
    else:
        assert "ASR_EVAL_DIR" in quality["state"] or quality["state"].startswith("failed")
