"""Writing an export table: CSV (streamed), XLSX, Parquet, SPSS .sav, and its codebook.

CSV and XLSX cells are read by spreadsheets, which run a cell starting with `=`, `+`, `-`
or `@` (or a tab or carriage return) as a formula: such text cells get a leading `'`
(`bot.spreadsheet.neutralise`, the one guard every file Doorstep writes uses).
Numbers stay numbers, so a negative number is never touched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis.exports.table import ExportTable
from bot.spreadsheet import neutralise

Format = Literal["csv", "xlsx", "parquet", "sav"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "parquet", "sav")
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "sav": "application/x-spss-sav",
    "codebook.json": "application/json",
    "codebook.csv": "text/csv; charset=utf-8",
}
CHUNK_ROWS = 5_000
READ_BYTES = 256 * 1024
Progress = Callable[[int], None]


def text_columns(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if frame[name].dtype == object
            or isinstance(frame[name].dtype, pd.StringDtype)]  # fmt: skip


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell passed through `neutralise`."""
    result = frame.copy()
    for name in text_columns(result):
        result[name] = result[name].map(neutralise, na_action="ignore")
    return result


def csv_chunks(export: ExportTable, progress: Progress | None = None) -> Iterator[bytes]:
    """The CSV a block of rows at a time (UTF-8 with a BOM, so Excel reads any script)."""
    frame = export.frame
    yield ("\ufeff" + ",".join(frame.columns) + "\r\n").encode("utf-8")
    for start in range(0, len(frame), CHUNK_ROWS):
        part = neutralised(frame.iloc[start : start + CHUNK_ROWS])
        for name in part.columns:
            if isinstance(part[name].dtype, pd.DatetimeTZDtype):
                part[name] = part[name].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        text = part.to_csv(index=False, header=False, lineterminator="\r\n",
                           quoting=csv.QUOTE_MINIMAL)  # fmt: skip
        yield text.encode("utf-8")
        if progress is not None:
            progress(len(part))


def _plain(export: ExportTable) -> pd.DataFrame:
    """Numeric columns as floats, text as str, times as naive UTC: what pyreadstat takes."""
    frame = pd.DataFrame(index=export.frame.index)
    for variable in export.variables:
        column = export.frame[variable.name]
        if variable.kind == "numeric":
            frame[variable.name] = pd.to_numeric(column, errors="coerce").astype("float64")
        elif variable.kind == "datetime":
            frame[variable.name] = pd.to_datetime(column, utc=True).dt.tz_convert(None)
        else:
            frame[variable.name] = column.astype(object).where(column.notna(), "").astype(str)
    return frame


def write_sav(export: ExportTable, target: Path) -> None:
    import pyreadstat

    variables = export.variables
    pyreadstat.write_sav(
        _plain(export),
        str(target),
        column_labels={v.name: v.label[:255] for v in variables},
        variable_value_labels={
            v.name: {float(code): label[:120] for code, label in v.values.items()}
            for v in variables if v.values
        },
        variable_measure={v.name: v.measure for v in variables},
        variable_format={v.name: v.spss_format for v in variables if v.kind == "numeric"},
        missing_ranges={
            v.name: [float(code) for code in v.missing] for v in variables if v.missing
        },
    )  # fmt: skip


def write_parquet(export: ExportTable, target: Path) -> None:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    frame = export.frame.copy()
    for variable in export.variables:
        if variable.kind == "string":
            frame[variable.name] = frame[variable.name].astype("string")
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(arrow.schema.metadata or {})
    metadata[b"doorstep.codebook"] = json.dumps(codebook_json(export)).encode()
    pq.write_table(arrow.replace_schema_metadata(metadata), str(target))


def write_export(
    export: ExportTable, fmt: Format, target: Path, progress: Progress | None = None
) -> None:
    if fmt == "csv":
        with target.open("wb") as file:
            for chunk in csv_chunks(export, progress):
                file.write(chunk)
        return
    if fmt == "xlsx":
        from analysis.exports.xlsx import write_xlsx  # it imports this module

        write_xlsx(export, target, progress)
    elif fmt == "parquet":
        write_parquet(export, target)
    elif fmt == "sav":
        write_sav(export, target)
    else:
        raise ValueError(f"{fmt!r} is not an export format; use one of: {', '.join(FORMATS)}.")
    if progress is not None and fmt != "xlsx":
        progress(export.rows)


def export_stream(export: ExportTable, fmt: Format) -> Iterator[bytes]:
    """The file's bytes in blocks; formats that need a file are written to a temporary one,
    read back and deleted."""
    if fmt == "csv":
        yield from csv_chunks(export)
        return
    handle, name = tempfile.mkstemp(suffix=f".{fmt}", prefix="doorstep-export-")
    os.close(handle)
    path = Path(name)
    try:
        write_export(export, fmt, path)
        with path.open("rb") as file:
            while block := file.read(READ_BYTES):
                yield block
    finally:
        path.unlink(missing_ok=True)


CODEBOOK_COLUMNS = [
    "variable", "label", "type", "measurement_level", "values", "missing_values",
    "source_question", "question_type", "choice", "questionnaire_versions", "skip_logic",
    "languages",
]  # fmt: skip


def codebook_rows(export: ExportTable) -> Iterator[list[object]]:
    for variable in export.variables:
        values = "; ".join(f"{code}={label}" for code, label in variable.values.items())
        yield [
            variable.name, variable.label, variable.kind, variable.measure, values,
            "; ".join(str(code) for code in variable.missing), variable.question,
            variable.question_type, variable.choice, "; ".join(variable.versions),
            variable.skip_logic, "; ".join(variable.languages),
        ]  # fmt: skip


WITHHELD = (
    "Free text (typed answers and dates) is left out of pseudonymised exports: it can name "
    "or identify the tenant. It is only in identifiable exports, for those allowed them."
)


def codebook_json(export: ExportTable) -> dict[str, Any]:
    return {
        "questionnaire": export.questionnaire_id,
        "pseudonymised": not export.identifiable,
        "filters": export.filters.as_json(),
        "rows": export.rows,
        "variables": [variable.as_json() for variable in export.variables],
        "withheld": [
            {"source_question": question, "question_type": kind, "reason": WITHHELD}
            for question, kind in export.withheld
        ],
    }


def codebook_csv(export: ExportTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CODEBOOK_COLUMNS)
    for row in codebook_rows(export):
        writer.writerow([neutralise(value) for value in row])
    return "\ufeff" + buffer.getvalue()
