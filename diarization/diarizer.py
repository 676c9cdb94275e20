"""Who spoke when: speech regions -> sliding windows -> CAM++ embeddings -> clusters -> turns.

The recipe (measured on the shared evaluation set, see docs/diarization.md): 1.0 s windows every
0.5 s inside each speech region (shorter than the usual 1.5 s: it halved DER on the French mixes),
CAM++ embeddings on an 80-bin Kaldi fbank, spectral clustering with the speaker count from the
eigengap (agglomerative clustering when there are too few windows for a graph). Each window
owns the middle of its overlap with its neighbours, so speaker changes fall between window
centres. With the default ``windows+segmentation`` method, segmentation-3.0 (10 s chunks every
5 s) picks the windows that are clustered (one voice throughout), then completes the turns per
~17 ms frame: speech the VAD missed, and a second voice where two overlap
(:func:`diarization.segmentation.resegment`).

Nothing here needs torch or the network: the model is the ONNX export made at install time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np

from diarization.clustering import (
    ClusteringOptions,
    cluster_embeddings,
    cluster_subset,
    normalize,
)
from diarization.embedding import SpeakerEmbedder
from diarization.export import locate_onnx, locate_segmentation_onnx
from diarization.segmentation import (
    SegmentationOptions,
    Segmenter,
    add_overlap_turns,
    diarize_overlap,
    resegment,
    single_voice_windows,
)
from diarization.turns import SpeakerTurn, merge_adjacent, speaker_label
from diarization.vad import DIARIZATION_VAD, clean_regions, speech_regions
from models import ModelStore

SAMPLE_RATE = 16_000
METHODS = ("windows+segmentation", "windows+overlap", "segmentation", "windows")


@dataclass(frozen=True)
class DiarizationOptions:
    """Tunable parameters of the diarizer (data, not code)."""

    window: float = 1.0  # seconds of audio per embedding
    hop: float = 0.5  # seconds between window starts
    min_region: float = 0.25  # speech regions shorter than this get no window of their own
    min_turn: float = 0.3  # a shorter turn between two turns of one speaker takes that speaker
    vad_threshold: float = 0.5  # Silero speech probability (own VAD, when no regions are given)
    clustering: ClusteringOptions = field(default_factory=ClusteringOptions)
    enrolment_threshold: float = 0.45  # cosine above which a cluster is an enrolled voice
    # "windows+segmentation": 1 s windows for who speaks, segmentation-3.0 for where speech is,
    # and where a second voice overlaps (only its one-voice windows are clustered);
    # "windows+overlap": the former default, windows for speech and who, segmentation-3.0 for
    # overlap only; "segmentation": the pyannote 3.x recipe (segmentation-3.0 + CAM++ per local
    # speaker); "windows": one speaker at a time (diarization/segmentation.py, benchmark)
    method: str = "windows+segmentation"
    segmentation: SegmentationOptions = field(default_factory=SegmentationOptions)


@dataclass
class Diarization:
    """The full result: turns, plus what callers need to name speakers afterwards."""

    turns: list[SpeakerTurn]
    centroids: dict[str, np.ndarray]  # label -> unit-norm mean embedding
    regions: list[tuple[float, float]]

    @property
    def speakers(self) -> list[str]:
        return list(self.centroids)


class Diarizer:
    """Speaker diarization on CPU with onnxruntime; load once, call :meth:`diarize` many times.

    Raises :class:`models.ModelError` at construction when the ONNX export is missing or
    corrupt, naming the file and the fix (``asr-service models install``).
    """

    def __init__(
        self,
        store: ModelStore | None = None,
        *,
        options: DiarizationOptions | None = None,
        threads: int = 0,
    ):
        self.store = store or ModelStore()
        self.options = options or DiarizationOptions()
        if self.options.method not in METHODS:
            raise ValueError(
                f"diarization method must be one of {', '.join(METHODS)}, "
                f"not {self.options.method!r}"
            )
        # both exports located before either is loaded: a missing one fails without a session
        embedding_onnx = locate_onnx(self.store)
        segmentation_onnx = (
            locate_segmentation_onnx(self.store) if self.options.method != "windows" else None
        )
        self.embedder = SpeakerEmbedder(embedding_onnx, threads=threads)
        self.segmenter = (
            Segmenter(segmentation_onnx, threads=threads) if segmentation_onnx else None
        )
        self.voiceprints: dict[str, np.ndarray] = {}

    # -- public API ------------------------------------------------------------------------------
    def diarize(
        self,
        audio: np.ndarray,
        *,
        speech_regions: list[tuple[float, float]] | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
        num_speakers: int | None = None,
    ) -> list[SpeakerTurn]:
        """Speaker turns of 16 kHz mono float32 audio, labelled SPEAKER_00.. by first speech.

        ``speech_regions`` (seconds) skips the diarizer's own VAD, e.g. to reuse the ASR's
        (not with the ``segmentation`` method, which finds speech itself). Turns of different
        speakers overlap where their voices do (every method but ``windows``).
        ``num_speakers`` fixes the count; otherwise it is estimated within
        ``[min_speakers, max_speakers]``.
        """
        return self.run(
            audio,
            speech_regions=speech_regions,
            min_speakers=min_speakers,
            max_speakers=max_speakers,
            num_speakers=num_speakers,
        ).turns

    def run(
        self,
        audio: np.ndarray,
        *,
        speech_regions: list[tuple[float, float]] | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
        num_speakers: int | None = None,
    ) -> Diarization:
        """Like :meth:`diarize`, returning speaker centroids and speech regions as well."""
        audio = _check_audio(audio)
        _check_counts(min_speakers, max_speakers, num_speakers)
        duration = len(audio) / SAMPLE_RATE
        if self.options.method == "segmentation":
            turns, centroids = diarize_overlap(
                audio,
                self.segmenter,
                self.embedder,
                num_speakers=num_speakers,
                min_speakers=min_speakers,
                max_speakers=max_speakers,
                options=self.options.segmentation,
            )
            speech = merge_adjacent(SpeakerTurn(t.start, t.end, "") for t in turns)
            return Diarization(turns, centroids, [(t.start, t.end) for t in speech])
        regions = self._vad(audio) if speech_regions is None else speech_regions
        regions = clean_regions(regions, duration)
        usable = [(s, e) for s, e in regions if e - s >= self.options.min_region]
        if not usable:
            return Diarization([], {}, regions)

        windows = [self._windows(s, e) for s, e in usable]
        embeddings = self.embedder.embed_windows(audio, usable, windows)
        seg = self.options.segmentation
        local = (
            self.segmenter(audio, seg.overlap_step, seg.batch)
            if self.segmenter is not None
            else None
        )
        counts = {
            "num_speakers": num_speakers,
            "min_speakers": min_speakers,
            "max_speakers": max_speakers,
        }
        resegmenting = local is not None and self.options.method == "windows+segmentation"
        if resegmenting:
            flat = [w for region_windows in windows for w in region_windows]
            single = single_voice_windows(local, flat, duration, seg.single_fraction)
            labels = cluster_subset(embeddings, single, options=self.options.clustering, **counts)
        else:
            labels = cluster_embeddings(embeddings, options=self.options.clustering, **counts)
        turns = self._turns(usable, windows, labels)
        turns = self._absorb_short_regions(turns, regions)
        centroids = {
            speaker_label(k): normalize(embeddings[labels == k].mean(0, keepdims=True))[0]
            for k in range(int(labels.max()) + 1)
        }
        if resegmenting:
            turns = resegment(turns, local, duration, seg)  # speech the windows missed, overlap
        elif local is not None:  # windows+overlap: a second voice where two speak
            turns = add_overlap_turns(turns, local, duration, seg)
        return Diarization(turns, centroids, regions)

    def embed(self, audio: np.ndarray) -> np.ndarray:
        """A unit-norm voiceprint of a clip of one speaker (its speech only)."""
        audio = _check_audio(audio)
        regions = clean_regions(self._vad(audio), len(audio) / SAMPLE_RATE)
        speech = np.concatenate(
            [audio[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)] for s, e in regions] or [audio]
        )
        vector = self.embedder.embed_clip(speech)
        return vector / (np.linalg.norm(vector) + 1e-9)

    def voiceprints_of(self, clips: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Voiceprints of named participants from clips of their voice (nothing is stored)."""
        prints = {}
        for name, clip in clips.items():
            try:
                prints[name] = self.embed(clip)
            except ValueError as exc:
                raise ValueError(f"enrolment clip of {name!r}: {exc}") from exc
        return prints

    def enrol(self, clips: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Remember voiceprints of named participants; :meth:`identify` then uses them.

        A diarizer shared between requests should rather pass :meth:`voiceprints_of` results
        to :meth:`identify` explicitly.
        """
        prints = self.voiceprints_of(clips)
        self.voiceprints.update(prints)
        return prints

    def identify(
        self, result: Diarization, voiceprints: dict[str, np.ndarray] | None = None
    ) -> dict[str, str]:
        """``{label: name}`` for clusters matching an enrolled voice (one name per cluster).

        Pairs are taken most similar first; a pair below ``enrolment_threshold`` cosine is not
        a match, so unknown voices keep their anonymous label. ``voiceprints`` defaults to the
        ones remembered by :meth:`enrol`.
        """
        prints = self.voiceprints if voiceprints is None else voiceprints
        if not prints or not result.centroids:
            return {}
        labels, names = list(result.centroids), list(prints)
        sim = (
            np.stack([result.centroids[k] for k in labels]) @ np.stack([prints[n] for n in names]).T
        )
        mapping: dict[str, str] = {}
        for flat in np.argsort(-sim, axis=None):
            i, j = np.unravel_index(flat, sim.shape)
            if sim[i, j] < self.options.enrolment_threshold:
                break
            if labels[i] in mapping or names[j] in mapping.values():
                continue
            mapping[labels[i]] = names[j]
        return mapping

    # -- internals -------------------------------------------------------------------------------
    def _vad(self, audio: np.ndarray) -> list[tuple[float, float]]:
        options = replace(DIARIZATION_VAD, threshold=self.options.vad_threshold)
        return speech_regions(audio, options)

    def _windows(self, start: float, end: float) -> list[tuple[float, float]]:
        """Windows of ``window`` s every ``hop`` s covering ``[start, end]`` (last one flush)."""
        size, hop = self.options.window, self.options.hop
        if end - start <= size:
            return [(start, end)]
        out = []
        t = start
        while t + size < end:
            out.append((t, t + size))
            t += hop
        out.append((end - size, end))
        return out

    def _turns(self, regions, windows, labels: np.ndarray) -> list[SpeakerTurn]:
        """Turns from labelled windows: each window owns up to the middle of its overlaps."""
        turns: list[SpeakerTurn] = []
        index = 0
        for (r_start, r_end), region_windows in zip(regions, windows, strict=True):
            count = len(region_windows)
            region_labels = labels[index : index + count]
            index += count
            bounds = [r_start]
            for (_, prev_end), (next_start, _) in itertools.pairwise(region_windows):
                bounds.append((prev_end + next_start) / 2)
            bounds.append(r_end)
            spans = [
                SpeakerTurn(bounds[i], bounds[i + 1], speaker_label(int(region_labels[i])))
                for i in range(count)
            ]
            turns.extend(self._smooth(merge_adjacent(spans)))
        return merge_adjacent(turns, max_gap=0.0)

    def _smooth(self, turns: list[SpeakerTurn]) -> list[SpeakerTurn]:
        """A short turn between two turns of one speaker is given to that speaker."""
        out = list(turns)
        for i in range(1, len(out) - 1):
            if out[i].duration < self.options.min_turn and out[i - 1].speaker == out[i + 1].speaker:
                out[i] = SpeakerTurn(out[i].start, out[i].end, out[i - 1].speaker)
        return merge_adjacent(out)

    def _absorb_short_regions(self, turns, regions) -> list[SpeakerTurn]:
        """Speech regions too short for a window take the speaker of the nearest turn."""
        if not turns:
            return turns
        extra = []
        covered = [(t.start, t.end) for t in turns]
        for start, end in regions:
            if end - start >= self.options.min_region:
                continue
            if any(s <= start and end <= e for s, e in covered):
                continue
            mid = (start + end) / 2
            nearest = min(
                turns,
                key=lambda t: (
                    0.0 if t.start <= mid <= t.end else min(abs(t.start - mid), abs(t.end - mid))
                ),
            )
            extra.append(SpeakerTurn(start, end, nearest.speaker))
        return merge_adjacent(turns + extra)


def _check_audio(audio: np.ndarray) -> np.ndarray:
    """16 kHz mono float32 audio, or ValueError naming what is wrong."""
    audio = np.asarray(audio)
    if audio.ndim != 1:
        raise ValueError(f"diarization needs mono audio (1-D array), got shape {audio.shape}")
    if not np.issubdtype(audio.dtype, np.floating):
        raise ValueError(f"diarization needs float audio in [-1, 1], got dtype {audio.dtype}")
    audio = audio.astype(np.float32, copy=False)
    if not np.isfinite(audio).all():
        raise ValueError("audio contains NaN or infinite samples")
    return audio


def _check_counts(min_speakers, max_speakers, num_speakers) -> None:
    for name, value in [
        ("min_speakers", min_speakers),
        ("max_speakers", max_speakers),
        ("num_speakers", num_speakers),
    ]:
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    if min_speakers and max_speakers and min_speakers > max_speakers:
        raise ValueError(f"min_speakers ({min_speakers}) > max_speakers ({max_speakers})")
