"""Access to the shared evaluation set (``../shared/eval``): clips with references, by source."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_eval_dir() -> Path:
    """``ASR_EVAL_DIR`` or the ``shared/eval`` folder beside the checkout."""
    env = os.environ.get("ASR_EVAL_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "eval"


@dataclass(frozen=True)
class Clip:
    """One evaluation recording and what the manifest says of it."""

    clip_id: str
    source: str
    lang: str
    type: str
    audio: Path
    duration: float
    reference: str | None
    rttm: Path | None
    uem: Path | None
    n_speakers: int | None


def _stm_text(path: Path) -> str:
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and not line.startswith(";;"):
            turns.append((float(parts[3]), parts[5]))
    return " ".join(text for _, text in sorted(turns))


def load_clips(eval_dir: Path | None = None, *, split: str | None = None) -> list[Clip]:
    """Every clip of the manifest (optionally one split), with its reference text when known."""
    eval_dir = eval_dir or default_eval_dir()
    manifest = eval_dir / "manifest.tsv"
    if not manifest.is_file():
        raise FileNotFoundError(f"no evaluation manifest at {manifest} (set ASR_EVAL_DIR)")
    clips = []
    with manifest.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if split and row["split"] != split:
                continue
            ref = None
            if row.get("ref_txt"):
                ref = (eval_dir / row["ref_txt"]).read_text(encoding="utf-8").strip()
            elif row.get("stm"):
                ref = _stm_text(eval_dir / row["stm"])
            clips.append(
                Clip(
                    clip_id=row["clip_id"],
                    source=row["source_key"],
                    lang=row["lang"],
                    type=row["type"],
                    audio=eval_dir / row["audio"],
                    duration=float(row["duration_s"] or 0),
                    reference=ref,
                    rttm=eval_dir / row["rttm"] if row.get("rttm") else None,
                    uem=eval_dir / row["uem"] if row.get("uem") else None,
                    n_speakers=int(row["n_speakers"]) if row.get("n_speakers") else None,
                )
            )
    return clips


def french_asr_clips(eval_dir: Path | None = None) -> list[Clip]:
    """French dev clips that have a human reference transcript."""
    return [c for c in load_clips(eval_dir, split="dev") if c.lang.startswith("fr") and c.reference]
