"""Words instead of codes, and the headline's largest changes since the previous report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.report.headline import changes, headline, previous_measures
from analysis.words import Words


def test_codes_become_words() -> None:
    words = Words()
    assert words.value("sms") == words.value("sms", "channel") == "SMS"
    assert words.value("webchat") == "Web chat"
    assert words.value("shared_ownership", "tenure") == "Low-cost home ownership (LCHO)"
    assert words.value("age_band", "attribute") == "Age band"
    assert words.value(float("nan")) == "" and words.value(None) == ""
    assert words.value(True) == "Yes" and words.value(False) == "No"
    assert words.value("some_new_code") == "Some new code"
    shown = words.frame(pd.DataFrame({
        "breakdown": ["channel", "tenure"], "group": ["telegram", "low_cost_rental"],
        "met": pd.array([True, pd.NA], dtype="boolean"), "achieved_margin_points": [1.0, 2.0],
    }), {"group": "breakdown"})  # fmt: skip
    assert list(shown.columns) == ["Breakdown", "Group", "Met", "Accuracy achieved (± points)"]
    assert shown["Group"].tolist() == ["Telegram", "Low-cost rental (LCRA)"]
    assert shown["Met"].tolist() == ["Yes", ""]


def _measures(percents: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({
        "measure": list(percents), "breakdown": "overall", "group": "all tenants",
        "percent": list(percents.values()), "ci_low": 50.0, "ci_high": 70.0,
    })  # fmt: skip


def test_largest_changes_since_the_previous_report(tmp_path: Path) -> None:
    assert previous_measures(tmp_path) is None
    _measures({"TP01": 60.0, "TP02": 70.0, "TP03": 50.0, "TP04": 40.0}).to_csv(
        tmp_path / "tsm_measures.csv", index=False
    )
    previous = previous_measures(tmp_path)
    now = _measures({"TP01": 62.0, "TP02": 61.0, "TP03": 50.0, "TP04": 45.5})
    assert changes(previous, now) == [("TP02", 70.0, 61.0), ("TP04", 40.0, 45.5),
                                      ("TP01", 60.0, 62.0)]  # fmt: skip
    sample = pd.DataFrame({"group": ["all tenants"], "achieved": [120], "required": [169],
                           "met": [False]})  # fmt: skip
    head = headline(sample, now, damp_open=3, previous=previous)
    assert (head.achieved, head.required, head.met, head.tp01) == (120, 169, False, 62.0)
    assert head.damp_open == 3 and head.previous_found
