"""One segmentation run, end to end: features, clusters, portraits, labels matched to the
previous run, memberships, and recommendations written back to tenants' profiles."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.frames.catalog import load_catalog
from analysis.frames.sql import reading
from analysis.segments.clustering import K_RANGE, WEIGHTS, Clustering, cluster, design, min_size_for
from analysis.segments.features import MIN_CONTACTS, tenant_features
from analysis.segments.portraits import CHANNEL_TITLES, Description, describe, label_for
from analysis.segments.store import (
    NOT_ENOUGH_CODE,
    NOT_ENOUGH_LABEL,
    PreviousRun,
    match_segments,
    movements,
    previous_run,
    save_run,
    write_recommendations,
)
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.db import Database
from bot.storage.models import utcnow

Step = Callable[[str], None]


@dataclass(frozen=True)
class SegmentOptions:
    seed: int = 42
    k: int | None = None  # fixed by the analyst; otherwise chosen in K_RANGE
    min_size: int | None = None  # default: 5% of segmented tenants, at least 10
    min_contacts: int = MIN_CONTACTS
    write_back: bool = True


@dataclass
class SegmentSummary:
    code: str
    label: str
    size: int
    portrait: list[str]
    channel: str | None
    window: dict[str, str] | None
    matched: bool


@dataclass
class RunResult:
    run_id: int
    tenants: int
    segmented: int
    not_enough_data: int
    k: int
    criterion: str
    scores: dict[int, float]
    merged: int
    segments: list[SegmentSummary]
    profile_changes: int
    moved: pd.DataFrame = field(default_factory=pd.DataFrame)
    members: pd.DataFrame = field(default_factory=pd.DataFrame)  # respondent -> code, label


def run_segmentation(
    database: Database,
    options: SegmentOptions | None = None,
    *,
    registry: QuestionnaireRegistry | None = None,
    step: Step | None = None,
    now: datetime.datetime | None = None,
) -> RunResult:
    options = options or SegmentOptions()
    say = step or (lambda _message: None)
    moment = now or utcnow()
    say("Reading tenants, messages and profiles")
    with reading(database) as connection:
        catalog = load_catalog(connection, registry=registry)
        features = tenant_features(connection, catalog=catalog, min_contacts=options.min_contacts)
        previous = previous_run(connection)
    ready = features[features["enough_data"]]
    say(f"Clustering {len(ready):,} tenants")
    data = design(ready)
    clustering = cluster(data, seed=options.seed, k=options.k, min_size=options.min_size)
    clusters = pd.Series(clustering.labels, index=data.index)
    say("Describing segments and matching them to the previous run")
    descriptions = {n: describe(ready[clusters == n], ready) for n in range(clustering.k)}
    codes, labels, matched = _name(descriptions, clusters, previous)
    segments = _segment_rows(descriptions, codes, labels, clustering, previous, features)
    members = pd.DataFrame(index=features.index)
    members["code"] = NOT_ENOUGH_CODE
    members.loc[clusters.index, "code"] = clusters.map(codes).to_numpy()
    members["label"] = members["code"].map({**labels, NOT_ENOUGH_CODE: NOT_ENOUGH_LABEL})
    say("Saving the run and every tenant's segment")
    with database.engine.begin() as connection:
        run_id, _ = save_run(
            connection, _run_row(options, clustering, features, ready, previous), segments,
            members, moment,
        )  # fmt: skip
        changes = 0
        if options.write_back:
            say("Writing recommended channels and times to tenants' profiles")
            advice = _advice(ready, clusters, descriptions)
            changes = write_recommendations(connection, advice, f"segmentation:{run_id}", moment)
        moved = movements(connection, run_id)
    summaries = [
        SegmentSummary(
            codes[n], labels[codes[n]], int((clusters == n).sum()), descriptions[n].portrait,
            descriptions[n].channel, descriptions[n].window, n in matched,
        )
        for n in range(clustering.k)
    ]  # fmt: skip
    return RunResult(
        run_id, len(features), len(ready), len(features) - len(ready), clustering.k,
        clustering.criterion, clustering.scores, clustering.merged, summaries, changes, moved,
        members,
    )  # fmt: skip


def _name(
    descriptions: dict[int, Description], clusters: pd.Series, previous: PreviousRun | None
) -> tuple[dict[int, str], dict[str, str], dict[int, str]]:
    """Codes and labels: inherited from the matched previous segment, new ones otherwise."""
    matched = match_segments(previous, clusters) if previous is not None else {}
    codes: dict[int, str] = {}
    labels: dict[str, str] = {}
    for n, code in matched.items():
        codes[n] = code
        assert previous is not None
        labels[code] = previous.labels[code]
    next_number = previous.highest_code if previous is not None else 0
    for n in sorted(descriptions):
        if n in codes:
            continue
        next_number += 1
        codes[n] = f"S{next_number}"
        labels[codes[n]] = _unique_label(descriptions[n], set(labels.values()))
    return codes, labels, matched


def _unique_label(description: Description, taken: set[str]) -> str:
    for detail in (1, 2):
        label = label_for(description.channel, description.window_name, description.summary,
                          detail)  # fmt: skip
        if label not in taken:
            return label
    number = 2
    while f"{label} ({number})" in taken:
        number += 1
    return f"{label} ({number})"


def _segment_rows(
    descriptions: dict[int, Description],
    codes: dict[int, str],
    labels: dict[str, str],
    clustering: Clustering,
    previous: PreviousRun | None,
    features: pd.DataFrame,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n, description in descriptions.items():
        code = codes[n]
        rows.append({
            "code": code, "label": labels[code], "not_enough_data": False,
            "size": description.summary["tenants"], "portrait": description.portrait,
            "summary": description.summary,
            "centroid": [round(float(v), 6) for v in clustering.centroids[n]],
            "recommended_channel": description.channel,
            "recommended_time": {"window": description.window_name, **description.window},
            "matched_segment_id": previous.segment_ids.get(code) if previous else None,
        })  # fmt: skip
    waiting = int((~features["enough_data"]).sum())
    rows.append({
        "code": NOT_ENOUGH_CODE, "label": NOT_ENOUGH_LABEL, "not_enough_data": True,
        "size": waiting, "portrait": [
            f"{waiting:,} tenants: reached fewer than twice or not replied yet, and no "
            "preferred channel told. They join a segment once they have replied."],
        "summary": {}, "centroid": [], "recommended_channel": None, "recommended_time": None,
        "matched_segment_id": previous.segment_ids.get(NOT_ENOUGH_CODE) if previous else None,
    })  # fmt: skip
    return rows


def _run_row(
    options: SegmentOptions,
    clustering: Clustering,
    features: pd.DataFrame,
    ready: pd.DataFrame,
    previous: PreviousRun | None,
) -> dict[str, object]:
    return {
        "method": "kmeans", "seed": options.seed, "k": clustering.k,
        "k_fixed": options.k is not None, "criterion": clustering.criterion,
        "scores": {str(k): round(v, 6) for k, v in clustering.scores.items()},
        "params": {
            "k_range": list(K_RANGE), "requested_k": options.k,
            "min_size": min_size_for(len(ready), options.min_size),
            "min_contacts": options.min_contacts, "weights": WEIGHTS,
            "merged_small_segments": clustering.merged,
        },
        "tenants": len(features), "segmented": len(ready),
        "not_enough_data": len(features) - len(ready),
        "previous_run_id": previous.run_id if previous else None,
    }  # fmt: skip


def _advice(
    ready: pd.DataFrame, clusters: pd.Series, descriptions: dict[int, Description]
) -> pd.DataFrame:
    """Per tenant: the segment's best channel the tenant can be reached on, and its window."""
    channel = pd.Series("letter", index=ready.index, dtype=object)
    window = pd.Series(None, index=ready.index, dtype=object)
    for n, description in descriptions.items():
        members = clusters.index[clusters.to_numpy() == n]
        chosen = np.full(len(members), "", dtype=object)
        for option in reversed(description.channel_ranking):
            if option in CHANNEL_TITLES and f"holds_{option}" in ready.columns:
                usable = ready.loc[members, f"holds_{option}"].to_numpy(dtype=bool)
            else:
                usable = np.ones(len(members), dtype=bool)  # phone, letter: always possible
            chosen = np.where(usable, option, chosen)
        chosen = np.where(chosen == "", "letter", chosen)
        channel.loc[members] = chosen
        value = {"window": description.window_name, **description.window}
        window.loc[members] = [value] * len(members)
    return pd.DataFrame({"channel": channel, "window": window})
