"""Quality alongside speed: WER on the French dev set for the very settings being sized.

A capacity figure bought with a setting that transcribes badly is worthless, so the sizing report
carries the WER of the same model / compute type / beam, next to plain faster-whisper on the same
weights. The measuring itself is :mod:`benchmarks.bench_asr` (French normaliser, corpus WER,
interleaved per clip); this module only picks the clips and keeps the rows the report needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asr_service.config import Settings
from benchmarks import bench_asr
from benchmarks.sizing.workload import dev_clips


def measure_quality(
    settings: Settings, *, limit_seconds: float | None, eval_dir: Path | None = None
) -> dict[str, Any]:
    """WER ours vs baseline on the dev clips (a balanced subset under ``limit_seconds``)."""
    clips = dev_clips(limit_seconds=limit_seconds, eval_dir=eval_dir)
    if not clips:
        return {"state": "skipped: no French dev clips (set ASR_EVAL_DIR to shared/eval)"}
    result = bench_asr.run(clips, settings, quiet=True)
    table = bench_asr.summarise(result)
    overall = next(row for row in table if row["source"] == "ALL")
    return {
        "state": "done",
        "clips": len(clips),
        "audio_s": overall["audio_s"],
        "subset": bool(limit_seconds),
        "settings": result["settings"],
        "overall": overall,
        "by_source": [row for row in table if row["source"] != "ALL"],
    }
