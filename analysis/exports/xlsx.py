"""XLSX exports in constant memory: rows stream to the file as they are written.

`xlsxwriter` in `constant_memory` mode flushes each row to a temporary file once the next
begins, so memory holds one row and one block of the frame, however many sessions there
are. Cells are prepared a block at a time with pandas (every text cell through
`bot.spreadsheet.neutralise`, missing values as blanks, numpy scalars as Python ones) and
written a row at a time. Strings are always written as strings: never read as formulas,
links or numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis.exports.table import ExportTable
from analysis.exports.writers import (
    CHUNK_ROWS,
    CODEBOOK_COLUMNS,
    Progress,
    codebook_rows,
    neutralised,
    text_columns,
)
from bot.spreadsheet import neutralise

OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,  # times are UTC; Excel has no time zones
    "default_date_format": "yyyy-mm-dd hh:mm:ss",
}
MAX_TEXT = 32_767  # Excel's limit for one cell


def _cells(part: pd.DataFrame) -> pd.DataFrame:
    """A block ready for xlsxwriter: neutralised text, Python scalars, None for missing."""
    safe = neutralised(part)
    cells = safe.astype(object).where(safe.notna(), None)
    for name in text_columns(safe):
        cells[name] = cells[name].map(_fit)
    return cells


def _fit(value: object) -> object:
    return value[:MAX_TEXT] if isinstance(value, str) else value


def write_xlsx(export: ExportTable, target: Path, progress: Progress | None = None) -> None:
    """Responses on the first sheet, the codebook on the second."""
    import xlsxwriter  # type: ignore[import-untyped]

    book = xlsxwriter.Workbook(str(target), OPTIONS)
    try:
        sheet = book.add_worksheet("responses")
        sheet.write_row(0, 0, [neutralise(name) for name in export.frame.columns])
        row = 1
        for start in range(0, len(export.frame), CHUNK_ROWS):
            part = _cells(export.frame.iloc[start : start + CHUNK_ROWS])
            for values in part.itertuples(index=False, name=None):
                sheet.write_row(row, 0, values)
                row += 1
            if progress is not None:
                progress(len(part))
        codebook = book.add_worksheet("codebook")
        codebook.write_row(0, 0, CODEBOOK_COLUMNS)
        for index, entry in enumerate(codebook_rows(export), start=1):
            codebook.write_row(index, 0, [_fit(neutralise(value)) for value in entry])
    finally:
        book.close()
