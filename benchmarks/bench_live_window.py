"""Short Whisper encoder windows for live decodes: WER and decode time against the 30 s window.

faster-whisper pads every input to Whisper's 30 s window, and the encoder's cost grows faster
than linearly with the window, so a 3 s utterance costs as much as 30 s of speech. Live decodes
are at most ``ASR_STREAM_MAX_BUFFER_S`` (8 s) long; the worker encodes them on a shorter window
(``ASR_LIVE_ENCODER_WINDOW_S``, see :class:`asr_service.asr.WindowedWhisperModel`). This script
decodes the same utterances (the turns of ``fr/mixes`` and the French dev clips of at most 10 s
from ``../shared/eval``) with the worker's own live decoding (``LiveDecoding``: greedy, one
temperature, token cap, word timestamps) on the full window (the baseline, same run,
interleaved) and on each window asked for, and prints WER and decode time per window with their
ratios to the baseline.

    python benchmarks/bench_live_window.py --windows 15,20
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from asr_service.asr import Transcriber  # noqa: E402
from asr_service.audio import SAMPLE_RATE, decode_audio  # noqa: E402
from asr_service.config import Settings  # noqa: E402
from asr_service.streaming import LiveDecoding  # noqa: E402
from benchmarks.bench_streaming import stm_turns  # noqa: E402
from benchmarks.eval_data import default_eval_dir, french_asr_clips  # noqa: E402
from benchmarks.scoring import corpus_wer  # noqa: E402

MAX_UTTERANCE_S = 10.0


def utterances(eval_dir: Path) -> list[tuple[np.ndarray, str]]:
    """(audio, reference) of every French utterance of at most ``MAX_UTTERANCE_S``."""
    out = []
    for wav in sorted((eval_dir / "fr" / "mixes").glob("*.wav")):
        audio = decode_audio(wav)
        for start, end, text in stm_turns(wav.with_suffix(".stm")):
            if end - start <= MAX_UTTERANCE_S:
                out.append(
                    (audio[int(start * SAMPLE_RATE) : int((end + 0.15) * SAMPLE_RATE)], text)
                )
    for clip in french_asr_clips(eval_dir):
        if clip.reference and clip.duration <= MAX_UTTERANCE_S:
            out.append((decode_audio(clip.audio), clip.reference))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", default="15", help="comma-separated windows (s) to compare")
    parser.add_argument("--eval-dir", default=None, help="evaluation set (default ../shared/eval)")
    args = parser.parse_args()
    windows = [float(w) for w in args.windows.split(",")]
    data = utterances(Path(args.eval_dir) if args.eval_dir else default_eval_dir())
    if not data:
        sys.exit("no French utterances with references found: set --eval-dir")
    transcriber = Transcriber(Settings())
    # the worker's own live decoding (greedy, token cap, hotwords off), one per window; 0 = 30 s
    decoders = {w: LiveDecoding(transcriber, encoder_window_s=w or 0.0) for w in [None, *windows]}
    runs: dict[float | None, dict] = {w: {"pairs": [], "seconds": 0.0} for w in decoders}
    for audio, reference in data:
        for window, live in decoders.items():  # interleaved: machine noise hits all alike
            t0 = time.perf_counter()
            text = " ".join(seg.text for seg in live.transcribe(audio, words=True))
            runs[window]["seconds"] += time.perf_counter() - t0
            runs[window]["pairs"].append((reference, text))
    audio_s = sum(len(a) for a, _ in data) / SAMPLE_RATE
    base = runs[None]
    base_wer, base_time = corpus_wer(base["pairs"]), base["seconds"]
    print(f"{len(data)} utterances, {audio_s:.0f} s of audio (≤ {MAX_UTTERANCE_S:g} s each)\n")
    print("| encoder window | WER | rel. WER change | decode s | RTF | time ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for window, run in runs.items():
        wer = corpus_wer(run["pairs"])
        name = "30 s (baseline)" if window is None else f"{window:g} s"
        print(
            f"| {name} | {wer:.3f} | {(wer - base_wer) / base_wer:+.1%} | {run['seconds']:.1f} "
            f"| {run['seconds'] / audio_s:.3f} | {run['seconds'] / base_time:.2f}x |"
        )


if __name__ == "__main__":
    main()
