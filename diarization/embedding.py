"""Speaker embeddings of audio windows with the exported CAM++ model on onnxruntime.

Features are computed once per speech region (numpy Kaldi fbank), then each window takes its
slice of frames and subtracts its own mean (the per-utterance normalisation CAM++ was trained
with). Windows of equal length are batched through onnxruntime.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import onnxruntime as ort

from asr_service.cpus import usable_cpus
from diarization.fbank import FRAME_SHIFT, SAMPLE_RATE, fbank, num_frames

EMBEDDING_DIM = 192
MIN_FRAMES = 20  # ~0.2 s: shorter windows give meaningless embeddings
FLUSH_WINDOWS = 1024  # windows of features held before they are embedded (~32 MB at 1 s)


def cpu_session(onnx_file: Path, threads: int = 0) -> ort.InferenceSession:
    """An onnxruntime CPU session on ``threads`` intra-op threads (0: the usable CPUs)."""
    options = ort.SessionOptions()
    # 0 would let onnxruntime count the node's cores, not the container's CPU quota
    options.intra_op_num_threads = threads or usable_cpus()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(
        str(onnx_file), sess_options=options, providers=["CPUExecutionProvider"]
    )


class SpeakerEmbedder:
    """CAM++ (ONNX) on CPU: fbank windows in, 192-d speaker embeddings out."""

    def __init__(self, onnx_file: Path, *, threads: int = 0, batch_size: int = 32):
        self.session = cpu_session(onnx_file, threads)
        self.batch_size = batch_size

    def embed_features(self, windows: list[np.ndarray]) -> np.ndarray:
        """Embeddings ``(len(windows), 192)`` of mean-normalised fbank windows ``(frames, 80)``."""
        out = np.zeros((len(windows), EMBEDDING_DIM), dtype=np.float32)
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, w in enumerate(windows):
            by_length[len(w)].append(i)
        for indices in by_length.values():
            for first in range(0, len(indices), self.batch_size):
                batch = indices[first : first + self.batch_size]
                feats = np.stack([windows[i] for i in batch]).astype(np.float32)
                out[batch] = self.session.run(None, {"feats": feats})[0]
        return out

    def embed_windows(
        self,
        audio: np.ndarray,
        regions: list[tuple[float, float]],
        windows: list[list[tuple[float, float]]],
    ) -> np.ndarray:
        """Embeddings of ``windows[i]`` (seconds), each list lying inside ``regions[i]``.

        The fbank of each region is computed once; windows share its frames. Features are
        embedded every ``FLUSH_WINDOWS`` windows, so memory does not grow with the recording.
        """
        slices: list[np.ndarray] = []
        parts: list[np.ndarray] = []
        for (r_start, r_end), region_windows in zip(regions, windows, strict=True):
            if not region_windows:
                continue
            first_sample = int(round(r_start * SAMPLE_RATE))
            feats = fbank(audio[first_sample : int(round(r_end * SAMPLE_RATE))])
            for w_start, w_end in region_windows:
                f0 = int(round((w_start - r_start) * SAMPLE_RATE / FRAME_SHIFT))
                count = num_frames(int(round((w_end - w_start) * SAMPLE_RATE)))
                f0 = max(0, min(f0, len(feats) - count))
                window = feats[f0 : f0 + count]
                slices.append(window - window.mean(axis=0, keepdims=True))
            if len(slices) >= FLUSH_WINDOWS:
                parts.append(self.embed_features(slices))
                slices = []
        parts.append(self.embed_features(slices))
        return np.concatenate(parts)

    def embed_clip(self, audio: np.ndarray, window: float = 3.0) -> np.ndarray:
        """One embedding for a whole clip: the mean of its (normalised) window embeddings."""
        size = int(window * SAMPLE_RATE)
        pieces = [audio[i : i + size] for i in range(0, max(1, len(audio) - size // 2), size)]
        feats = [fbank(p) for p in pieces]
        windows = [f - f.mean(axis=0, keepdims=True) for f in feats if len(f) >= MIN_FRAMES]
        if not windows:
            raise ValueError(
                f"clip too short for a speaker embedding ({len(audio) / SAMPLE_RATE:.2f} s)"
            )
        embeddings = self.embed_features(windows)
        embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True) + 1e-9
        return embeddings.mean(axis=0)
