"""The sizing report: ``sizing.json`` (everything measured), ``sizing.md`` (for people), PNG plots.

Every number in the Markdown is read from the JSON dictionary the harness filled with
measurements, so the two cannot disagree. Plots (matplotlib, Agg backend, no display needed):
``latency_vs_n.png`` (committed latency p50/p95 per N, with the SLO), ``rtf_per_stage.png`` (RTF
of each stage next to the baseline) and ``memory.png`` (worker memory and CPU per N).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _f(x: Any, fmt: str = "{:.3f}", none: str = "–") -> str:
    return none if x is None else fmt.format(x)


def _ratio(x: Any) -> str:
    return _f(x, "{:.2f}×")


def key_rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(figure, value, same-run baseline / ratio) rows of the report's key table."""
    rows: list[tuple[str, str, str]] = []
    batch = report.get("batch") or {}
    base = (batch.get("baseline") or {}).get("rtf")
    for stage, data in (batch.get("stages") or {}).items():
        if data.get("rtf") is None:
            rows.append((f"RTF {stage}", data.get("state", "not run"), ""))
        else:
            rows.append(
                (
                    f"RTF {stage}",
                    _f(data["rtf"]),
                    f"{_ratio(data.get('x_baseline_asr'))} plain faster-whisper ASR ({_f(base)})",
                )
            )
    together = batch.get("together") or {}
    if together.get("rtf") is not None:
        rows.append(
            (
                f"RTF file pipeline ({' + '.join(together.get('stages', []))})",
                _f(together["rtf"]),
                f"{_ratio(together.get('x_baseline_asr'))} plain faster-whisper ASR",
            )
        )
    if batch.get("asr_batched"):
        b = batch["asr_batched"]
        rows.append(
            ("RTF ASR, batched pipeline", _f(b["rtf"]), f"{_ratio(b.get('x_baseline_asr'))} plain")
        )
    live = report.get("live") or {}
    if live.get("state") == "done":
        bound = (live.get("baseline") or {}).get("streams_bound")
        cap = live.get("capacity")
        rows.append(
            (
                f"live meetings per worker (p95 ≤ {live.get('slo_p95_s')} s)",
                str(cap),
                f"compute bound of plain faster-whisper greedy: {_f(bound, '{:.1f}')}"
                + (f" ({cap / bound:.0%} of it)" if bound and cap is not None else ""),
            )
        )
        held = [lv for lv in live.get("levels", []) if lv["n"] == cap]
        if held:
            lv = held[0]
            rows.append(
                (
                    f"committed latency at N={cap} (p50 / p95)",
                    f"{_f(lv['latency_p50_s'], '{:.2f}')} / {_f(lv['latency_p95_s'], '{:.2f}')} s",
                    f"partials every {_f(lv['partial_gap_p50_s'], '{:.1f}')} s",
                )
            )
        per = live.get("per_stream") or {}
        if per.get("cpu_percent_per_stream") is not None:
            rows.append(
                (
                    "per live stream: CPU / memory",
                    f"{per['cpu_percent_per_stream']:.0f} % of a core / "
                    f"{per['rss_mib_per_stream']:.0f} MiB",
                    f"worker idle: {per['worker_rss_mib_idle']:.0f} MiB",
                )
            )
        if per.get("gpu_memory_mib_peak") is not None:
            rows.append(("GPU memory peak (live)", f"{per['gpu_memory_mib_peak']:.0f} MiB", ""))
    elif live:
        rows.append(("live meetings per worker", live.get("state", "not run"), ""))
    quality = report.get("quality") or {}
    if quality.get("state") == "done":
        o = quality["overall"]
        rows.append(
            (
                f"WER French dev ({quality['clips']} clips, {quality['audio_s']:.0f} s)",
                f"{o['our_wer']:.1%}",
                f"plain faster-whisper {o['base_wer']:.1%} ({wer_change(o)})",
            )
        )
    elif quality:
        rows.append(("WER French dev", quality.get("state", "not run"), ""))
    return rows


