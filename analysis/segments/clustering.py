"""Segmentation by communication preference: k-means on weighted, standardised features.

Why k-means (evidence in docs/analysis.md): on the synthetic population it recovers the
planted segments as well as a Gaussian mixture or k-prototypes, is deterministic for a seed,
and clusters 100,000 tenants in seconds; its centroids make matching to the previous run
and explaining each segment simple.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans  # type: ignore[import-untyped]
from sklearn.metrics import pairwise_distances, silhouette_score  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped,unused-ignore]

from analysis.segments.contact import CHANNELS
from analysis.segments.features import DIGITAL, STATED_CHANNELS, TIMES

K_RANGE = (3, 6)
MIN_SHARE = 0.05  # a segment smaller than this share of tenants is too small to act on
MIN_SIZE_FLOOR = 10
SILHOUETTE_SAMPLE = 4000
FIT_SAMPLE = 20_000
NO_REPLY_MINUTES = 7 * 24 * 60.0  # "no reply seen" sits beyond the slowest replies
BANDS = ("morning", "afternoon", "evening", "weekend", "night")

# Each group of columns gets this total weight, shared among its columns, so a block of
# one-hot columns does not outvote a single measure. Tuned on the synthetic population.
WEIGHTS = {
    "channel": 2.0,
    "engagement": 1.0,
    "speed": 1.75,
    "pace": 1.5,
    "timing": 1.75,
    "stated_channel": 1.0,
    "stated_times": 0.5,
    "language": 0.5,
    "digital": 0.75,
    "age": 0.75,
    "needs": 0.5,
}


class NotEnoughTenants(Exception):
    """Too few tenants with enough data to make segments, said in a sentence."""


@dataclass(frozen=True)
class Design:
    matrix: np.ndarray  # standardised, weighted; one row per segmented tenant
    columns: list[str]
    groups: dict[str, str]  # column -> group
    index: pd.Index  # respondent ids of the rows


@dataclass
class Clustering:
    labels: np.ndarray  # 0..k-1 per row, largest segment first
    centroids: np.ndarray
    k: int
    criterion: str  # "silhouette" or "fixed"
    scores: dict[int, float] = field(default_factory=dict)
    merged: int = 0  # clusters folded into their nearest neighbour for being too small


def model_columns(features: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The tenant features the model sees, gaps filled, before scaling."""
    columns: dict[str, pd.Series] = {}
    groups: dict[str, str] = {}

    def add(name: str, group: str, values: pd.Series, fill: float | None = None) -> None:
        numbers = pd.to_numeric(values, errors="coerce").astype(np.float64)
        mean = float(numbers.mean()) if numbers.notna().any() else 0.0
        columns[name] = numbers.fillna(mean if fill is None else fill)
        groups[name] = group

    # Channels answered on, as shares of answered sessions. Response rates per channel are
    # left out: most tenants have not been tried on every channel, and filling those gaps
    # added noise that lowered recovery on the synthetic population (docs/analysis.md).
    overall = features["response_rate"].astype(np.float64)
    for channel in CHANNELS:
        add(f"reply_share_{channel}", "channel", features[f"reply_share_{channel}"], 0.0)
    add("response_rate", "engagement", overall)
    add("completion_after_reply", "engagement", features["completion_after_reply"])
    latency = features["first_reply_minutes"].astype(np.float64).fillna(NO_REPLY_MINUTES)
    add("log_first_reply_minutes", "speed", pd.Series(np.log1p(latency), features.index))
    pace = np.log1p(features["reply_seconds"].astype(np.float64))
    add("log_reply_seconds", "pace", pd.Series(pace, features.index))
    # Weekday daytime, evenings (and night) and weekends: the windows campaigns can use.
    bands = {
        "daytime": features["replies_morning"] + features["replies_afternoon"],
        "evening": features["replies_evening"] + features["replies_night"],
        "weekend": features["replies_weekend"],
    }
    for band, share in bands.items():
        add(f"replies_{band}", "timing", share)
    stated = features["stated_channel"]
    for option in STATED_CHANNELS:
        add(f"stated_{option}", "stated_channel", (stated == option).astype(float).where(
            stated.notna()))  # fmt: skip
    for time in TIMES:
        add(f"stated_{time}", "stated_times", features[f"stated_{time}"].astype("Float64"))
    language = features["language"]
    for name, test in (("en", language == "en"), ("cy", language == "cy"),
                       ("other", ~language.isin(["en", "cy"]))):  # fmt: skip
        add(f"language_{name}", "language", test.astype(float).where(language.notna()))
    for option in DIGITAL:
        add(f"digital_{option}", "digital", features[f"digital_{option}"].astype("Float64"))
    add("age_order", "age", features["age_order"])
    add("has_communication_need", "needs", features["has_communication_need"].astype("Float64"))
    return pd.DataFrame(columns, index=features.index), groups


