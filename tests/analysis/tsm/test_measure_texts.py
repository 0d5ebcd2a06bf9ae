"""Measure keys read from categories equal the text of every row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.frames.values import as_texts as _texts


def test_texts_of_a_category_equal_astype_str_of_every_row() -> None:
    values = ["tp01", "tp02", None, "tp01", "1.0", "ŵ", "tp02"] * 4
    column = pd.Series(values, dtype="category").cat.add_categories(["unused"])
    expected = column.astype(str).to_numpy()
    actual = _texts(column)
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert (pd.isna(got) and pd.isna(want)) or got == want
    numbers = pd.Series([1, 2, 3], dtype="category")
    assert list(_texts(numbers)) == ["1", "2", "3"]
    plain = pd.Series(["a", "b"], dtype=object)
    assert np.array_equal(_texts(plain), plain.astype(str).to_numpy())
