"""Multiple-choice profile values become the same flags whether decoded per row or once."""

from __future__ import annotations

import json

import pandas as pd

from analysis.segments.features import _multi_flags

NAMES = {1: "morning", 2: "afternoon", 3: "evening"}


def _per_row_reference(profile: pd.DataFrame, name: str) -> pd.DataFrame:
    """Every stored value decoded on its own (how the flags were first computed)."""
    rows = profile[profile["name"] == name]
    options: list[tuple[int, str]] = []
    for respondent_id, raw in zip(rows["respondent_id"], rows["value_json"], strict=True):
        value = json.loads(raw) if isinstance(raw, str) else None
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                options.append((respondent_id, item))
            elif isinstance(item, int) and not isinstance(item, bool):
                options.append((respondent_id, NAMES.get(item, str(item))))
    chosen = pd.DataFrame(options, columns=["respondent_id", "option"])
    counts = chosen.groupby(["respondent_id", "option"]).size().unstack("option", fill_value=0)
    return counts > 0


def test_flags_decoded_once_per_distinct_value_equal_the_per_row_flags() -> None:
    values = ['["morning", "evening"]', "[1, 3]", '"weekend"', "2", "true", "null", None,
              "[7]", '["evening", 1]', "[1, 3]", '["morning", "evening"]', "[]"]  # fmt: skip
    profile = pd.DataFrame({
        "respondent_id": range(100, 100 + 3 * len(values)),
        "name": ["preferred_times"] * (2 * len(values)) + ["digital_access"] * len(values),
        "value_json": pd.Series(values * 3, dtype=object),
    })  # fmt: skip
    flags = _multi_flags(profile, "preferred_times", NAMES)
    pd.testing.assert_frame_equal(flags, _per_row_reference(profile, "preferred_times"))
    assert list(flags.columns) == ["7", "afternoon", "evening", "morning", "weekend"]
    assert flags.loc[101].tolist() == [False, False, True, True, False]
    assert _multi_flags(profile[profile["name"] == "none"], "preferred_times", NAMES).empty