def design(features: pd.DataFrame) -> Design:
    """Standardise every column, then weight each group (WEIGHTS) across its columns."""
    raw, groups = model_columns(features)
    values = raw.to_numpy(dtype=np.float64)
    if len(values) == 0:
        return Design(values, list(raw.columns), groups, raw.index)
    std = values.std(axis=0)
    scaled = (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)
    sizes = pd.Series(groups).value_counts()
    weights = np.array([WEIGHTS[groups[c]] / math.sqrt(sizes[groups[c]]) for c in raw.columns])
    return Design(scaled * weights, list(raw.columns), groups, raw.index)


def min_size_for(count: int, min_size: int | None) -> int:
    return min_size if min_size is not None else max(MIN_SIZE_FLOOR, math.ceil(MIN_SHARE * count))


def cluster(
    data: Design,
    *,
    seed: int,
    k: int | None = None,
    k_range: tuple[int, int] = K_RANGE,
    min_size: int | None = None,
) -> Clustering:
    """Fit k-means for each k (or the fixed one) and keep the best silhouette whose segments
    all reach the minimum size; segments still too small are merged into their neighbours."""
    # One thread: k-means on tens of thousands of rows gains little from more, and OpenMP
    # threads competing with other work on a small machine made it up to ten times slower.
    with threadpool_limits(limits=1):
        return _cluster(data, seed=seed, k=k, k_range=k_range, min_size=min_size)


def _cluster(
    data: Design, *, seed: int, k: int | None, k_range: tuple[int, int], min_size: int | None
) -> Clustering:
    count = len(data.index)
    smallest = min_size_for(count, min_size)
    candidates = [k] if k is not None else list(range(k_range[0], k_range[1] + 1))
    # A fixed k is always fitted (segments too small are merged afterwards); chosen ks must
    # leave room for every segment to reach the minimum size.
    feasible = candidates if k is not None else [n for n in candidates if n * smallest <= count]
    if not feasible or count < max(smallest, *feasible):
        needed = min(candidates) * smallest
        raise NotEnoughTenants(
            f"Only {count} tenants have enough data to segment; {needed} are needed for "
            f"{min(candidates)} segments of at least {smallest} tenants. Add data, or lower "
            "the minimum segment size."
        )
    rng = np.random.default_rng(seed)
    # k is chosen on a seeded sample (plenty to tell 3 to 6 segments apart); the chosen
    # centres then seed one fit on everyone, so 100,000 tenants cost little more than 20,000.
    fitting = np.sort(rng.choice(count, size=min(count, FIT_SAMPLE), replace=False))
    scoring = rng.choice(len(fitting), size=min(len(fitting), SILHOUETTE_SAMPLE), replace=False)
    part = data.matrix[fitting]
    fits: dict[int, KMeans] = {}
    scores: dict[int, float] = {}
    # Every k is scored on the same sample: its distances are computed once, not per k.
    distances = pairwise_distances(part[scoring]) if len(feasible) > 1 else None
    for n in feasible:
        model = KMeans(n_clusters=n, n_init=4, random_state=seed).fit(part)
        fits[n] = model
        labels = model.labels_[scoring]
        distinct = len(np.unique(labels))
        scores[n] = _silhouette(part[scoring], distances, labels) if distinct > 1 else -1.0
    share = len(fitting) / count
    big_enough = [n for n in feasible if np.bincount(fits[n].labels_).min() >= smallest * share]
    pool = big_enough or feasible
    best = max(pool, key=lambda n: (scores[n], -n))
    final = fits[best]
    if len(fitting) < count:
        final = KMeans(n_clusters=best, init=final.cluster_centers_, n_init=1,
                       random_state=seed).fit(data.matrix)  # fmt: skip
    labels, merged = _merge_small(data.matrix, final.labels_.copy(), smallest)
    labels, centroids = _ordered(data.matrix, labels)
    return Clustering(
        labels, centroids, int(centroids.shape[0]), "fixed" if k is not None else "silhouette",
        scores, merged,
    )  # fmt: skip


def _silhouette(sample: np.ndarray, distances: np.ndarray | None, labels: np.ndarray) -> float:
    if distances is None:
        return float(silhouette_score(sample, labels))
    return float(silhouette_score(distances, labels, metric="precomputed"))


def _merge_small(matrix: np.ndarray, labels: np.ndarray, smallest: int) -> tuple[np.ndarray, int]:
    merged = 0
    while True:
        sizes = np.bincount(labels)
        present = np.flatnonzero(sizes)
        small = [c for c in present if sizes[c] < smallest]
        if not small or len(present) <= 1:
            return labels, merged
        victim = min(small, key=lambda c: (sizes[c], c))
        others = [c for c in present if c != victim]
        centroids = np.stack([matrix[labels == c].mean(axis=0) for c in others])
        members = labels == victim
        distances = ((matrix[members][:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        labels[members] = np.array(others)[distances.argmin(axis=1)]
        merged += 1


def _ordered(matrix: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber clusters largest first (ties by centroid), so numbering is reproducible."""
    present = np.unique(labels)
    centroids = {c: matrix[labels == c].mean(axis=0) for c in present}
    order = sorted(present, key=lambda c: (-int((labels == c).sum()), tuple(centroids[c])))
    mapping = np.zeros(labels.max() + 1, dtype=np.int64)
    for new, old in enumerate(order):
        mapping[old] = new
    return mapping[labels], np.stack([centroids[c] for c in order])
