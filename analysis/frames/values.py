"""Stored answer values (JSON text) decoded a whole column at a time.

Answers are JSON: numbers (codes, scales, integers), booleans (yes/no), lists of codes
(select_multiple), strings (text, dates, decimals) or null (skipped).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd


def decode_values(raw: pd.Series) -> pd.DataFrame:
    """Split JSON text into typed columns: number, flag, text, and a list marker.

    Only string answers with an escape in them (a quote, a backslash, non-ASCII text) go
    through json.loads, one by one; a string without one is its text between the quotes,
    and every other kind is decoded with vectorised string and numeric operations.
    """
    text = raw.astype("string").str.strip()
    is_list = text.str.startswith("[").fillna(False).astype(bool)
    is_string = text.str.startswith('"').fillna(False).astype(bool)
    is_bool = text.isin(["true", "false"]).fillna(False).astype(bool)
    plain = ~(is_list | is_string | is_bool)
    number = _numbers(text.where(plain))
    # Built whole and masked, not assigned into by index (which aligns the two first).
    is_true = (text == "true").fillna(False).to_numpy(dtype=bool)
    flag = pd.Series(pd.arrays.BooleanArray(is_true, ~is_bool.to_numpy()), index=raw.index)
    strings = pd.Series(pd.NA, index=raw.index, dtype="string")
    if is_string.any():
        quoted = text[is_string]
        escaped = quoted.str.contains("\\", regex=False).fillna(False).astype(bool)
        strings = text.str.slice(1, -1).where(is_string)
        if escaped.any():
            strings[escaped[escaped].index] = pd.array(
                [json.loads(item) for item in quoted[escaped].tolist()], dtype="string"
            )
    return pd.DataFrame(
        {"number": number, "flag": flag, "text": strings, "is_list": is_list}, index=raw.index
    )


def _numbers(text: pd.Series) -> pd.Series:
    """`pd.to_numeric(text, errors="coerce")` as Float64, parsing each distinct text once:
    a million answers hold a few dozen different numbers, and parsing every one of them
    took a fifth of the time to label the answers."""
    codes, distinct = pd.factorize(text)
    parsed = pd.to_numeric(pd.Series(distinct), errors="coerce").astype("Float64").array
    return pd.Series(parsed.take(codes, allow_fill=True), index=text.index)


def explode_codes(raw: pd.Series) -> pd.DataFrame:
    """One row per chosen code of list values: columns `row` (the original index), `code`.

    The lists are split by Arrow (pandas split each into a Python list) and each distinct
    item is parsed once, as `_numbers` does; items that are not numbers are left out."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    text = raw.astype("string").str.strip()
    lists = text[text.str.startswith("[").fillna(False).astype(bool)]
    inner = pa.array(lists.str.strip("[]").to_numpy(dtype=object), type=pa.large_string())
    items = pc.split_pattern(inner, ",")
    parents = pc.list_parent_indices(items).to_numpy(zero_copy_only=False)
    flat = pd.Series(pc.utf8_trim_whitespace(pc.list_flatten(items)).to_numpy(zero_copy_only=False))
    codes, distinct = pd.factorize(flat)
    parsed = pd.to_numeric(pd.Series(distinct, dtype=object), errors="coerce").to_numpy()
    numbers = parsed[codes] if len(codes) else np.array([], dtype=np.float64)
    keep = ~pd.isna(numbers)
    return pd.DataFrame(
        {
            "row": lists.index[parents[keep]],
            "code": numbers[keep].astype(np.int64),
        }
    )


def join_in_order(frame: pd.DataFrame, key: str, value: str, sep: str = "; ") -> pd.Series:
    """Join `value` strings per `key` in row order (no per-group calls), indexed by the
    sorted keys. Rows of each key next to each other (lists exploded in order) are joined
    by Arrow in one call; otherwise one rank at a time."""
    if frame.empty:
        return pd.Series(dtype="string")
    together = _joined_together(frame, key, value, sep)
    if together is not None:
        return together
    return joined_by_rank(frame, key, value, sep)


def joined_by_rank(frame: pd.DataFrame, key: str, value: str, sep: str = "; ") -> pd.Series:
    """`join_in_order` one rank at a time: each key's first values, then its second, ..."""
    rank = frame.groupby(key, sort=False).cumcount()
    wide = frame.assign(_rank=rank.to_numpy()).pivot(index=key, columns="_rank", values=value)
    joined = wide[0].astype("string")
    for column in wide.columns[1:]:
        part = wide[column].astype("string")
        joined = joined.where(part.isna(), joined + sep + part)
    return joined


def _joined_together(frame: pd.DataFrame, key: str, value: str, sep: str) -> pd.Series | None:
    """`join_in_order` when each key's rows are consecutive and every value is a string;
    None otherwise. Named 0 like the rank-at-a-time join (its first rank's column)."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    keys = frame[key].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    values = frame[value].to_numpy(dtype=object)
    if (
        len(pd.unique(keys[starts])) != len(starts)
        or pd.api.types.infer_dtype(values, skipna=False) != "string"
    ):
        return None
    offsets = pa.array(np.append(starts, len(keys)), type=pa.int64())
    lists = pa.LargeListArray.from_arrays(offsets, pa.array(values, type=pa.large_string()))
    texts = pc.binary_join(lists, pa.scalar(sep, pa.large_string()))
    joined = pd.Series(texts, index=pd.Index(keys[starts], name=key), dtype="string", name=0)
    return joined.sort_index(kind="stable")


def as_texts(column: pd.Series) -> Any:
    """`column.astype(str)` as a text array, missing where a category is missing. For a
    categorical column the category names are converted once and taken per row by Arrow,
    so a million rows never become Python strings."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(str).array
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    codes = column.cat.codes.to_numpy()
    names = pa.array([str(name) for name in column.cat.categories], type=pa.large_string())
    taken = pc.take(names, pa.array(codes, mask=codes < 0))
    return pd.Series(taken, dtype="str", index=column.index).array
