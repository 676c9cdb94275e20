"""Batch throughput of the file pipeline: real-time factor per stage, against plain faster-whisper.

For each meeting of the workload, interleaved so machine noise hits both alike:

1. **baseline**: plain ``WhisperModel(same folder, same device, same compute type)
   .transcribe(audio, language="fr")`` with faster-whisper's defaults (beam 5, no VAD);
2. **ours**: :class:`asr_service.pipeline.Pipeline` with the chosen settings: ASR (VAD, guards,
   word timestamps), diarization, minutes; the pipeline's own per-stage timings are used;
3. on CUDA (or when asked) **ours, batched**: faster-whisper's ``BatchedInferencePipeline`` on the
   same model, the GPU's way of decoding many windows at once.

RTF = processing seconds / audio seconds (lower is faster; 1/RTF meetings can be processed by one
worker in real time). Every stage is also expressed in units of the baseline's ASR time measured
in the same run, a ratio that survives a noisy machine better than raw seconds.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from faster_whisper import BatchedInferencePipeline, WhisperModel

from asr_service.pipeline import Pipeline, PipelineOptions
from benchmarks.sizing.machine import ResourceSampler
from benchmarks.sizing.workload import Recording

log = logging.getLogger(__name__)

STAGES = ("asr", "diarization", "minutes")


@dataclass
class BatchRow:
    """Timings of one meeting through the baseline and through our pipeline."""

    recording: str
    audio_s: float
    baseline_asr_s: float
    stages_s: dict[str, float] = field(default_factory=dict)
    stage_state: dict[str, str] = field(default_factory=dict)
    batched_asr_s: float | None = None
    segments: int = 0
    baseline_segments: int = 0


def plain_whisper(pipeline: Pipeline) -> WhisperModel:
    """Plain faster-whisper on the very weights, device and compute type of ``pipeline``."""
    t = pipeline.transcriber
    return WhisperModel(
        str(t.model_path),
        device=t.device,
        compute_type=t.compute_type,
        cpu_threads=pipeline.settings.cpu_threads,
        local_files_only=True,
    )


def baseline_transcribe(model: WhisperModel, audio: Any, beam_size: int | None = None) -> int:
    """Plain faster-whisper defaults (French forced); returns the number of segments."""
    kwargs = {"beam_size": beam_size} if beam_size else {}
    segments, _ = model.transcribe(audio, language="fr", **kwargs)
    return len(list(segments))


def batched_transcribe(
    batched: BatchedInferencePipeline, audio: Any, beam_size: int, batch_size: int
) -> int:
    """Our ASR settings through faster-whisper's batched pipeline; returns segments."""
    segments, _ = batched.transcribe(
        audio, language="fr", beam_size=beam_size, batch_size=batch_size, word_timestamps=True
    )
    return len(list(segments))


def measure_batch(
    pipeline: Pipeline,
    recordings: list[Recording],
    *,
    diarize: bool = True,
    minutes: bool = True,
    batched: bool = False,
    batch_size: int = 16,
    baseline: WhisperModel | None = None,
    log_fn: Any = None,
) -> dict[str, Any]:
    """Measure the file pipeline stage by stage on ``recordings``; returns rows and totals."""
    baseline = baseline or plain_whisper(pipeline)
    batched_pipe = BatchedInferencePipeline(pipeline.transcriber.model) if batched else None
    beam = pipeline.settings.beam_size
    warm = warm_up(pipeline, baseline, recordings[0], diarize=diarize, minutes=minutes)
    rows: list[BatchRow] = []
    with ResourceSampler() as sampler:
        for rec in recordings:
            t0 = time.perf_counter()
            n_base = baseline_transcribe(baseline, rec.audio)
            base_s = time.perf_counter() - t0

            result = pipeline.run(
                rec.audio, PipelineOptions(diarize=diarize, minutes=minutes), source=rec.name
            )
            row = BatchRow(
                recording=rec.name,
                audio_s=rec.seconds,
                baseline_asr_s=base_s,
                stages_s={k: v for k, v in result.timings.items() if k in STAGES},
                stage_state={"asr": "done", **result.transcript.settings.get("stages", {})},
                segments=len(result.transcript.segments),
                baseline_segments=n_base,
            )
            if not diarize:
                row.stage_state["diarization"] = "not requested"
            if not minutes:
                row.stage_state["minutes"] = "not requested"
            if batched_pipe is not None:
                t0 = time.perf_counter()
                batched_transcribe(batched_pipe, rec.audio, beam, batch_size)
                row.batched_asr_s = time.perf_counter() - t0
            rows.append(row)
            if log_fn:
                stages = ", ".join(f"{k} {v:.1f}s" for k, v in row.stages_s.items())
                log_fn(f"batch {rec.name} ({rec.seconds:.0f}s audio): base {base_s:.1f}s; {stages}")
    out = summarise_batch(rows, sampler.summary.as_dict())
    out["warm_up_s"] = warm
    return out


