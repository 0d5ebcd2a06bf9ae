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


def test_group_labels_equal_the_text_of_every_response() -> None:
    """Breakdown groups labelled per distinct group: the same categories and codes as the
    text of every response with "not known" for missing ones."""
    from analysis.tsm.measures import _group_labels, _sorted_category

    values = ["social_rent", None, "shared", "social_rent", 1, "1", np.nan, "ŵ", "Zed"] * 3
    for groups in (
        pd.Series(values, dtype=object, index=range(5, 5 + len(values))),
        pd.Series([v for v in values if isinstance(v, str) or v is None], dtype="category"),
        pd.Series([v for v in values if isinstance(v, str) or v is None], dtype="string"),
    ):
        texts = groups.astype(object).where(groups.notna(), "not known").astype(str)
        expected = _sorted_category(texts)
        actual = _group_labels(groups)
        assert list(actual.index) == list(groups.index)
        assert list(actual.cat.categories) == list(expected.categories)
        assert np.array_equal(actual.cat.codes.to_numpy(), expected.codes)
