"""Decoding answer values column-wise gives what parsing every value gives."""

from __future__ import annotations

import pandas as pd

from analysis.frames.values import decode_values

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
