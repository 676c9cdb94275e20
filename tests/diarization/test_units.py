"""Fast checks of the diarization building blocks (no model weights)."""

from __future__ import annotations

import numpy as np
import pytest

from asr_service.transcript import Segment, Transcript, Word
from diarization import SpeakerTurn, attribute_speakers, map_clusters_to_names
from diarization.clustering import ClusteringOptions, cluster_embeddings, normalize, silhouette
from diarization.fbank import fbank
from diarization.turns import merge_adjacent, relabel_by_first_appearance


def _numpy_fbank(audio: np.ndarray) -> np.ndarray:
    """The numpy Kaldi fbank the diarizer used before kaldi-native-fbank (issue 14), kept here
    as the reference the library must reproduce: Povey window, DC removal, 0.97 pre-emphasis,
    512-point power spectrum, 80 mel bins 20 Hz–Nyquist, log floored at float32 epsilon."""
    n_fft, length, shift, bins = 512, 400, 160, 80

    def mel(f):
        return 1127.0 * np.log(1.0 + np.asarray(f) / 700.0)

    lo, hi = mel(20.0), mel(8000.0)
    delta = (hi - lo) / (bins + 1)
    left = lo + np.arange(bins)[:, None] * delta
    centre, right = left + delta, left + 2 * delta
    mels = mel(np.arange(n_fft // 2) * 16_000 / n_fft)[None, :]
    banks = np.zeros((n_fft // 2 + 1, bins))
    banks[: n_fft // 2] = np.maximum(
        0.0, np.minimum((mels - left) / (centre - left), (right - mels) / (right - centre))
    ).T
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / (length - 1))) ** 0.85
    frames = np.lib.stride_tricks.sliding_window_view(audio.astype(np.float64), length)[::shift]
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames = (frames - 0.97 * np.concatenate([frames[:, :1], frames[:, :-1]], axis=1)) * window
    power = np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2
    return np.log(np.maximum(power @ banks, float(np.finfo(np.float32).eps))).astype(np.float32)


def test_fbank_matches_the_former_numpy_fbank() -> None:
    """kaldi-native-fbank gives the features the numpy implementation gave (to float precision),
    including across the blocks it is fed in and on a quiet stretch (the log floor)."""
    rng = np.random.default_rng(1)
    t = np.arange(16_000 * 2) / 16_000
    audio = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(len(t))).astype(
        np.float32
    )
    audio[:4000] *= 1e-3  # a quiet stretch exercises the log floor region
    expected = _numpy_fbank(audio)
    ours = fbank(audio, block_frames=37)  # odd block size: blocks must join seamlessly
    assert ours.shape == expected.shape == (198, 80)
    assert np.abs(ours - expected).max() < 1e-3
    assert np.array_equal(ours, fbank(audio))


def test_fbank_of_short_audio_is_empty() -> None:
    assert fbank(np.zeros(100, dtype=np.float32)).shape == (0, 80)
    with pytest.raises(ValueError, match="mono"):
        fbank(np.zeros((2, 800), dtype=np.float32))


def _blobs(sizes: list[int], seed: int = 0, spread: float = 0.35) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings around random directions, one direction per speaker, in speaking order."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(sizes), 192))
    x, y = [], []
    for k, n in enumerate(sizes):
        x.append(
            centres[k]
            + spread * np.linalg.norm(centres[k]) / np.sqrt(192) * rng.standard_normal((n, 192)) * 3
        )
        y += [k] * n
    return np.concatenate(x), np.array(y)


@pytest.mark.parametrize("sizes", [[60], [50, 40], [40, 30, 50, 25]])
def test_spectral_clustering_finds_the_speaker_count(sizes: list[int]) -> None:
    x, y = _blobs(sizes)
    labels = cluster_embeddings(x)
    assert len(set(labels)) == len(sizes)
    assert (labels == y).mean() > 0.97  # first-appearance labels equal the generating order


def test_silhouette_prefers_the_true_clusters() -> None:
    x, y = _blobs([30, 30, 30], seed=2)
    similarity = normalize(x) @ normalize(x).T
    assert silhouette(similarity, y) > 0.3
    assert silhouette(similarity, np.zeros(len(y), dtype=int)) == 0.0  # one cluster
    assert silhouette(similarity, np.arange(len(y)) % 3) < 0.05  # clusters that mix the voices
    assert silhouette(similarity, y) > silhouette(similarity, np.minimum(y, 1))  # two voices as one


def _in_babble(seed: int, sizes: list[int]) -> np.ndarray:
    """Windows of ``sizes`` voices, each with its own mixture of six shared background voices
    (the babble variant: every window carries part of the same few other voices)."""
    rng = np.random.default_rng(seed)
    voices, background = rng.standard_normal((len(sizes), 192)), rng.standard_normal((6, 192))
    parts = []
    for k, n in enumerate(sizes):
        mixture = np.sqrt(6) * rng.dirichlet(np.ones(6), n) @ background
        parts.append(voices[k] + 0.6 * rng.standard_normal((n, 192)) + mixture)
    return np.concatenate(parts)


def test_the_speaker_count_compares_the_two_largest_eigengaps() -> None:
    """Two voices over babble: the largest eigengap alone says 3 for some draws; of the two
    largest gaps' counts, the better-separated clusters (silhouette) give 2."""
    compared = ClusteringOptions(count_candidates=2)
    draws = [_in_babble(seed, [15, 15]) for seed in range(10)]
    found = [len(set(cluster_embeddings(x, options=compared))) for x in draws]
    before = [len(set(cluster_embeddings(x))) for x in draws]  # the default: largest gap alone
    assert found.count(2) >= 9
    assert found.count(2) > before.count(2)


def test_speaker_count_bounds_are_respected() -> None:
    x, _ = _blobs([40, 40, 40])
    assert len(set(cluster_embeddings(x, num_speakers=2))) == 2
    assert len(set(cluster_embeddings(x, max_speakers=2))) <= 2
    assert len(set(cluster_embeddings(x[:40], min_speakers=2))) >= 2


def test_chunked_clustering_links_speakers_across_chunks() -> None:
    """A long meeting clustered in chunks keeps one label per speaker over the whole recording."""
    x, y = _blobs([150, 150, 150], seed=3)
    order = np.random.default_rng(0).permutation(len(x))  # speakers alternate over time
    x, y = x[order], y[order]
    labels = cluster_embeddings(x, options=ClusteringOptions(chunk_size=100))
    assert len(set(labels)) == 3
    agreement = max((labels == perm[y]).mean() for perm in map(np.array, _permutations(3)))
    assert agreement > 0.97


def _permutations(n: int) -> list[list[int]]:
    from itertools import permutations

    return [list(p) for p in permutations(range(n))]


def test_few_windows_use_agglomerative_clustering() -> None:
    x, y = _blobs([6, 5], seed=5)
    labels = cluster_embeddings(x)
    assert list(labels) == list(y)


def _transcript() -> Transcript:
    words = [
        Word(start=0.0, end=0.4, word=" Bonjour"),
        Word(start=0.5, end=0.9, word=" à"),
        Word(start=1.0, end=1.5, word=" tous."),
        Word(start=2.0, end=2.4, word=" Merci"),
        Word(start=2.5, end=2.9, word=" beaucoup."),
    ]
    return Transcript(
        segments=[
            Segment(id=0, start=0.0, end=2.9, text="Bonjour à tous. Merci beaucoup.", words=words),
            Segment(id=1, start=3.5, end=4.0, text="Voilà.", words=[]),
        ]
    )


def test_attribution_splits_segments_at_speaker_changes() -> None:
    turns = [
        SpeakerTurn(0.0, 1.7, "SPEAKER_00"),
        SpeakerTurn(1.9, 3.0, "SPEAKER_01"),
        SpeakerTurn(3.4, 4.1, "SPEAKER_00"),
    ]
    out = attribute_speakers(_transcript(), turns, names={"SPEAKER_01": "Durand"})
    assert [(s.id, s.speaker, s.text) for s in out.segments] == [
        (0, "SPEAKER_00", "Bonjour à tous."),
        (1, "SPEAKER_01", "Merci beaucoup."),
        (2, "SPEAKER_00", "Voilà."),
    ]
    assert [(s.id, s.name) for s in out.speakers] == [
        ("SPEAKER_00", None),
        ("SPEAKER_01", "Durand"),
    ]
    assert out.segments[1].start == 2.0 and out.segments[1].end == 2.9
    assert all(w.speaker == "SPEAKER_01" for w in out.segments[1].words)
    assert _transcript().segments[0].speaker is None  # the input is not modified


def test_a_stray_word_does_not_split_a_segment() -> None:
    turns = [
        SpeakerTurn(0.0, 0.95, "SPEAKER_00"),
        SpeakerTurn(0.95, 1.2, "SPEAKER_01"),  # a blip over "tous."
        SpeakerTurn(1.2, 4.0, "SPEAKER_00"),
    ]
    out = attribute_speakers(_transcript(), turns)
    assert [s.speaker for s in out.segments] == ["SPEAKER_00", "SPEAKER_00"]
    assert out.segments[0].text == "Bonjour à tous. Merci beaucoup."
    assert [s.id for s in out.speakers] == ["SPEAKER_00"]


def test_words_outside_every_turn_take_the_nearest_speaker() -> None:
    out = attribute_speakers(_transcript(), [SpeakerTurn(3.0, 3.2, "SPEAKER_00")])
    assert {w.speaker for s in out.segments for w in s.words} == {"SPEAKER_00"}
    assert attribute_speakers(_transcript(), []).speakers == []


def test_clusters_mapped_to_backend_names_by_overlap() -> None:
    turns = [
        SpeakerTurn(0, 5, "SPEAKER_00"),
        SpeakerTurn(5, 9, "SPEAKER_01"),
        SpeakerTurn(9, 12, "SPEAKER_00"),
        SpeakerTurn(12, 12.2, "SPEAKER_02"),
    ]
    activity = {"Alice": [(5.2, 8.8)], "Bob": [(0.1, 4.9), (9.0, 11.0)], "Carol": [(20, 21)]}
    assert map_clusters_to_names(turns, activity) == {"SPEAKER_00": "Bob", "SPEAKER_01": "Alice"}


def test_turn_helpers() -> None:
    turns = [SpeakerTurn(2, 3, "b"), SpeakerTurn(0, 1, "a"), SpeakerTurn(1.05, 2, "a")]
    assert merge_adjacent(turns, max_gap=0.1) == [SpeakerTurn(0, 2, "a"), SpeakerTurn(2, 3, "b")]
    assert [t.speaker for t in relabel_by_first_appearance(turns)] == [
        "SPEAKER_00",
        "SPEAKER_00",
        "SPEAKER_01",
    ]


def _loop_ahc(x: np.ndarray, threshold: float, k: int | None) -> np.ndarray:
    """The Python average-linkage loop scipy's linkage replaced (issue 14), as the reference."""
    n = len(x)
    sim = (x @ x.T).astype(np.float64)
    np.fill_diagonal(sim, -np.inf)
    sizes = np.ones(n)
    labels = np.arange(n)
    clusters = n
    while clusters > 1:
        i, j = np.unravel_index(np.argmax(sim), sim.shape)
        if (k is None and sim[i, j] < threshold) or (k is not None and clusters <= k):
            break
        merged = (sim[i] * sizes[i] + sim[j] * sizes[j]) / (sizes[i] + sizes[j])
        sim[i], sim[:, i] = merged, merged
        sim[i, i] = -np.inf
        sim[j], sim[:, j] = -np.inf, -np.inf
        sizes[i] += sizes[j]
        labels[labels == j] = i
        clusters -= 1
    return labels


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a[:, None] == a[None, :], b[:, None] == b[None, :])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("threshold", "k"), [(0.2, None), (0.5, None), (0.0, 2), (0.0, 4)])
def test_scipy_linkage_matches_the_former_loop(seed: int, threshold: float, k: int | None) -> None:
    from diarization.clustering import ahc_labels, normalize

    x, _ = _blobs([7, 5, 4, 3], seed=seed, spread=0.6)
    x = normalize(x)
    ours = ahc_labels(x, threshold=threshold, k=k)
    assert _same_partition(ours, _loop_ahc(x, threshold, k))
