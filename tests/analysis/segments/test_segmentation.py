"""Segmentation: recovers planted segments, keeps its labels, explains and advises."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import func, select

from analysis.segments.clustering import NotEnoughTenants, cluster, design
from analysis.segments.evaluation import planted_truth
from analysis.segments.features import tenant_features
from analysis.segments.portraits import is_neutral
from analysis.segments.run import SegmentOptions, run_segmentation
from analysis.segments.store import (
    NOT_ENOUGH_CODE,
    RECOMMENDED_CHANNEL,
    RECOMMENDED_TIME,
    membership_history,
)
from bot.storage.db import Database
from bot.storage.models import ProfileAttribute, Respondent
from tests.support.demo import DATA_SEED, Demo

LATER = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def recovery(database: Database, members: pd.DataFrame) -> float:
    with database.engine.connect() as connection:
        refs = dict(connection.execute(select(Respondent.id, Respondent.tenant_ref)).all())
    segmented = members[members["code"] != NOT_ENOUGH_CODE]
    frame = pd.DataFrame({"tenant_ref": segmented.index.map(refs)}, index=segmented.index)
    return float(adjusted_rand_score(planted_truth(frame, DATA_SEED), segmented["code"]))


def current_profile(database: Database, name: str) -> pd.DataFrame:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(ProfileAttribute.respondent_id, ProfileAttribute.value, ProfileAttribute.source)
            .where(ProfileAttribute.name == name, ProfileAttribute.superseded_at.is_(None))
        ).all()  # fmt: skip
    return pd.DataFrame(rows, columns=["respondent_id", "value", "source"]).set_index(
        "respondent_id"
    )


def test_recovers_planted_segments_and_keeps_labels_when_data_is_added(
    database: Database, demo: Demo
) -> None:
    # Acceptance: ARI >= 0.8 on the planted population, and the same labels after new
    # tenants and new rounds of replies arrive.
    demo(1000, rounds=10)
    first = run_segmentation(database, SegmentOptions(seed=42))
    assert first.k == 5 and first.criterion == "silhouette"
    assert recovery(database, first.members) >= 0.8
    labels = {s.code: s.label for s in first.segments}
    assert all(is_neutral(label) for label in labels.values())
    assert len(set(labels.values())) == len(labels)

    demo(1200, rounds=12)
    second = run_segmentation(database, SegmentOptions(seed=42), now=LATER)
    assert recovery(database, second.members) >= 0.8
    assert {s.code: s.label for s in second.segments} == labels
    assert all(s.matched for s in second.segments)
    # Planted groups keep their segment: the majority label of each is unchanged.
    both = first.members.merge(
        second.members, left_index=True, right_index=True, suffixes=("", "_second")
    )
    both = both[both["code"] != NOT_ENOUGH_CODE]
    kept = (both["code"] == both["code_second"]).mean()
    assert kept > 0.9

    # Membership history: one row per tenant per run, moves visible between runs.
    with database.engine.connect() as connection:
        history = membership_history(connection)
    assert set(history["run_id"]) == {first.run_id, second.run_id}
    per_tenant = history.groupby("respondent_id").size()
    assert per_tenant.max() == 2 and (per_tenant == 1).sum() == 200  # the new tenants
    assert int(second.moved.to_numpy().sum()) == 1000
    assert second.moved.loc["Not enough data yet"].sum() > 0  # some have replied since
    # The movements counted in the database are the crosstab of the two runs' labels.
    labels_by_run = history.pivot(index="respondent_id", columns="run_id", values="label")
    both_runs = labels_by_run.dropna()
    crosstab = pd.crosstab(both_runs[first.run_id], both_runs[second.run_id])
    expected = crosstab.rename_axis(index="previous segment", columns="this run")
    pd.testing.assert_frame_equal(second.moved, expected, check_exact=True)

    # Recommendations were written back and only changed values were rewritten.
    channels = current_profile(database, RECOMMENDED_CHANNEL)
    segmented = second.members.index[second.members["code"] != NOT_ENOUGH_CODE]
    assert set(segmented) <= set(channels.index)
    assert set(channels["value"]) <= {"sms", "telegram", "webchat", "phone", "letter"}
    assert (
        channels["source"]
        .isin([f"segmentation:{first.run_id}", f"segmentation:{second.run_id}"])
        .all()
    )
    times = current_profile(database, RECOMMENDED_TIME)
    assert {"window", "days", "start", "end"} <= set(times["value"].iloc[0])


def test_the_same_seed_gives_the_same_segments(database: Database, demo: Demo) -> None:
    demo(400, rounds=8)
    with database.engine.connect() as connection:
        features = tenant_features(connection)
    data = design(features[features["enough_data"]])
    one, two = cluster(data, seed=3), cluster(data, seed=3)
    assert np.array_equal(one.labels, two.labels) and one.scores == two.scores
    first = run_segmentation(database, SegmentOptions(seed=3, write_back=False))
    second = run_segmentation(database, SegmentOptions(seed=3, write_back=False))
    pd.testing.assert_frame_equal(first.members, second.members)


def test_tenants_with_too_little_data_wait_in_their_own_group(
    database: Database, demo: Demo
) -> None:
    demo(400, rounds=8)
    result = run_segmentation(database, SegmentOptions(write_back=False))
    with database.engine.connect() as connection:
        features = tenant_features(connection)
    waiting = result.members.index[result.members["code"] == NOT_ENOUGH_CODE]
    assert len(waiting) == result.not_enough_data > 0
    assert set(waiting) == set(features.index[~features["enough_data"]])
    quiet = features.loc[waiting]
    assert ((quiet["reached"] < 2) | (quiet["replied"] == 0)).all()
    assert quiet["stated_channel"].isna().all()
    assert (result.members.loc[waiting, "label"] == "Not enough data yet").all()
    # They get no recommendation until they have replied.
    advised = current_profile(database, RECOMMENDED_CHANNEL)
    assert advised.empty


def test_segments_respect_the_minimum_size(database: Database, demo: Demo) -> None:
    demo(400, rounds=8)
    with database.engine.connect() as connection:
        features = tenant_features(connection)
    data = design(features[features["enough_data"]])
    smallest = len(data.index) // 5
    result = cluster(data, seed=42, k=6, min_size=smallest)
    sizes = np.bincount(result.labels)
    assert sizes.min() >= smallest and result.merged >= 1 and result.k == len(sizes) < 6
    automatic = cluster(data, seed=42, min_size=smallest)
    assert np.bincount(automatic.labels).min() >= smallest
    with pytest.raises(NotEnoughTenants, match=r"Only \d+ tenants have enough data"):
        cluster(data, seed=42, min_size=len(data.index))


def test_write_back_supersedes_old_recommendations(database: Database, demo: Demo) -> None:
    demo(300, rounds=8)
    first = run_segmentation(database, SegmentOptions(seed=1))
    assert first.profile_changes > 0
    again = run_segmentation(database, SegmentOptions(seed=1), now=LATER)
    assert again.profile_changes == 0  # nothing changed, nothing rewritten
    with database.engine.connect() as connection:
        per_tenant = connection.execute(
            select(ProfileAttribute.respondent_id, func.count())
            .where(ProfileAttribute.name == RECOMMENDED_CHANNEL,
                   ProfileAttribute.superseded_at.is_(None))
            .group_by(ProfileAttribute.respondent_id)
        ).all()  # fmt: skip
    assert per_tenant and all(count == 1 for _respondent, count in per_tenant)


def test_too_few_tenants_is_a_sentence(database: Database, demo: Demo) -> None:
    demo(12, rounds=3)
    with pytest.raises(NotEnoughTenants, match="enough data to segment"):
        run_segmentation(database)
