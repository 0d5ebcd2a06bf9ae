"""A block of rows as SpreadsheetML (`<row>` elements), built a column at a time with Arrow.

Writing cell by cell through a spreadsheet library costs a few microseconds of Python per
cell (type checks, XML escaping, bookkeeping): 17 s for the 157,000 sessions of a large
post-repair export. Here each column becomes its cells' XML with Arrow's string kernels
(escaping, the formula guard, truncation, number formatting), the cells of a row are joined
element-wise, and Python only joins the finished rows of a block. Strings are inline
(`t="inlineStr"`), as a streaming writer must; times are Excel serial days in the date style.
Only columns holding mixed Python values (rare) fall back to one call per cell.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

from bot.spreadsheet import FORMULA_STARTS

MAX_TEXT = 32_767  # Excel's limit for one cell
DATE_STYLE = 1  # the cell format index of "yyyy-mm-dd hh:mm:ss" in the styles part
EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "ns")
NS_PER_DAY = 86_400 * 10**9
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f]"  # not allowed in XML 1.0, even escaped
GUARD = "^[" + "".join("\\" + c if c in "-^]\\" else c for c in FORMULA_STARTS) + "]"


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def dimension(rows: int, columns: int) -> str:
    """The sheet's used range, which readers use to know each row's width."""
    if rows == 0 or columns == 0:
        return '<dimension ref="A1"/>'
    return f'<dimension ref="A1:{column_letters(columns - 1)}{rows}"/>'


def rows_xml(frame: pd.DataFrame, first_row: int) -> str:
    """`<row>` elements for `frame`, the first numbered `first_row` (1-based, as in Excel)."""
    count = len(frame)
    if count == 0:
        return ""
    numbers = pc.cast(pa.array(np.arange(first_row, first_row + count)), pa.string())
    cells = [
        _column_cells(frame.iloc[:, position], column_letters(position), numbers)
        for position in range(frame.shape[1])
    ]
    opening = pc.binary_join_element_wise('<row r="', numbers, '">', "")
    joined = pc.binary_join_element_wise(opening, *cells, "</row>", "", null_handling="skip")
    return "".join(joined.to_pylist())


def _column_cells(values: pd.Series, letters: str, numbers: pa.Array) -> pa.Array:
    """Each cell's XML (null for a blank cell)."""
    reference = pc.binary_join_element_wise(f'<c r="{letters}', numbers, "")
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return _wrap(reference, f'" s="{DATE_STYLE}"><v>', _serial_days(values), "</v></c>")
    if pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(values, type=pa.bool_(), from_pandas=True)
        digits = pc.if_else(flags, "1", "0")
        return _wrap(reference, '" t="b"><v>', digits, "</v></c>")
    if pd.api.types.is_numeric_dtype(dtype):
        return _wrap(reference, '"><v>', _number_text(values), "</v></c>")
    present = values.dropna()
    if pd.api.types.infer_dtype(present, skipna=True) in ("string", "empty"):
        strings = pa.array(values, type=pa.string(), from_pandas=True)
        return _wrap(reference, '" t="inlineStr"><is><t xml:space="preserve">',
                     _text(strings), "</t></is></c>")  # fmt: skip
    refs = reference.to_pylist()
    return pa.array([_one_cell(ref, value) for ref, value in zip(refs, values, strict=True)],
                    type=pa.string())  # fmt: skip


def _wrap(reference: pa.Array, middle: str, value: pa.Array, closing: str) -> pa.Array:
    # emit_null: a missing value makes the whole cell null, so the row leaves it out.
    return pc.binary_join_element_wise(reference, middle, value, closing, "",
                                       null_handling="emit_null")  # fmt: skip


def _number_text(values: pd.Series) -> pa.Array:
    """Integers as integers, other numbers as their shortest round-trip text; NaN and
    infinities (which a cell cannot hold) as blanks."""
    if pd.api.types.is_integer_dtype(values.dtype):
        return pc.cast(pa.array(values, type=pa.int64(), from_pandas=True), pa.string())
    numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    return pc.cast(pa.array(numbers, mask=~np.isfinite(numbers)), pa.string())


def _serial_days(values: pd.Series) -> pa.Array:
    """Excel's serial day numbers (days since 1899-12-30) of naive UTC times."""
    times = pd.to_datetime(values)
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    nanoseconds = times.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(nanoseconds)
    days = (nanoseconds - EXCEL_EPOCH).astype(np.int64) / NS_PER_DAY
    return pc.cast(pa.array(days, mask=missing), pa.string())


def _text(strings: pa.Array) -> pa.Array:
    """Text cells: a formula start guarded with `'`, cut to Excel's limit, XML-escaped;
    an empty string is a blank cell."""
    strings = pc.if_else(pc.equal(strings, ""), pa.scalar(None, pa.string()), strings)
    guarded = pc.if_else(pc.match_substring_regex(strings, GUARD),
                         pc.binary_join_element_wise("'", strings, ""), strings)  # fmt: skip
    text = pc.utf8_slice_codeunits(guarded, 0, MAX_TEXT)
    text = pc.replace_substring_regex(text, CONTROL, "")
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, escaped)
    return text


def _escape(text: str) -> str:
    import re

    text = re.sub(CONTROL, "", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _one_cell(reference: str, value: Any) -> str | None:
    """One cell of a mixed column, by the Python type of its value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return f'{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return None
        text = str(int(value)) if isinstance(value, int | np.integer) else repr(number)
        return f'{reference}"><v>{text}</v></c>'
    if isinstance(value, datetime.datetime | pd.Timestamp):
        days = _serial_days(pd.Series([value])).to_pylist()[0]
        return f'{reference}" s="{DATE_STYLE}"><v>{days}</v></c>'
    text = str(value)
    if not text:
        return None
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return (f'{reference}" t="inlineStr"><is><t xml:space="preserve">'
            f"{_escape(text[:MAX_TEXT])}</t></is></c>")  # fmt: skip