def wer_change(overall: dict) -> str:
    """Our WER relative to plain faster-whisper's, signed as a WER change: ours 23.0 % vs plain
    20.4 % is "+13 % relative WER (worse)"; fewer errors than plain read negative ("better")."""
    base, ours = overall["base_wer"], overall["our_wer"]
    if not base:
        return "plain has no errors" if ours else "both without errors"
    change = (ours - base) / base
    verdict = "worse" if change > 0 else "better" if change < 0 else "same"
    return f"{change:+.0%} relative WER, {verdict}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(report: dict[str, Any], plots: dict[str, str]) -> str:
    """The report for people: machine, settings, key table, details, sizing example, method."""
    m = report["machine"]
    s = report["settings"]
    gpus = ", ".join(f"{g['name']} ({g['memory_mib'] / 1024:.0f} GiB)" for g in m["gpus"]) or "none"
    out = [
        f"# Sizing report — {s['model']} {s['device']}/{s['compute_type']} beam {s['beam_size']}",
        "",
        f"Measured {report['started_at']} in {report['elapsed_s']:.0f} s ({report['mode']} run).",
        "",
        "## Machine",
        "",
        _table(
            ["CPU", "cores (usable)", "RAM", "GPU", "load at start"],
            [
                [
                    m["cpu_model"],
                    f"{m['cpu_cores_logical']} ({m['cpu_cores_usable']})",
                    f"{m['ram_gib']} GiB",
                    gpus,
                    " / ".join(str(x) for x in m["load_average_at_start"]),
                ]
            ],
        ),
        "",
        "## Key figures",
        "",
        _table(["figure", "value", "same-run baseline"], [list(r) for r in key_rows(report)]),
        "",
    ]
    sizing = report.get("sizing")
    if sizing:
        i = sizing["inputs"]
        answer = (
            f"**{sizing['workers']} workers** ("
            + (
                f"{sizing['gpus']} GPUs"
                if sizing["gpus"] is not None
                else f"{sizing['cpu_cores']} cores like these"
            )
            + f", {sizing['memory_gib']} GiB RAM)"
            if sizing["feasible"]
            else f"**not feasible**: {sizing['note']}"
        )
        out += [
            f"## Sizing: {i['users']:,} users".replace(",", " "),
            "",
            f"Assumptions: {i['concurrency']:.0%} of users in a meeting at the peak, "
            f"{i['participants_per_meeting']:g} participants per meeting, meetings of "
            f"{i['meeting_minutes']:g} min, {i['streams_per_meeting']:g} stream(s) per meeting, "
            f"{i['headroom']:.0%} headroom; measured capacity {i['live_capacity']:g} streams per "
            f"worker, final pass RTF {i['final_rtf']:.3f}.",
            "",
            _table(
                ["step", "figure"],
                [
                    ["peak users in meetings", f"{sizing['peak_users_in_meetings']:.0f}"],
                    [
                        "peak meetings / live streams",
                        f"{sizing['peak_meetings']} / {sizing['peak_streams']}",
                    ],
                    ["usable streams per worker", str(sizing["usable_streams_per_worker"])],
                    ["live workers", _f(sizing["live_workers"], "{}")],
                    [
                        "final-pass workers",
                        f"{sizing['final_pass_workers']} ({sizing['final_pass_busy_workers']:.1f} busy)",
                    ],
                    ["meetings ending per peak hour", f"{sizing['meetings_per_peak_hour']:.0f}"],
                    ["answer", answer],
                ],
            ),
            "",
            "Recompute with other assumptions: `python -m benchmarks.sizing.calculator "
            "sizing.json --users N --concurrency C --participants P --meeting-minutes M`.",
            "",
        ]
    batch = report.get("batch") or {}
    if batch.get("rows"):
        out += ["## Batch throughput (file pipeline)", ""]
        out.append(
            _table(
                [
                    "recording",
                    "audio s",
                    "baseline ASR s",
                    "ASR s",
                    "diarization s",
                    "minutes s",
                    "batched ASR s",
                ],
                [
                    [
                        r["recording"],
                        f"{r['audio_s']:.1f}",
                        f"{r['baseline_asr_s']:.2f}",
                        _f(r["stages_s"].get("asr"), "{:.2f}"),
                        _f(r["stages_s"].get("diarization"), "{:.2f}"),
                        _f(r["stages_s"].get("minutes"), "{:.2f}"),
                        _f(r.get("batched_asr_s"), "{:.2f}"),
                    ]
                    for r in batch["rows"]
                ],
            )
        )
        states = {k: v["state"] for k, v in batch["stages"].items() if v["state"] != "done"}
        if states:
            out += ["", "Stages not measured: " + "; ".join(f"{k}: {v}" for k, v in states.items())]
        out.append("")
    sb = report.get("stream_batching") or {}
    if sb.get("rows"):
        out += [
            "## Decoding across streams (one window per stream, greedy)",
            "",
            f"Each stream contributes one {sb['window_s']:g} s window; sequential = one decode "
            "per stream (today's worker), batched = one `BatchedInferencePipeline` call for all.",
            "",
            _table(
                [
                    "streams",
                    "sequential s",
                    "batched s",
                    "speedup",
                    "windows/s seq.",
                    "windows/s batched",
                ],
                [
                    [
                        str(r["n"]),
                        f"{r['sequential_s']:.2f}",
                        f"{r['batched_s']:.2f}",
                        _ratio(r["speedup"]),
                        _f(r["windows_per_s_sequential"], "{:.1f}"),
                        _f(r["windows_per_s_batched"], "{:.1f}"),
                    ]
                    for r in sb["rows"]
                ],
            ),
            "",
        ]
    live = report.get("live") or {}
    if live.get("levels"):
        out += [
            "## Live capacity ladder (one worker, real bus)",
            "",
            f"Driver: {live['driver']}; meetings of {live['meeting_seconds']:.0f} s "
            f"(+{live.get('tail_silence_s', 0):.0f} s trailing silence) from "
            f"{', '.join(live['recordings'])}; SLO p95 ≤ {live['slo_p95_s']} s. "
            f"Stopped: {live['broke_reason']}.",
            "",
            _table(
                [
                    "N",
                    "done",
                    "commits",
                    "p50 s",
                    "p95 s",
                    "max s",
                    "partial gap s",
                    "worker CPU %",
                    "worker RSS MiB",
                    "machine CPU %",
                    "live WER",
                    "held",
                ],
                [
                    [
                        str(lv["n"]),
                        str(lv["meetings_done"]),
                        str(lv["committed"]),
                        _f(lv["latency_p50_s"], "{:.2f}"),
                        _f(lv["latency_p95_s"], "{:.2f}"),
                        _f(lv["latency_max_s"], "{:.2f}"),
                        _f(lv["partial_gap_p50_s"], "{:.2f}"),
                        f"{lv['worker_cpu_percent']:.0f}",
                        f"{lv['worker_rss_mib_peak']:.0f}",
                        f"{lv['machine_cpu_percent']:.0f}",
                        _f(lv.get("live_wer"), "{:.1%}"),
                        "yes" if lv["held"] else f"no: {lv.get('reason', '')}",
                    ]
                    for lv in live["levels"]
                ],
            ),
            "",
        ]
    quality = report.get("quality") or {}
    if quality.get("state") == "done":
        out += ["## Quality (same settings)", ""]
        out.append(
            _table(
                ["source", "clips", "audio s", "WER base", "WER ours", "RTF ratio"],
                [
                    [
                        r["source"],
                        str(r["clips"]),
                        f"{r['audio_s']:.0f}",
                        f"{r['base_wer']:.1%}",
                        f"{r['our_wer']:.1%}",
                        f"{r['rtf_ratio']:.2f}×",
                    ]
                    for r in [*quality["by_source"], quality["overall"]]
                ],
            )
        )
        out.append("")
    if plots:
        out += ["## Plots", ""] + [f"![{name}]({path})" for name, path in plots.items()] + [""]
    if report.get("notes"):
        out += ["## Notes", ""] + [f"- {n}" for n in report["notes"]] + [""]
    out += [
        "Method and assumptions: `benchmarks/README.md` (section *Hardware sizing*).",
        "",
    ]
    return "\n".join(out)


