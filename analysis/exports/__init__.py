"""Exports of responses for analysts: CSV, XLSX, Parquet and SPSS .sav, with a codebook.

A library without HTTP: `api/analyst.py` and `doorstep export` call it and write the audit
entry. Build the table with `build_export`, then write it with `write_export` or stream it
with `export_stream`.
"""

from analysis.exports.filters import ExportFilters, FilterError
from analysis.exports.table import ExportTable, build_export, pseudonym
from analysis.exports.variables import Variable
from analysis.exports.writers import (
    FORMATS,
    MEDIA_TYPES,
    Format,
    codebook_csv,
    codebook_json,
    export_stream,
    write_export,
)
from bot.spreadsheet import neutralise

__all__ = [
    "FORMATS", "MEDIA_TYPES", "ExportFilters", "ExportTable", "FilterError", "Format",
    "Variable", "build_export", "codebook_csv", "codebook_json", "export_stream",
    "neutralise", "pseudonym", "write_export",
]  # fmt: skip
