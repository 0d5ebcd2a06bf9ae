"""Rim weights against a hand-raked fixture, and key drivers finding a planted driver."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.tsm.drivers import key_drivers, shapley_r2
from analysis.tsm.weighting import effective_size, rake, respondent_weights, weighted_measures

# Tenant base: 100 tenants, tenure 80 LCRA / 20 LCHO, area 60 North / 40 South, age unknown.
# Sample: 20 respondents, 10 per tenure and, within each, 5 North and 5 South, so one pass
# of raking is exact and the weights are, by hand, (tenure share / 0.5) x (area share / 0.5):
#   LCRA North 1.6 x 1.2 = 1.92, LCRA South 1.6 x 0.8 = 1.28,
#   LCHO North 0.4 x 1.2 = 0.48, LCHO South 0.4 x 0.8 = 0.32 (mean 1, none trimmed).
# TP01 satisfied: LCRA North 4/5, LCRA South 2/5, LCHO North 1/5, LCHO South 0/5.
# Weighted: (4 x 1.92 + 2 x 1.28 + 1 x 0.48) / 20 = 10.72 / 20 = 53.6% (unweighted 35%).
# Effective n = 20² / (5 x (1.92² + 1.28² + 0.48² + 0.32²)) = 400 / 28.288 = 14.14.
CELLS = [
    ("low_cost_rental", "North", 4, 1.92), ("low_cost_rental", "South", 2, 1.28),
    ("shared_ownership", "North", 1, 0.48), ("shared_ownership", "South", 0, 0.32),
]  # fmt: skip


def _base() -> pd.DataFrame:
    tenure = ["low_cost_rental"] * 80 + ["shared_ownership"] * 20
    area = ["North"] * 48 + ["South"] * 32 + ["North"] * 12 + ["South"] * 8
    index = pd.Index(range(1, 101), name="respondent_id")
    return pd.DataFrame({"tenure": tenure, "area": area, "age_band": pd.NA}, index=index)


def _sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tenants as in the base, the TP01 responses of the 20 respondents 1001-1020)."""
    people, answers = [], []
    respondent = 1000
    for tenure, area, satisfied, _weight in CELLS:
        for k in range(5):
            respondent += 1
            people.append({"respondent_id": respondent, "tenure": tenure, "area": area,
                           "age_band": pd.NA})  # fmt: skip
            answers.append({"respondent_id": respondent, "measure": "TP01",
                            "positive": k < satisfied, "excluded": False})  # fmt: skip
    tenants = pd.concat([_base(), pd.DataFrame(people).set_index("respondent_id")])
    return tenants, pd.DataFrame(answers)


def test_weighted_tp01_against_a_hand_raked_fixture() -> None:
    tenants, responses = _sample()
    base = tenants.loc[1:100]
    respondents = pd.Index(responses["respondent_id"])
    weights = rake(tenants.loc[respondents], {
        "tenure": base["tenure"].value_counts(normalize=True),
        "area": base["area"].value_counts(normalize=True),
    })  # fmt: skip
    expected = [w for *_, w in CELLS for _ in range(5)]
    assert np.allclose(weights.to_numpy(), expected, atol=1e-6)
    assert math.isclose(effective_size(weights), 400 / 28.288, abs_tol=0.01)
    unweighted = pd.DataFrame({"measure": ["TP01"], "breakdown": ["overall"], "percent": [35.0]})
    table = weighted_measures(responses, weights, unweighted).iloc[0]
    assert abs(table["weighted_percent"] - 53.6) < 0.1
    assert table["percent"] == 35.0 and table["valid"] == 20
    assert math.isclose(table["design_effect"], 20 / (400 / 28.288), abs_tol=0.01)
    # Through the tenant base itself (age band unknown everywhere: a margin of one group).
    whole = respondent_weights(tenants.loc[1:100], pd.Index([]))
    assert whole.empty


def test_weights_are_trimmed() -> None:
    # One LCHO respondent among 50 LCRA, LCHO being half the base: a weight of ~25 untrimmed.
    tenants = pd.DataFrame({"tenure": ["a"] * 50 + ["b"], "area": "x"})
    weights = rake(tenants, {"tenure": pd.Series({"a": 0.5, "b": 0.5})})
    assert weights.max() / weights.mean() <= 3.0 + 1e-6
    assert math.isclose(weights.mean(), 1.0)


def _synthetic(planted: str, n: int = 500, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    scores = {f"TP{k:02d}": np.clip(np.round(3 + rng.normal(size=n)), 1, 5)
              for k in range(2, 13)}  # fmt: skip
    noise = 0.6 * rng.normal(size=n)
    scores["TP01"] = np.clip(np.round(3 + 1.1 * (scores[planted] - 3) + noise), 1, 5)
    rows = [{"respondent_id": i, "measure": m, "code": int(6 - v[i]), "excluded": False}
            for m, v in scores.items() for i in range(n)]  # fmt: skip
    return pd.DataFrame(rows)


def test_key_drivers_rank_a_planted_driver_first() -> None:
    for planted in ("TP06", "TP10"):
        drivers = key_drivers(_synthetic(planted), rounds=30)
        assert drivers.iloc[0]["measure"] == planted
        assert drivers.iloc[0]["importance_low"] > drivers.iloc[1]["importance_high"]
        assert math.isclose(drivers["importance"].sum(), 100.0)


def test_shapley_values_add_up_to_r_squared() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "TP01"])
    frame["TP01"] += frame["a"] + 0.5 * frame["b"]
    values = shapley_r2(frame, ["a", "b"])
    x = np.column_stack([np.ones(200), frame[["a", "b"]].to_numpy()])
    fitted = x @ np.linalg.lstsq(x, frame["TP01"].to_numpy(), rcond=None)[0]
    r2 = (
        1
        - ((frame["TP01"] - fitted) ** 2).sum()
        / ((frame["TP01"] - frame["TP01"].mean()) ** 2).sum()
    )
    assert math.isclose(values.sum(), r2, abs_tol=1e-6) and values["a"] > values["b"]