def render_plots(report: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """Write the PNG plots that the measurements allow; returns {name: file name}."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        report.setdefault("notes", []).append(
            "plots skipped: matplotlib not installed (pip install 'asr-service[bench]')"
        )
        return {}
    plots: dict[str, str] = {}
    live = report.get("live") or {}
    levels = live.get("levels") or []
    if levels:
        ns = [lv["n"] for lv in levels]
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(ns, [lv["latency_p50_s"] or 0 for lv in levels], "o-", label="p50")
        ax.plot(ns, [lv["latency_p95_s"] or 0 for lv in levels], "s-", label="p95")
        ax.axhline(live["slo_p95_s"], color="red", ls="--", label=f"SLO {live['slo_p95_s']} s")
        ax.set_xlabel("simultaneous real-time meetings (N)")
        ax.set_ylabel("committed-segment latency (s)")
        ax.set_ylim(bottom=0)
        ax.set_xlim(0.5, max(ns) + 0.5)
        ax.set_xticks(ns)
        ax.set_title(f"Live latency vs N — capacity {live.get('capacity')}")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out_dir / "latency_vs_n.png", dpi=100)
        plt.close(fig)
        plots["latency vs N"] = "latency_vs_n.png"

        idle = live.get("per_stream") or {}
        xs = [0, *ns]  # N = 0: the warmed-up idle worker
        fig, ax = plt.subplots(figsize=(6, 4))
        rss = [idle.get("worker_rss_mib_idle", levels[0]["worker_rss_mib_peak"])]
        ax.plot(xs, rss + [lv["worker_rss_mib_peak"] for lv in levels], "o-", label="worker RSS")
        gpu = [lv.get("gpu_memory_mib_peak") for lv in levels]
        if any(g is not None for g in gpu):
            ax.plot(ns, [g or 0 for g in gpu], "s-", label="GPU memory")
        ax.set_xlabel("simultaneous real-time meetings (N)")
        ax.set_ylabel("MiB")
        ax.set_ylim(bottom=0)
        ax2 = ax.twinx()
        cpu = [idle.get("worker_cpu_percent_idle", 0.0)]
        ax2.plot(
            xs, cpu + [lv["worker_cpu_percent"] for lv in levels], "^:", color="gray", label="CPU"
        )
        ax2.set_ylabel("worker CPU, % of one core (dotted)")
        ax2.set_ylim(bottom=0)
        ax.set_xlim(-0.5, max(xs) + 0.5)
        ax.set_xticks(xs)
        ax.set_title("Worker memory and CPU vs N")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
        fig.tight_layout()
        fig.savefig(out_dir / "memory.png", dpi=100)
        plt.close(fig)
        plots["memory"] = "memory.png"
    batch = report.get("batch") or {}
    if batch.get("stages"):
        names = ["baseline ASR"]
        values = [batch["baseline"]["rtf"]]
        for stage, data in batch["stages"].items():
            if data.get("rtf") is not None:
                names.append(stage)
                values.append(data["rtf"])
        if batch.get("asr_batched"):
            names.append("ASR batched")
            values.append(batch["asr_batched"]["rtf"])
        names.append("pipeline total")
        values.append(batch["together"]["rtf"])
        fig, ax = plt.subplots(figsize=(6, 4))
        colors = ["gray"] + ["tab:blue"] * (len(names) - 2) + ["tab:orange"]
        ax.bar(names, values, color=colors)
        for i, v in enumerate(values):
            ax.text(i, v, f"{v:.3f}", ha="center", va="bottom", fontsize=8)
        ax.set_ylabel("real-time factor (s per s of audio)")
        ax.set_title(f"RTF per stage, {batch['audio_s']:.0f} s of French meetings")
        plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
        fig.tight_layout()
        fig.savefig(out_dir / "rtf_per_stage.png", dpi=100)
        plt.close(fig)
        plots["RTF per stage"] = "rtf_per_stage.png"
    return plots


def write_report(report: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write ``sizing.json``, the plots and ``sizing.md`` into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = render_plots(report, out_dir)
    report["plots"] = plots
    json_path = out_dir / "sizing.json"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    md_path = out_dir / "sizing.md"
    md_path.write_text(render_markdown(report, plots), encoding="utf-8")
    return {"json": json_path, "markdown": md_path, **{k: out_dir / v for k, v in plots.items()}}
