"""Clustering speaker embeddings into speakers, with an automatic speaker count.

Spectral clustering after 3D-Speaker (itself adapted from SpeechBrain): cosine affinity, each row
pruned to its strongest neighbours, unnormalised graph Laplacian, speaker count from the largest
eigengap (within ``min``/``max``; optionally, of the two largest, the count whose clusters have
the better silhouette), k-means on the leading eigenvectors. Clusters too small to be a
speaker are absorbed by the nearest one, and clusters whose centroids are very similar are merged.
Too few windows for a graph (short recordings) go to average-linkage agglomerative clustering
(scipy) with a cosine threshold instead.

Memory stays bounded on long meetings: beyond ``chunk_size`` windows the embeddings are clustered
in contiguous chunks (each a dense ``chunk_size``² affinity at most) and the chunk clusters are
then linked by agglomerative clustering of their centroids.

numpy's dense eigensolver, a small k-means and scipy's hierarchical clustering.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage


@dataclass(frozen=True)
class ClusteringOptions:
    """Parameters of speaker clustering (data, so benchmarks can vary them)."""

    pval: float = 0.012  # fraction of each affinity row kept (strongest neighbours)
    min_pnum: int = 6  # ...but never fewer than this many neighbours
    max_speakers: int = 15  # upper bound of the automatic count
    min_cluster_size: int = 4  # windows; smaller clusters are absorbed by the nearest one
    merge_threshold: float = 0.8  # cosine of centroids above which two clusters are one speaker
    ahc_threshold: float = 0.2  # cosine linkage threshold for short recordings
    # automatic count: the count of the largest eigengap (1), or the counts of the largest
    # eigengaps (at least 2 speakers) compared, the best cosine silhouette winning (2: tuning
    # files better, held-out French better but English worse, see docs/diarization.md)
    count_candidates: int = 1
    candidate_gap: float = 0.7  # a gap is compared only if at least this fraction of the largest
    min_spectral_windows: int = 20  # below this, agglomerative clustering
    chunk_size: int = 2000  # windows per dense affinity (memory: chunk_size² floats)


def normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (cosine similarity becomes a dot product)."""
    return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-9)


def kmeans(x: np.ndarray, k: int, *, n_init: int = 10, iters: int = 100, seed: int = 0):
    """Labels of Lloyd's k-means with k-means++ seeding, best of ``n_init`` runs (deterministic)."""
    n = len(x)
    if k >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    best_labels, best_inertia = np.zeros(n, dtype=int), np.inf
    for _ in range(n_init):
        centres = [x[rng.integers(n)]]
        for _ in range(1, k):
            d2 = np.min(((x[:, None, :] - np.asarray(centres)[None]) ** 2).sum(-1), axis=1)
            total = d2.sum()
            probs = d2 / total if total > 0 else np.full(n, 1.0 / n)
            centres.append(x[rng.choice(n, p=probs)])
        c = np.asarray(centres)
        labels = np.zeros(n, dtype=int)
        for _ in range(iters):
            dist = ((x[:, None, :] - c[None]) ** 2).sum(-1)
            new = dist.argmin(1)
            if _ and np.array_equal(new, labels):
                break
            labels = new
            for j in range(k):
                members = x[labels == j]
                if len(members):
                    c[j] = members.mean(0)
        inertia = float(((x - c[labels]) ** 2).sum())
        if inertia < best_inertia:
            best_labels, best_inertia = labels.copy(), inertia
    return best_labels


