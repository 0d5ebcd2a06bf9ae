"""Reading a spreadsheet export (CSV or XLSX) as a header and numbered rows.

Row numbers are the ones the officer sees in Excel: the header is row 1. Blank rows are left
out but keep their numbers. Headers are matched forgivingly: "Tenant Ref", "tenant_ref" and
"TENANT-REF" all become `tenantref` for matching.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
# What a damaged, truncated or hostile workbook raises while it is opened or read: zip and
# deflate errors, XML parse errors (SyntaxError) and defusedxml's refusals (ValueError).
XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError,
               TypeError, SyntaxError, IndexError, AttributeError)  # fmt: skip
MAX_CELL = 1000  # characters kept from a cell; no field Doorstep imports is longer


class TableError(Exception):
    """The file cannot be read at all; the message is a sentence for the officer."""


@dataclass(frozen=True)
class Row:
    number: int  # as in the spreadsheet: the header is row 1
    cells: list[Any]  # aligned with the headers; "" for an empty cell


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[Row]


def header_key(header: str) -> str:
    """What a header is matched on: lower case letters and digits only."""
    return "".join(character for character in header.lower() if character.isalnum())


def read_table(path: Path, sheet: str | None = None) -> Table:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise TableError(f"There is no file at {path}.")
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise TableError(
            f"{path.name} is an old Excel file (.xls); save it as .xlsx or .csv and try again."
        )
    raise TableError(f"{path.name} is not a CSV or XLSX file; export it as .csv or .xlsx.")


def _decode(data: bytes, name: str) -> str:
    # Excel on Windows still saves "CSV" in Windows-1252 unless asked for UTF-8.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(f"{name} is not a text file in UTF-8 or Windows-1252; save it as UTF-8 CSV.")


def _read_csv(path: Path) -> Table:
    text = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise TableError(f"{path.name} is empty.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        records = list(reader)
    except csv.Error as error:
        raise TableError(
            f"{path.name} could not be read as CSV near line {reader.line_num} ({error})."
        ) from None
    return _table(path.name, records)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl  # only needed for spreadsheets; keeps the CLI quick to start
    from openpyxl.utils.exceptions import InvalidFileException

    # openpyxl parses with defusedxml (a dependency), so an XML entity bomb fails to parse.
    unreadable = TableError(
        f"{path.name} could not be opened as an Excel workbook: it may be damaged, cut short "
        "or not really an .xlsx file. Open it in Excel, save it again as .xlsx, or export it "
        "as CSV."
    )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (*XLSX_ERRORS, InvalidFileException):
        raise unreadable from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            raise TableError(f"{path.name} has no sheet called {sheet!r}; its sheets are: {names}.")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        records = [list(values) for values in worksheet.iter_rows(values_only=True)]
    except XLSX_ERRORS:
        raise unreadable from None
    finally:
        workbook.close()
    return _table(path.name, records)


def _table(name: str, records: list[list[Any]]) -> Table:
    if not records or not any(_cell(value) != "" for value in records[0]):
        raise TableError(f"{name} has no header row: the first row must name the columns.")
    headers = [str(_cell(value)) for value in records[0]]
    while headers and headers[-1] == "":
        headers.pop()
    rows = []
    for index, record in enumerate(records[1:], start=2):
        cells = [_cell(value) for value in record[: len(headers)]]
        cells += [""] * (len(headers) - len(cells))
        if any(cell != "" for cell in cells):
            rows.append(Row(index, cells))
    return Table(headers, rows)


def _cell(value: Any) -> Any:
    """Strings stripped and capped; whole floats (Excel's numbers) as ints; None as "".

    Stripping can leave a cell such as "\t=tab" starting with `=`: it is stored as typed
    and made safe where it leaves the product (`bot.spreadsheet.neutralise`, used by every
    CSV and XLSX Doorstep writes), since only there does a spreadsheet read it.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()[:MAX_CELL]
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float | datetime.datetime | datetime.date | datetime.time):
        return value
    return str(value).strip()[:MAX_CELL]
