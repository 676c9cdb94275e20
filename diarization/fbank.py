"""Kaldi-compatible log mel filterbank features in numpy (the input of the CAM++ speaker model).

CAM++ was trained on ``torchaudio.compliance.kaldi.fbank(wav, num_mel_bins=80, dither=0)`` of a
float waveform in [-1, 1], mean-normalised per utterance. This module reproduces that computation
without torch so the run time needs only numpy and onnxruntime: 25 ms Povey-windowed frames every
10 ms (``snip_edges``), DC removal, 0.97 pre-emphasis, 512-point power spectrum, 80 triangular mel
bins from 20 Hz to Nyquist, natural log floored at float32 epsilon. ``tests/diarization`` checks it
against kaldi-native-fbank (the k2-fsa C++ implementation of Kaldi's ``compute-fbank-feats``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

SAMPLE_RATE = 16_000
FRAME_LENGTH = 400  # 25 ms
FRAME_SHIFT = 160  # 10 ms
FFT_SIZE = 512  # frame length rounded up to a power of two
NUM_MEL_BINS = 80
LOW_FREQ = 20.0
PREEMPHASIS = 0.97
_EPS = float(np.finfo(np.float32).eps)


def _mel(freq: np.ndarray | float) -> np.ndarray | float:
    return 1127.0 * np.log(1.0 + np.asarray(freq) / 700.0)


@cache
def mel_banks(
    num_bins: int = NUM_MEL_BINS, low_freq: float = LOW_FREQ, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """Kaldi's triangular mel filters, shape ``(FFT_SIZE // 2 + 1, num_bins)`` (last FFT bin 0)."""
    num_fft_bins = FFT_SIZE // 2
    nyquist = sample_rate / 2
    mel_low, mel_high = _mel(low_freq), _mel(nyquist)
    delta = (mel_high - mel_low) / (num_bins + 1)
    left = mel_low + np.arange(num_bins)[:, None] * delta
    center = left + delta
    right = center + delta
    mels = _mel(np.arange(num_fft_bins) * sample_rate / FFT_SIZE)[None, :]
    up = (mels - left) / (center - left)
    down = (right - mels) / (right - center)
    banks = np.maximum(0.0, np.minimum(up, down))
    out = np.zeros((num_fft_bins + 1, num_bins), dtype=np.float64)
    out[:num_fft_bins] = banks.T
    return out


@cache
def povey_window() -> np.ndarray:
    """Kaldi's Povey window: a symmetric Hann window raised to the power 0.85."""
    n = np.arange(FRAME_LENGTH)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / (FRAME_LENGTH - 1))) ** 0.85


def num_frames(num_samples: int) -> int:
    """Frames Kaldi produces for ``num_samples`` with ``snip_edges`` (no padding at the ends)."""
    if num_samples < FRAME_LENGTH:
        return 0
    return 1 + (num_samples - FRAME_LENGTH) // FRAME_SHIFT


def fbank(audio: np.ndarray, *, block_frames: int = 6000) -> np.ndarray:
    """Log mel filterbank of 16 kHz mono float audio, shape ``(frames, 80)``, float32.

    Computed in blocks of ``block_frames`` frames (one minute by default) so that memory stays
    bounded on long recordings.
    """
    audio = np.asarray(audio)
    if audio.ndim != 1:
        raise ValueError(f"fbank expects mono audio (1-D), got shape {audio.shape}")
    total = num_frames(len(audio))
    out = np.empty((total, NUM_MEL_BINS), dtype=np.float32)
    if total == 0:
        return out
    banks = mel_banks()
    window = povey_window()
    for first in range(0, total, block_frames):
        count = min(block_frames, total - first)
        start = first * FRAME_SHIFT
        span = audio[start : start + (count - 1) * FRAME_SHIFT + FRAME_LENGTH].astype(np.float64)
        frames = np.lib.stride_tricks.sliding_window_view(span, FRAME_LENGTH)[::FRAME_SHIFT]
        frames = frames - frames.mean(axis=1, keepdims=True)
        shifted = np.concatenate([frames[:, :1], frames[:, :-1]], axis=1)
        frames = (frames - PREEMPHASIS * shifted) * window
        power = np.abs(np.fft.rfft(frames, n=FFT_SIZE, axis=1)) ** 2
        out[first : first + count] = np.log(np.maximum(power @ banks, _EPS))
    return out