def warm_up(
    pipeline: Pipeline, baseline: WhisperModel, rec: Recording, *, diarize: bool, minutes: bool
) -> dict[str, float]:
    """Load every model and run each path once on 3 s, outside the measurement.

    A service loads its models once and then runs for weeks: one-off costs (VAD and speaker
    models, first-call allocations, the LLM) are reported here, not folded into the RTFs.
    """
    clip = rec.audio[: 3 * 16_000]
    spent: dict[str, float] = {}
    t0 = time.perf_counter()
    baseline_transcribe(baseline, clip)
    pipeline.run(clip, PipelineOptions(diarize=diarize, minutes=False))
    spent["asr_diarization"] = time.perf_counter() - t0
    if minutes:
        t0 = time.perf_counter()
        try:
            from summarizer.pipeline import shared_backend

            backend = shared_backend()
            load = getattr(backend, "_load", None)  # llama.cpp in-process: load the GGUF now
            if callable(load):
                load()
        except Exception as exc:  # noqa: BLE001 - the minutes stage will say why it is skipped
            log.info("LLM warm-up failed: %s", exc)
        spent["llm_load"] = time.perf_counter() - t0
    return spent


def summarise_batch(rows: list[BatchRow], resources: dict[str, Any]) -> dict[str, Any]:
    """Totals and RTFs over all rows: per stage, together, and in baseline-ASR units."""
    audio = sum(r.audio_s for r in rows) or 1e-9
    base = sum(r.baseline_asr_s for r in rows)
    stages: dict[str, dict[str, Any]] = {}
    for stage in STAGES:
        done = [r for r in rows if r.stage_state.get(stage) == "done" and stage in r.stages_s]
        states = sorted({r.stage_state.get(stage, "not run") for r in rows})
        if not done:
            stages[stage] = {"state": "; ".join(states), "seconds": None, "rtf": None}
            continue
        spent = sum(r.stages_s[stage] for r in done)
        done_audio = sum(r.audio_s for r in done)
        done_base = sum(r.baseline_asr_s for r in done)
        stages[stage] = {
            "state": "done" if len(done) == len(rows) else "; ".join(states),
            "seconds": spent,
            "audio_s": done_audio,
            "rtf": spent / done_audio,
            "x_baseline_asr": spent / done_base if done_base else None,
        }
    together = sum(s["rtf"] for s in stages.values() if s["rtf"] is not None)
    out: dict[str, Any] = {
        "audio_s": audio,
        "recordings": [r.recording for r in rows],
        "baseline": {"seconds": base, "rtf": base / audio},
        "stages": stages,
        "together": {
            "rtf": together,
            "x_baseline_asr": together / (base / audio) if base else None,
            "stages": [s for s, v in stages.items() if v["rtf"] is not None],
        },
        "rows": [r.__dict__ for r in rows],
        "resources": resources,
    }
    batched = [r.batched_asr_s for r in rows if r.batched_asr_s is not None]
    if batched:
        spent = sum(batched)
        out["asr_batched"] = {
            "seconds": spent,
            "rtf": spent / audio,
            "x_baseline_asr": spent / base if base else None,
        }
    return out
