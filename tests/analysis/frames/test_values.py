"""Decoding answer values column-wise gives what parsing every value gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.frames.values import decode_values, explode_codes, join_in_order, joined_by_rank

RAW = ["1", "2", "1", " 3 ", "null", "2.5", "-0.125", "1e3", "12345678901", "007", "x1",
       '"text"', '"caf\\u00e9"', "[1, 2]", "true", "false", None, "", "4", "1"]  # fmt: skip


def test_numbers_equal_to_numeric_of_every_value() -> None:
    raw = pd.Series(RAW * 50, dtype=object, index=range(10, 10 + 50 * len(RAW)))
    decoded = decode_values(raw)
    text = raw.astype("string").str.strip()
    plain = ~(text.str.startswith("[").fillna(False).astype(bool)
              | text.str.startswith('"').fillna(False).astype(bool)
              | text.isin(["true", "false"]).fillna(False).astype(bool))  # fmt: skip
    expected = pd.to_numeric(text.where(plain), errors="coerce").astype("Float64")
    pd.testing.assert_series_equal(decoded["number"], expected, check_names=False)
    assert decoded["number"].iloc[:4].tolist() == [1.0, 2.0, 1.0, 3.0]
    assert decoded["text"].iloc[12] == "café" and bool(decoded["flag"].iloc[14])


def test_flags_and_texts_equal_to_assigning_them_by_index() -> None:
    raw = pd.Series(RAW * 3, dtype=object, index=range(5, 5 + 3 * len(RAW)))
    decoded = decode_values(raw)
    text = raw.astype("string").str.strip()
    is_bool = text.isin(["true", "false"]).fillna(False).astype(bool)
    flag = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    flag[is_bool] = text[is_bool] == "true"
    pd.testing.assert_series_equal(decoded["flag"], flag, check_names=False)
    quoted = text.str.startswith('"').fillna(False).astype(bool)
    strings = pd.Series(pd.NA, index=raw.index, dtype="string")
    strings[quoted] = text[quoted].str.slice(1, -1)
    strings[text.str.contains("\\", regex=False).fillna(False).astype(bool)] = "café"  # json
    pd.testing.assert_series_equal(decoded["text"], strings, check_names=False)


def _explode_reference(raw: pd.Series) -> pd.DataFrame:
    """The pandas formulation explode_codes replaced (each list split into Python lists)."""
    text = raw.astype("string").str.strip()
    lists = text[text.str.startswith("[").fillna(False).astype(bool)]
    parts = lists.str.strip("[]").str.split(",").explode()
    codes = pd.to_numeric(parts.str.strip(), errors="coerce")
    keep = codes.notna()
    return pd.DataFrame({"row": parts.index[keep.to_numpy()],
                         "code": codes[keep].astype(np.int64).to_numpy()})  # fmt: skip


def test_exploded_codes_equal_to_splitting_each_list() -> None:
    raw = pd.Series(
        ["[1, 2]", "[]", None, "3", "[4,5 ,6]", '["a", 7]', "[ 8 ]", "[1.0, 2]", "[-1]", "[ ]"],
        index=[10, 3, 4, 7, 8, 1, 2, 30, 31, 40], dtype=object,
    )  # fmt: skip
    for values in (raw, raw.iloc[:0], raw.iloc[[3]]):
        pd.testing.assert_frame_equal(explode_codes(values), _explode_reference(values))
    assert explode_codes(raw)["code"].tolist() == [1, 2, 4, 5, 6, 7, 8, 1, 2, -1]


def test_joined_in_order_whether_rows_are_together_or_not() -> None:
    generator = np.random.default_rng(3)
    keys = generator.permutation(np.arange(0, 6000, 3))
    rows = np.repeat(keys, generator.integers(1, 4, len(keys)))  # each key's rows together
    names = [f"option {n}" for n in generator.integers(0, 9, len(rows))]
    together = pd.DataFrame({"row": rows, "choice": names})
    apart = together.sample(frac=1, random_state=1)
    for frame in (together, apart, pd.DataFrame({"row": [5, 2, 5], "choice": ["a", "b", "c"]})):
        expected = joined_by_rank(frame, "row", "choice")
        pd.testing.assert_series_equal(join_in_order(frame, "row", "choice"), expected)
