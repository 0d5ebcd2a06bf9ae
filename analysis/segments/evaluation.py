"""How well segmentation finds the planted segments of the synthetic population.

`python -m analysis.segments.evaluation --tenants 2000` builds a scratch SQLite database with demo
data and prints, for each candidate method, the adjusted Rand index against the planted
segments and the time taken: the evidence behind the method choice in docs/analysis.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans  # type: ignore[import-untyped]
from sklearn.metrics import adjusted_rand_score  # type: ignore[import-untyped]
from sklearn.mixture import GaussianMixture  # type: ignore[import-untyped]

from analysis.demo.data import create_demo_data
from analysis.demo.population import planted_segments
from analysis.frames.sql import reading
from analysis.segments.clustering import Design, cluster, design, model_columns
from analysis.segments.features import tenant_features
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import DEFAULT_QUESTIONNAIRES
from bot.storage.db import Database

Method = Callable[[Design, pd.DataFrame, int], np.ndarray]


def planted_truth(features: pd.DataFrame, seed: int) -> pd.Series:
    """The planted segment of each tenant in `features` (by tenant reference)."""
    refs = features["tenant_ref"].dropna().astype(str)
    highest = int(refs.str.removeprefix("DEMO-").astype(int).max()) if len(refs) else 0
    return features["tenant_ref"].map(planted_segments(seed, highest))


def recovery(database: Database, *, data_seed: int, seed: int = 42) -> tuple[float, int]:
    """(ARI against the planted segments, k chosen) for the shipped method."""
    with reading(database) as connection:
        features = tenant_features(connection)
    ready = features[features["enough_data"]]
    result = cluster(design(ready), seed=seed)
    score = adjusted_rand_score(planted_truth(ready, data_seed), result.labels)
    return float(score), result.k


def _kmeans(data: Design, _ready: pd.DataFrame, seed: int) -> np.ndarray:
    return cluster(data, seed=seed).labels


def _gaussian_mixture(data: Design, _ready: pd.DataFrame, seed: int) -> np.ndarray:
    fits = [
        GaussianMixture(k, covariance_type="diag", n_init=2, random_state=seed,
                        reg_covar=1e-3).fit(data.matrix)
        for k in range(3, 7)
    ]  # fmt: skip
    best = min(fits, key=lambda model: model.bic(data.matrix))
    return np.asarray(best.predict(data.matrix))


def _ward(data: Design, _ready: pd.DataFrame, seed: int) -> np.ndarray:
    # Ward needs the full distance matrix: fit on a sample, give others the nearest centre.
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(data.index), size=min(len(data.index), 4000), replace=False)
    labels = AgglomerativeClustering(n_clusters=5).fit_predict(data.matrix[sample])
    centres = np.stack([data.matrix[sample][labels == c].mean(axis=0) for c in range(5)])
    distances = ((data.matrix[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return np.asarray(distances.argmin(axis=1))


def _kmeans_unweighted(data: Design, ready: pd.DataFrame, seed: int) -> np.ndarray:
    raw, _groups = model_columns(ready)
    values = raw.to_numpy(dtype=np.float64)
    scaled = (values - values.mean(axis=0)) / np.where(values.std(axis=0) > 0, values.std(0), 1)
    return np.asarray(KMeans(5, n_init=4, random_state=seed).fit_predict(scaled))


def _kprototypes(data: Design, ready: pd.DataFrame, seed: int) -> np.ndarray:
    from kmodes.kprototypes import KPrototypes

    raw, groups = model_columns(ready)
    numeric = [c for c in raw.columns if groups[c] in ("channel", "engagement", "speed",
                                                        "timing", "age")]  # fmt: skip
    frame = raw[numeric].copy()
    frame = (frame - frame.mean()) / frame.std().replace(0, 1)
    for column in ("stated_channel", "language", "age_band"):
        frame[column] = ready[column].fillna("unknown").astype(str)
    categorical = [frame.columns.get_loc(c) for c in ("stated_channel", "language", "age_band")]
    model = KPrototypes(n_clusters=5, init="Cao", n_init=2, random_state=seed)
    return np.asarray(model.fit_predict(frame.to_numpy(dtype=object), categorical=categorical))


METHODS: dict[str, Method] = {
    "k-means, weighted groups, k by silhouette (shipped)": _kmeans,
    "k-means, unweighted, k=5 given": _kmeans_unweighted,
    "Gaussian mixture (diagonal), k by BIC": _gaussian_mixture,
    "Ward hierarchical, k=5 given": _ward,
    "k-prototypes (kmodes), k=5 given": _kprototypes,
}


def compare_methods(database: Database, *, data_seed: int, seed: int = 42) -> pd.DataFrame:
    with reading(database) as connection:
        features = tenant_features(connection)
    ready = features[features["enough_data"]]
    data = design(ready)
    truth = planted_truth(ready, data_seed)
    rows: list[dict[str, object]] = []
    for name, method in METHODS.items():
        started = time.perf_counter()
        try:
            labels = method(data, ready, seed)
        except ImportError:
            rows.append({"method": name, "k": None, "ari": None, "seconds": None})
            continue
        rows.append({
            "method": name, "k": len(np.unique(labels)),
            "ari": round(float(adjusted_rand_score(truth, labels)), 3),
            "seconds": round(time.perf_counter() - started, 2),
        })  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--data-seeds", type=int, nargs="+", default=[7])
    args = parser.parse_args()
    tables = []
    for data_seed in args.data_seeds:
        # A registry remembers version ids per database: one per scratch database.
        registry = QuestionnaireRegistry.from_directory(DEFAULT_QUESTIONNAIRES, "Demo")
        with tempfile.TemporaryDirectory() as folder:
            database = Database(f"sqlite:///{Path(folder) / 'evaluation.db'}")
            database.create_schema()
            create_demo_data(database, registry, tenants=args.tenants, rounds=args.rounds,
                             seed=data_seed)  # fmt: skip
            table = compare_methods(database, data_seed=data_seed)
            database.dispose()
        tables.append(table.assign(data_seed=data_seed))
    print(pd.concat(tables).to_string(index=False))


if __name__ == "__main__":
    main()
