"""Live decoding: WER and decode time of short encoder windows and of batches, against one
request at a time on Whisper's full 30 s window.

faster-whisper pads every input to Whisper's 30 s window, and the encoder's cost follows the
window, not the audio in it. The worker encodes each live request on its audio plus 5 s, up to
``ASR_LIVE_ENCODER_WINDOW_S`` (see :func:`asr_service.asr.live_window_s`), and decodes the
requests waiting together as one batch (:class:`asr_service.streaming.LiveDecoding`). This
script decodes the same utterances (the turns of ``fr/mixes`` and the French dev clips of at
most 10 s from ``../shared/eval``) with the worker's own decoding and hallucination guards: on
the full window one at a time (the baseline), on short windows up to each ``--windows`` value
with each ``--margins`` padding one at a time and in batches of ``--batch``, and with a
``--vocabulary`` prompt, interleaved in one run, and prints WER and decode time with their
ratios to the baseline.

    python benchmarks/bench_live_window.py --windows 15 --batch 3
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import typer

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from asr_service.asr import Transcriber  # noqa: E402
from asr_service.audio import SAMPLE_RATE, decode_audio  # noqa: E402
from asr_service.config import Settings  # noqa: E402
from asr_service.streaming import LiveDecoding  # noqa: E402
from asr_service.streaming.decoding import Decoded  # noqa: E402
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


def committed_text(live: LiveDecoding, decoded: Decoded) -> str:
    """What the worker would commit: the decoded text after the hallucination guards."""
    return " ".join(s.text for s in live.committed(decoded, 0.0))


def main(
    windows: str = typer.Option("15", help="longest short windows (s) to compare"),
    margins: str = typer.Option(
        "5", help="padding after the audio in short windows (s) to compare"
    ),
    vocabulary: str = typer.Option(
        "", help="comma-separated hotwords: also decode on the first window and margin with them"
    ),
    batch: int = typer.Option(3, help="batch size of the batched runs"),
    eval_dir: str | None = typer.Option(None, help="evaluation set (default ../shared/eval)"),
) -> None:
    """Live decoding: WER and decode time of short encoder windows and of batches, against one
    request at a time on Whisper's full 30 s window."""
    window_list = [float(w) for w in windows.split(",")]
    margin_list = [float(m) for m in margins.split(",")]
    data = utterances(Path(eval_dir) if eval_dir else default_eval_dir())
    if not data:
        sys.exit("no French utterances with references found: set --eval-dir")
    transcriber = Transcriber(Settings())
    # (name, decoding, batch size): the worker's own live decoding (greedy, token cap)
    runs = [("30 s window, one at a time (baseline)", LiveDecoding(transcriber), 1)]
    for w in window_list:
        for m in margin_list:
            live = LiveDecoding(transcriber, encoder_window_s=w, window_margin_s=m)
            runs.append((f"audio + {m:g} s (≤ {w:g} s), one at a time", live, 1))
            if batch > 1:
                name = f"audio + {m:g} s (≤ {w:g} s), batches of {batch}"
                runs.append((name, live, batch))
    if vocabulary:
        terms = [t.strip() for t in vocabulary.split(",") if t.strip()]
        live = LiveDecoding(
            transcriber,
            vocabulary=terms,
            encoder_window_s=window_list[0],
            window_margin_s=margin_list[0],
        )
        runs.append((f"audio + {margin_list[0]:g} s, vocabulary of {len(terms)}", live, 1))
    results = {name: {"pairs": [], "seconds": 0.0} for name, _, _ in runs}
    step = max(b for _, _, b in runs)
    for k in range(0, len(data), step):
        group = data[k : k + step]
        for name, live, size in runs:  # interleaved: machine noise hits all alike
            t0 = time.perf_counter()
            for i in range(0, len(group), size):
                part = group[i : i + size]
                decoded = live.decode([audio for audio, _ in part])
                results[name]["pairs"] += [
                    (ref, committed_text(live, d))
                    for (_, ref), d in zip(part, decoded, strict=True)
                ]
            results[name]["seconds"] += time.perf_counter() - t0
    audio_s = sum(len(a) for a, _ in data) / SAMPLE_RATE
    base = results[runs[0][0]]
    base_wer, base_time = corpus_wer(base["pairs"]), base["seconds"]
    print(f"{len(data)} utterances, {audio_s:.0f} s of audio (≤ {MAX_UTTERANCE_S:g} s each)\n")
    print("| decoding | WER | rel. WER change | decode s | RTF | time ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, run in results.items():
        wer = corpus_wer(run["pairs"])
        print(
            f"| {name} | {wer:.3f} | {(wer - base_wer) / base_wer:+.1%} | {run['seconds']:.1f} "
            f"| {run['seconds'] / audio_s:.3f} | {run['seconds'] / base_time:.2f}x |"
        )


if __name__ == "__main__":
    typer.run(main)
