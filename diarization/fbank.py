"""Kaldi log mel filterbank features (the input of the CAM++ speaker model), by kaldi-native-fbank.

CAM++ was trained on ``torchaudio.compliance.kaldi.fbank(wav, num_mel_bins=80, dither=0)`` of a
float waveform in [-1, 1], mean-normalised per utterance. kaldi-native-fbank (k2-fsa's C++ port
of Kaldi's ``compute-fbank-feats``) computes the same features without torch: 25 ms Povey
frames every 10 ms (``snip_edges``), DC removal, 0.97 pre-emphasis, 512-point power spectrum,
80 mel bins from 20 Hz to Nyquist, natural log. Audio is fed in blocks and frames are popped as
they are read, so memory stays bounded on long recordings.
"""

from __future__ import annotations

import kaldi_native_fbank as knf
import numpy as np

SAMPLE_RATE = 16_000
FRAME_LENGTH = 400  # 25 ms
FRAME_SHIFT = 160  # 10 ms
NUM_MEL_BINS = 80


def options() -> knf.FbankOptions:
    """Kaldi fbank options of CAM++ (80 bins, no dither; the rest Kaldi's defaults)."""
    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = SAMPLE_RATE
    opts.frame_opts.dither = 0.0
    opts.mel_opts.num_bins = NUM_MEL_BINS
    return opts


def num_frames(num_samples: int) -> int:
    """Frames Kaldi produces for ``num_samples`` with ``snip_edges`` (no padding at the ends)."""
    if num_samples < FRAME_LENGTH:
        return 0
    return 1 + (num_samples - FRAME_LENGTH) // FRAME_SHIFT


def fbank(audio: np.ndarray, *, block_frames: int = 6000) -> np.ndarray:
    """Log mel filterbank of 16 kHz mono float audio, shape ``(frames, 80)``, float32.

    The audio goes to the extractor in blocks of ``block_frames`` frames (one minute by
    default) and ready frames are popped after each block.
    """
    audio = np.asarray(audio)
    if audio.ndim != 1:
        raise ValueError(f"fbank expects mono audio (1-D), got shape {audio.shape}")
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    total = num_frames(len(audio))
    out = np.empty((total, NUM_MEL_BINS), dtype=np.float32)
    if total == 0:
        return out
    extractor = knf.OnlineFbank(options())
    done = 0
    step = max(1, block_frames) * FRAME_SHIFT

    def drain() -> None:
        nonlocal done
        ready = extractor.num_frames_ready
        for i in range(done, ready):
            out[i] = extractor.get_frame(i)  # copied: the frame's memory goes with pop()
        extractor.pop(ready - done)
        done = ready

    for start in range(0, len(audio), step):
        extractor.accept_waveform(SAMPLE_RATE, audio[start : start + step])
        drain()
    extractor.input_finished()
    drain()
    return out