def spectral_labels(
    x: np.ndarray,
    *,
    k: int | None,
    min_k: int,
    max_k: int,
    options: ClusteringOptions,
) -> np.ndarray:
    """Spectral clustering of unit-norm embeddings ``x``.

    When ``k`` is None, the count comes from the eigengaps: of the ``count_candidates`` largest
    (each at least ``candidate_gap`` of the largest), the count whose k-means clusters, minor
    ones absorbed, have the best cosine silhouette (with one candidate, the largest gap's).
    The largest gap alone moves by one or two speakers either way in noise (tuning files: 6
    speakers found as 4 under babble, 2 as 3). A largest gap at one speaker is kept as it is
    (a silhouette needs two clusters).
    """
    n = len(x)
    affinity = x @ x.T
    keep = max(options.min_pnum, int(round(options.pval * n)))
    keep = min(keep, n)
    if keep < n:
        threshold = np.partition(affinity, n - keep, axis=1)[:, n - keep][:, None]
        affinity = np.where(affinity >= threshold, affinity, 0.0)
    affinity = 0.5 * (affinity + affinity.T)
    np.fill_diagonal(affinity, 0.0)
    laplacian = np.diag(np.abs(affinity).sum(1)) - affinity
    eigvals, eigvecs = np.linalg.eigh(laplacian)
    if k is not None:
        return kmeans(eigvecs[:, :k], k)
    hi = min(max_k, n - 1)
    gaps = np.diff(eigvals[min_k - 1 : hi + 1])
    if not len(gaps):
        return kmeans(eigvecs[:, :min_k], min_k)
    ranked = np.argsort(-gaps, kind="stable") + min_k
    if ranked[0] == 1 or options.count_candidates <= 1:  # one speaker: no silhouette to compare
        return kmeans(eigvecs[:, : ranked[0]], int(ranked[0]))
    close = gaps[ranked - min_k] >= options.candidate_gap * gaps.max()
    similarity = x @ x.T
    best, best_score = np.zeros(n, dtype=int), -np.inf
    for count in sorted(int(c) for c in ranked[close & (ranked >= 2)][: options.count_candidates]):
        labels = kmeans(eigvecs[:, :count], count)
        score = silhouette(similarity, absorb_minor(x, labels, options.min_cluster_size))
        if score > best_score:
            best, best_score = labels, score
    return best


