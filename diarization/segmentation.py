"""Overlap-aware diarization: the pyannote 3.x recipe on onnxruntime, without torch.

1. **Local segmentation**: pyannote segmentation-3.0 (ONNX export, :mod:`diarization.export`)
   on sliding 10 s chunks gives, per ~17 ms frame, which of up to three local speakers talk —
   two at once where voices overlap (powerset classes decoded to per-speaker activity).
2. **Embeddings**: one CAM++ embedding per active local speaker of each chunk, from the frames
   where that speaker talks alone (all its frames when it never does).
3. **Clustering across chunks**: the embeddings are clustered (:mod:`diarization.clustering`,
   speaker count from the data within ``min``/``max`` or fixed), then within each chunk local
   speakers are matched one-to-one to clusters (Hungarian assignment on cosine similarity).
4. **Reconstruction**: per global speaker, its activity averaged over the chunks that see each
   frame; the number of speakers of a frame is the chunks' average local count, rounded; each
   frame goes to that many speakers, most active first. Turns may overlap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from diarization.clustering import ahc_labels, normalize
from diarization.embedding import MIN_FRAMES, SpeakerEmbedder, cpu_session
from diarization.fbank import fbank
from diarization.turns import SpeakerTurn, merge_adjacent, speaker_label

SAMPLE_RATE = 16_000
CHUNK_S = 10.0
CHUNK_SAMPLES = int(CHUNK_S * SAMPLE_RATE)
FRAMES_PER_CHUNK = 589
FRAME_S = CHUNK_S / FRAMES_PER_CHUNK
# powerset classes of segmentation-3.0 (3 local speakers, at most 2 at once) -> speakers active
POWERSET = np.array(
    [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=np.float32
)


@dataclass(frozen=True)
class SegmentationOptions:
    """Parameters of the overlap-aware recipe (data, so benchmarks can vary them)."""

    step: float = 2.5  # seconds between chunk starts (pyannote uses 1 s; 2.5 s keeps RTF < 0.1)
    overlap_step: float = 5.0  # chunk step of the windows+overlap method (overlap detection only)
    min_speaker_s: float = 0.4  # a local speaker needs this much speech for an embedding
    min_clean_s: float = 0.5  # below this much single-speaker speech, use its overlapped frames
    max_embed_s: float = 3.0  # speech per embedding (CAM++ cost grows with it; equal lengths batch)
    min_turn_s: float = 0.1  # shorter turns are dropped
    min_gap_s: float = 0.1  # shorter pauses inside one speaker's speech are filled
    batch: int = 8  # chunks per onnxruntime call
    threshold: float = 0.5  # average-linkage cosine similarity above which embeddings join
    max_speakers: int = 15  # upper bound of the automatic count
    # windows+segmentation: a window is clustered (not only assigned) when segmentation-3.0
    # hears exactly one voice on at least this fraction of its frames
    single_fraction: float = 1.0
    second_voice: float = 0.5  # chunk-averaged activity a second identified voice needs


@dataclass
class LocalResult:
    """Segmentation of every chunk: start times and per-frame activity of 3 local speakers."""

    starts: np.ndarray  # (chunks,) seconds
    activity: np.ndarray  # (chunks, frames, 3) in {0, 1}


class Segmenter:
    """segmentation-3.0 on onnxruntime: 16 kHz audio -> per-chunk local speaker activity."""

    def __init__(self, onnx_file: Path, *, threads: int = 0):
        self.session = cpu_session(onnx_file, threads)

    def chunk_starts(self, duration: float, step: float) -> np.ndarray:
        """Chunk start times covering ``duration`` (the last chunk flush with the end)."""
        if duration <= CHUNK_S:
            return np.zeros(1)
        starts = np.arange(0.0, duration - CHUNK_S, step)
        return np.append(starts, duration - CHUNK_S)

    def __call__(self, audio: np.ndarray, step: float, batch: int = 8) -> LocalResult:
        duration = len(audio) / SAMPLE_RATE
        starts = self.chunk_starts(duration, step)
        out = np.zeros((len(starts), FRAMES_PER_CHUNK, 3), dtype=np.float32)
        for first in range(0, len(starts), batch):
            group = starts[first : first + batch]
            chunks = np.zeros((len(group), 1, CHUNK_SAMPLES), dtype=np.float32)
            for i, start in enumerate(group):
                a = int(round(start * SAMPLE_RATE))
                piece = audio[a : a + CHUNK_SAMPLES]
                chunks[i, 0, : len(piece)] = piece
            log_probs = self.session.run(None, {"waveforms": chunks})[0]
            out[first : first + len(group)] = POWERSET[log_probs.argmax(-1)]
        return LocalResult(starts, out)


def _frame_samples(start: float, mask: np.ndarray, n: int) -> np.ndarray:
    """Sample indices of the frames where ``mask`` holds in the chunk starting at ``start``."""
    frames = np.flatnonzero(mask)
    if len(frames) == 0:
        return np.zeros(0, dtype=int)
    first = np.round((start + frames * FRAME_S) * SAMPLE_RATE).astype(int)
    per = int(np.ceil(FRAME_S * SAMPLE_RATE))
    idx = (first[:, None] + np.arange(per)[None, :]).ravel()
    return np.unique(idx[idx < n])


def local_embeddings(
    audio: np.ndarray,
    local: LocalResult,
    embedder: SpeakerEmbedder,
    options: SegmentationOptions,
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """One CAM++ embedding per (chunk, local speaker) with enough speech: keys and matrix."""
    keys: list[tuple[int, int]] = []
    feats: list[np.ndarray] = []
    min_frames = options.min_speaker_s / FRAME_S
    clean_frames = options.min_clean_s / FRAME_S
    for c, start in enumerate(local.starts):
        act = local.activity[c]
        alone = act * (act.sum(1, keepdims=True) == 1)
        for k in range(3):
            if act[:, k].sum() < min_frames:
                continue
            mask = alone[:, k] if alone[:, k].sum() >= clean_frames else act[:, k]
            samples = audio[_frame_samples(start, mask > 0, len(audio))]
            samples = samples[: int(options.max_embed_s * SAMPLE_RATE)]
            f = fbank(samples)
            if len(f) < MIN_FRAMES:
                continue
            keys.append((c, k))
            feats.append(f - f.mean(axis=0, keepdims=True))
    if not feats:
        return [], np.zeros((0, 192), dtype=np.float32)
    return keys, embedder.embed_features(feats)


def cluster_local(
    embeddings: np.ndarray,
    options: SegmentationOptions,
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
) -> np.ndarray:
    """Cluster index (0..k-1, by first appearance) of each local-speaker embedding.

    Average-linkage agglomerative clustering: a fixed count when ``num_speakers`` is given,
    otherwise a cosine threshold, the result re-cut to ``[min_speakers, max_speakers]`` when
    the threshold gives a count outside it. Local embeddings come from seconds of one voice,
    so a threshold separates them better than the eigengap does for 1 s windows.
    """
    x = normalize(np.asarray(embeddings, dtype=np.float64))
    if len(x) == 1:
        return np.zeros(1, dtype=int)
    if num_speakers is not None:
        labels = ahc_labels(x, threshold=0.0, k=min(num_speakers, len(x)))
    else:
        labels = ahc_labels(x, threshold=options.threshold)
        low = max(1, min_speakers or 1)
        high = max(low, max_speakers or options.max_speakers)
        count = len(np.unique(labels))
        if count > high or count < low:
            labels = ahc_labels(x, threshold=0.0, k=min(max(count, low), high, len(x)))
    _, first = np.unique(labels, return_index=True)
    order = {int(labels[i]): rank for rank, i in enumerate(sorted(first))}
    return np.array([order[int(v)] for v in labels], dtype=int)


def assign(
    keys: list[tuple[int, int]], embeddings: np.ndarray, labels: np.ndarray, chunks: int
) -> tuple[np.ndarray, np.ndarray]:
    """Local speaker -> cluster (``-1``: none) per chunk, one-to-one within a chunk; centroids."""
    x = normalize(embeddings.astype(np.float64))
    k = int(labels.max()) + 1
    centroids = normalize(np.stack([x[labels == j].mean(0) for j in range(k)]))
    mapping = np.full((chunks, 3), -1, dtype=int)
    by_chunk: dict[int, list[int]] = {}
    for i, (c, _) in enumerate(keys):
        by_chunk.setdefault(c, []).append(i)
    for c, rows in by_chunk.items():
        sim = x[rows] @ centroids.T
        if len(rows) <= k:
            r, col = linear_sum_assignment(-sim)
            for ri, ci in zip(r, col, strict=True):
                mapping[c, keys[rows[ri]][1]] = ci
        else:  # more local speakers than clusters: each takes its nearest
            for ri, row in enumerate(rows):
                mapping[c, keys[row][1]] = int(sim[ri].argmax())
    return mapping, centroids


def reconstruct(
    local: LocalResult, mapping: np.ndarray, speakers: int, duration: float
) -> np.ndarray:
    """Global per-frame activity ``(frames, speakers)`` in {0, 1} (pyannote's reconstruction)."""
    total = int(np.ceil(duration / FRAME_S)) + 1
    score = np.zeros((total, speakers))
    count = np.zeros(total)
    seen = np.zeros(total)
    for c, start in enumerate(local.starts):
        first = int(round(start / FRAME_S))
        last = min(total, first + FRAMES_PER_CHUNK)
        n = last - first
        act = local.activity[c, :n]
        seen[first:last] += 1
        count[first:last] += act.sum(1)
        for k in range(3):
            g = mapping[c, k]
            if g >= 0:
                score[first:last, g] += act[:, k]
    seen = np.maximum(seen, 1)
    score /= seen[:, None]
    need = np.minimum(np.rint(count / seen), speakers).astype(int)
    out = np.zeros_like(score)
    order = np.argsort(-score, axis=1)
    for j in range(min(2, speakers)):  # segmentation-3.0 never has more than 2 at once
        rows = np.flatnonzero(need > j)
        picked = order[rows, j]
        ok = score[rows, picked] > 0
        out[rows[ok], picked[ok]] = 1
    return out


def activity_turns(active: np.ndarray, options: SegmentationOptions) -> list[SpeakerTurn]:
    """Turns of each speaker from binary frame activity (short gaps filled, short turns gone)."""
    turns: list[SpeakerTurn] = []
    for g in range(active.shape[1]):
        col = np.concatenate([[0], active[:, g].astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(col))
        spans = [(a * FRAME_S, b * FRAME_S) for a, b in zip(edges[::2], edges[1::2], strict=True)]
        joined: list[list[float]] = []
        for s, e in spans:
            if joined and s - joined[-1][1] < options.min_gap_s:
                joined[-1][1] = e
            else:
                joined.append([s, e])
        turns += [
            SpeakerTurn(round(float(s), 3), round(float(e), 3), str(g))
            for s, e in joined
            if e - s >= options.min_turn_s
        ]
    return sorted(turns, key=lambda t: (t.start, t.end))


def diarize_overlap(
    audio: np.ndarray,
    segmenter: Segmenter,
    embedder: SpeakerEmbedder,
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    options: SegmentationOptions | None = None,
) -> tuple[list[SpeakerTurn], dict[str, np.ndarray]]:
    """Overlapping speaker turns (labelled by first speech) and each speaker's centroid."""
    options = options or SegmentationOptions()
    duration = len(audio) / SAMPLE_RATE
    local = segmenter(audio, options.step, options.batch)
    keys, embeddings = local_embeddings(audio, local, embedder, options)
    if not keys:
        return [], {}
    labels = cluster_local(
        embeddings,
        options,
        num_speakers=num_speakers,
        min_speakers=min_speakers,
        max_speakers=max_speakers,
    )
    mapping, centroids = assign(keys, embeddings, labels, len(local.starts))
    active = reconstruct(local, mapping, len(centroids), duration)
    raw = activity_turns(active, options)
    order: dict[str, int] = {}
    for turn in raw:
        order.setdefault(turn.speaker, len(order))
    turns = merge_adjacent(
        SpeakerTurn(t.start, min(t.end, duration), speaker_label(order[t.speaker])) for t in raw
    )
    named = {
        speaker_label(order[str(g)]): centroids[g] for g in range(len(centroids)) if str(g) in order
    }
    return turns, named


def frame_count(local: LocalResult, total: int) -> np.ndarray:
    """Per frame, the number of voices segmentation-3.0 hears, averaged over the chunks that
    see the frame (0 where no chunk does)."""
    count = np.zeros(total)
    seen = np.zeros(total)
    for c, start in enumerate(local.starts):
        first = int(round(start / FRAME_S))
        n = min(FRAMES_PER_CHUNK, total - first)
        if n <= 0:
            continue
        count[first : first + n] += local.activity[c, :n].sum(1)
        seen[first : first + n] += 1
    return count / np.maximum(seen, 1)


def single_voice_windows(
    local: LocalResult,
    windows: list[tuple[float, float]],
    duration: float,
    fraction: float = 1.0,
) -> np.ndarray:
    """Per window (seconds), whether segmentation-3.0 hears one voice (chunk-averaged count in
    [0.5, 1.5)) on at least ``fraction`` of its frames: no pause, no second voice."""
    total = int(np.ceil(duration / FRAME_S)) + 1
    count = frame_count(local, total)
    single = (count >= 0.5) & (count < 1.5)
    out = np.zeros(len(windows), dtype=bool)
    for i, (start, end) in enumerate(windows):
        a = min(int(start / FRAME_S), total - 1)
        b = max(a + 1, min(int(end / FRAME_S), total))
        out[i] = single[a:b].mean() >= fraction
    return out


def _frame_owner(turns: list[SpeakerTurn], duration: float) -> tuple[list[str], np.ndarray]:
    """The speakers of ``turns`` (sorted) and, per segmentation frame of ``duration`` seconds,
    the index of the speaker ``turns`` gives it (-1: nobody)."""
    speakers = sorted({t.speaker for t in turns})
    index = {s: i for i, s in enumerate(speakers)}
    owner = np.full(int(np.ceil(duration / FRAME_S)) + 1, -1, dtype=int)
    for t in turns:
        owner[int(t.start / FRAME_S) : int(np.ceil(t.end / FRAME_S))] = index[t.speaker]
    return speakers, owner


def _chunk_identities(
    local: LocalResult, owner: np.ndarray, total: int, options: SegmentationOptions
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray, list[int]]]:
    """For each segmentation chunk: its first frame, its frame count, its local activity, the
    number of voices per frame, and the global identity of each of its three local speakers
    (the speaker that ``owner`` gives to most of the frames where that local speaker talks
    alone, when at least ``min_speaker_s`` of them are owned; else -1)."""
    min_alone = max(1, int(options.min_speaker_s / FRAME_S))
    for c, start in enumerate(local.starts):
        first = int(round(start / FRAME_S))
        n = min(FRAMES_PER_CHUNK, total - first)
        if n <= 0:
            continue
        act = local.activity[c, :n]
        voices = act.sum(1)
        who = []
        for k in range(act.shape[1]):
            alone = np.flatnonzero((act[:, k] == 1) & (voices == 1))
            ids = owner[first + alone]
            ids = ids[ids >= 0]
            who.append(int(np.bincount(ids).argmax()) if len(ids) >= min_alone else -1)
        yield first, n, act, voices, who


def resegment(
    turns: list[SpeakerTurn],
    local: LocalResult,
    duration: float,
    options: SegmentationOptions,
) -> list[SpeakerTurn]:
    """``turns`` (one speaker at a time, from windows) completed by segmentation-3.0.

    Windows say who speaks; segmentation-3.0 says how many speak, per ~17 ms frame. Each local
    speaker of a chunk takes the identity that ``turns`` gives to most of the frames where it
    talks alone (at least ``min_speaker_s`` of them); its activity, averaged over the chunks
    that see a frame, scores that identity there. Then, per frame:

    - the speaker of ``turns`` keeps the frame;
    - speech the windows missed (segmentation hears a voice, no turn covers the frame) goes to
      the best-scored identity;
    - where segmentation hears two voices (chunk-averaged count rounding to 2), the best-scored
      other identity is added when its score reaches ``second_voice``.

    Turns are rebuilt from the frames (pauses under ``min_gap_s`` filled, turns under
    ``min_turn_s`` dropped), so they may overlap.
    """
    speakers, owner = _frame_owner(turns, duration)
    if not speakers or len(local.starts) == 0:
        return turns
    total = len(owner)
    score = np.zeros((total, len(speakers)), dtype=np.float32)
    count = np.zeros(total)
    seen = np.zeros(total)
    for first, n, act, voices, who in _chunk_identities(local, owner, total, options):
        seen[first : first + n] += 1
        count[first : first + n] += voices
        for k, identity in enumerate(who):
            if identity >= 0:
                score[first : first + n, identity] += act[:, k]
    seen = np.maximum(seen, 1)
    score /= seen[:, None]
    need = np.rint(count / seen)
    rows = np.arange(total)
    first_voice = np.where(owner >= 0, owner, score.argmax(1))
    speaking = (owner >= 0) | ((need >= 1) & (score.max(1) > 0))
    active = np.zeros((total, len(speakers)), dtype=bool)
    active[rows[speaking], first_voice[speaking]] = True
    others = score.copy()
    others[rows, first_voice] = -1.0
    second = others.argmax(1)
    two = (need >= 2) & (others.max(1) >= options.second_voice)
    active[rows[two], second[two]] = True
    rebuilt = activity_turns(active.astype(np.float32), options)
    return merge_adjacent(
        SpeakerTurn(t.start, min(t.end, duration), speakers[int(t.speaker)])
        for t in rebuilt
        if t.start < duration
    )


def add_overlap_turns(
    turns: list[SpeakerTurn],
    local: LocalResult,
    duration: float,
    options: SegmentationOptions,
) -> list[SpeakerTurn]:
    """``turns`` (one speaker at a time) plus turns of the second voice where voices overlap.

    Identities come from ``turns``: each local speaker of a chunk is the speaker that ``turns``
    gives to most of the frames where that local speaker talks alone. Where segmentation-3.0
    hears two local speakers at once in most of the chunks that see a frame, both identities
    are active there; the one ``turns`` does not already give that frame gets a new turn.
    """
    speakers, owner = _frame_owner(turns, duration)
    if not speakers or len(local.starts) == 0:
        return turns
    total = len(owner)
    votes = np.zeros((total, len(speakers)))
    seen = np.zeros(total)
    for first, n, act, voices, who in _chunk_identities(local, owner, total, options):
        seen[first : first + n] += 1
        overlap = np.flatnonzero(voices == 2)
        for k, identity in enumerate(who):
            if identity >= 0 and len(overlap):
                both = overlap[act[overlap, k] == 1]
                votes[first + both, identity] += 1
    half = np.maximum(seen, 1) / 2
    active = votes >= half[:, None]
    active &= votes > 0
    active[np.arange(total), np.maximum(owner, 0)] &= owner < 0  # already theirs
    extra = activity_turns(active.astype(np.float32), options)
    added = [
        SpeakerTurn(t.start, min(t.end, duration), speakers[int(t.speaker)])
        for t in extra
        if t.start < duration
    ]
    return merge_adjacent([*turns, *added])