def silhouette(similarity: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of ``labels`` with cosine distance (``1 - similarity``); 0 for one cluster.

    Per row: (b - a) / max(a, b), a = mean distance to the rest of its cluster, b = mean
    distance to the nearest other cluster (0 for a cluster of one row).
    """
    ids, index = np.unique(labels, return_inverse=True)
    if len(ids) < 2:
        return 0.0
    sums = (1.0 - similarity) @ np.eye(len(ids))[index]  # (rows, clusters) distance sums
    sizes = np.bincount(index).astype(float)
    rows = np.arange(len(labels))
    own = sums[rows, index] / np.maximum(sizes[index] - 1, 1)
    other = sums / sizes
    other[rows, index] = np.inf
    nearest = other.min(1)
    value = (nearest - own) / np.maximum(np.maximum(own, nearest), 1e-9)
    return float(np.where(sizes[index] > 1, value, 0.0).mean())


def ahc_labels(x: np.ndarray, *, threshold: float, k: int | None = None) -> np.ndarray:
    """Average-linkage agglomerative clustering on cosine similarity (scipy's ``linkage``).

    Cuts the tree at ``k`` clusters, or (``k`` None) where no two clusters are more similar than
    ``threshold`` on average (cosine distance ``1 - threshold``).
    """
    n = len(x)
    if n < 2:
        return np.zeros(n, dtype=int)
    tree = linkage(np.asarray(x, dtype=np.float64), method="average", metric="cosine")
    if k is not None:
        labels = fcluster(tree, t=min(k, n), criterion="maxclust")
    else:
        labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    return labels.astype(int) - 1


def _centroids(x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = np.unique(labels)
    return ids, normalize(np.stack([x[labels == i].mean(0) for i in ids]))


def absorb_minor(x: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Windows of clusters smaller than ``min_size`` reassigned to the nearest larger cluster."""
    ids, counts = np.unique(labels, return_counts=True)
    major = ids[counts >= min_size]
    if len(major) == 0:  # nothing large enough: keep the largest cluster(s) only
        major = ids[counts == counts.max()]
    if len(major) == len(ids):
        return labels
    centres = normalize(np.stack([x[labels == m].mean(0) for m in major]))
    out = labels.copy()
    minor = ~np.isin(labels, major)
    out[minor] = major[(x[minor] @ centres.T).argmax(1)]
    return out


def merge_similar(x: np.ndarray, labels: np.ndarray, threshold: float, min_k: int = 1):
    """Clusters whose centroids have cosine above ``threshold`` merged, most similar first."""
    labels = labels.copy()
    while True:
        ids, centres = _centroids(x, labels)
        if len(ids) <= max(1, min_k):
            return labels
        sim = np.triu(centres @ centres.T, 1)
        sim[np.tril_indices(len(ids))] = -np.inf
        i, j = np.unravel_index(np.argmax(sim), sim.shape)
        if sim[i, j] < threshold:
            return labels
        labels[labels == ids[j]] = ids[i]


def cluster_embeddings(
    embeddings: np.ndarray,
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    options: ClusteringOptions | None = None,
) -> np.ndarray:
    """Speaker index (0..k-1, in order of first window) of each embedding row."""
    options = options or ClusteringOptions()
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    x = normalize(np.asarray(embeddings, dtype=np.float64))
    min_k = max(1, min_speakers or 1)
    max_k = max(min_k, max_speakers or options.max_speakers)
    if num_speakers is not None:
        min_k = max_k = num_speakers
    k = num_speakers

    if n == 1:
        labels = np.zeros(1, dtype=int)
    elif n < options.min_spectral_windows:
        labels = ahc_labels(x, threshold=options.ahc_threshold, k=k)
        labels = _bound_count(x, labels, min_k, max_k)
    elif n <= options.chunk_size:
        labels = spectral_labels(x, k=k, min_k=min_k, max_k=max_k, options=options)
        labels = _post_process(x, labels, k, min_k, options)
    else:
        labels = _chunked(x, k=k, min_k=min_k, max_k=max_k, options=options)
    return _first_appearance(labels)


def cluster_subset(
    embeddings: np.ndarray,
    chosen: np.ndarray,
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    options: ClusteringOptions | None = None,
) -> np.ndarray:
    """Like :func:`cluster_embeddings`, clustering only the ``chosen`` rows (e.g. windows of one
    voice: mixtures of two voices, or of a voice and a pause, blur the speaker count); the
    other rows then take the cluster of the nearest centroid. Fewer than half the rows, or
    fewer than ``min_spectral_windows``, chosen: all rows are clustered."""
    options = options or ClusteringOptions()
    chosen = np.asarray(chosen, dtype=bool)
    counts = {"num_speakers": num_speakers, "min_speakers": min_speakers}
    counts["max_speakers"] = max_speakers
    n = len(embeddings)
    if chosen.all() or chosen.sum() < max(options.min_spectral_windows, n / 2):
        return cluster_embeddings(embeddings, options=options, **counts)
    x = normalize(np.asarray(embeddings, dtype=np.float64))
    # each window keeps as many neighbours as among all the windows: fewer would split the
    # graph of a speaker into pieces on long recordings (measured: 13 speakers found as 15)
    options = replace(options, pval=options.pval * n / chosen.sum())
    part = cluster_embeddings(x[chosen], options=options, **counts)
    _, centres = _centroids(x[chosen], part)
    labels = np.empty(n, dtype=int)
    labels[chosen] = part
    labels[~chosen] = (x[~chosen] @ centres.T).argmax(1)
    return _first_appearance(labels)


def _post_process(x, labels, k, min_k, options) -> np.ndarray:
    labels = absorb_minor(x, labels, options.min_cluster_size)
    if k is None:
        labels = merge_similar(x, labels, options.merge_threshold, min_k)
    return labels


def _bound_count(x: np.ndarray, labels: np.ndarray, min_k: int, max_k: int) -> np.ndarray:
    """Re-run agglomerative clustering to a fixed count when outside ``[min_k, max_k]``."""
    count = len(np.unique(labels))
    if count > max_k:
        return ahc_labels(x, threshold=0.0, k=max_k)
    if count < min_k:
        return ahc_labels(x, threshold=0.0, k=min(min_k, len(x)))
    return labels


def _chunked(x, *, k, min_k, max_k, options) -> np.ndarray:
    """Cluster contiguous chunks separately, then link chunk clusters by their centroids."""
    n = len(x)
    chunks = int(np.ceil(n / options.chunk_size))
    bounds = np.linspace(0, n, chunks + 1).astype(int)
    local = np.zeros(n, dtype=int)
    next_id = 0
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        part = x[a:b]
        lab = spectral_labels(part, k=None, min_k=1, max_k=max_k, options=options)
        lab = absorb_minor(part, lab, options.min_cluster_size)
        _, lab = np.unique(lab, return_inverse=True)
        local[a:b] = lab + next_id
        next_id += lab.max() + 1
    ids, centres = _centroids(x, local)
    linked = ahc_labels(centres, threshold=options.merge_threshold - 0.1, k=k)
    linked = _bound_count(centres, linked, min_k, max_k)
    mapping = dict(zip(ids, linked, strict=True))
    return np.array([mapping[i] for i in local])


def _first_appearance(labels: np.ndarray) -> np.ndarray:
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(int(label), len(order))
    return np.array([order[int(label)] for label in labels], dtype=int)
