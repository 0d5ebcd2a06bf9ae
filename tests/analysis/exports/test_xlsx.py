"""XLSX exports stream in constant memory, with progress, every text cell neutralised."""

from __future__ import annotations

import datetime
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.exports import write_export, xlsx
from analysis.exports.filters import ExportFilters
from analysis.exports.table import ExportTable
from analysis.exports.variables import Variable

START = pd.Timestamp("2026-11-02 10:00", tz="UTC")


def table(rows: int) -> ExportTable:
    frame = pd.DataFrame(
        {
            "respondent": [f"p{i:06d}" for i in range(rows)],
            "score": pd.array([(i % 5) + 1 if i % 7 else None for i in range(rows)], "Int64"),
            "change": [-(i % 3) - 0.5 for i in range(rows)],
            "comment": ["=HYPERLINK(1)" if i % 2 else "fine" for i in range(rows)],
            "completed_at": [START + pd.Timedelta(minutes=i) for i in range(rows)],
        }
    )
    variables = [
        Variable("respondent", "Respondent", "string", "nominal"),
        Variable("score", "=Score", "numeric", "ordinal", values={1: "low"}),
        Variable("change", "Change", "numeric", "scale"),
        Variable("comment", "Comment", "string", "nominal"),
        Variable("completed_at", "Completed", "datetime", "scale"),
    ]
    return ExportTable("post_repair", frame, variables, False, ExportFilters("post_repair"))


def test_cells_keep_their_types_and_text_is_neutralised(tmp_path: Path) -> None:
    progress: list[int] = []
    target = tmp_path / "out.xlsx"
    write_export(table(6_000), "xlsx", target, progress.append)
    assert sum(progress) == 6_000 and len(progress) > 1  # a block at a time
    book = load_workbook(target, read_only=True)
    rows = book["responses"].iter_rows(values_only=True)
    assert next(rows) == ("respondent", "score", "change", "comment", "completed_at")
    assert next(rows) == ("p000000", None, -0.5, "fine", datetime.datetime(2026, 11, 2, 10, 0))
    assert next(rows) == (
        "p000001",
        2,
        -1.5,
        "'=HYPERLINK(1)",
        datetime.datetime(2026, 11, 2, 10, 1),
    )
    assert sum(1 for _ in rows) == 6_000 - 2
    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert codebook[2][1] == "'=Score"  # the codebook's text is neutralised too


def _peak_bytes(export: ExportTable, target: Path) -> int:
    tracemalloc.start()
    try:
        write_export(export, "xlsx", target)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 200)  # memory holds one block of this many rows
    small, large = table(1_000), table(10_000)
    small_peak = _peak_bytes(small, tmp_path / "small.xlsx")
    large_peak = _peak_bytes(large, tmp_path / "large.xlsx")
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)


def test_awkward_cells_read_back_as_written(tmp_path: Path) -> None:
    long_text = "x" * 40_000
    frame = pd.DataFrame(
        {
            "text": ["a & b < c > d", "", "tab\tinside, bell\x07 gone", long_text, None],
            "flag": pd.array([True, False, None, True, False], dtype="boolean"),
            "ratio": [0.1, float("nan"), float("inf"), -2.5, 1e-7],
            "mixed": ["words", 3, 2.5, True, None],
            "naive_time": pd.to_datetime(  # type: ignore[arg-type]
                [
                    "2026-01-01 00:00:01",
                    None,
                    "2026-06-30 23:59:59",
                    "2026-02-28 12:00:00",
                    "2026-03-01 00:00:00",
                ]
            ),
            **{f"c{n}": [n] * 5 for n in range(25)},  # columns past Z: AA, AB, ...
        }
    )
    variables = [Variable(str(name), str(name), "string", "nominal") for name in frame.columns]
    export = ExportTable("post_repair", frame, variables, False, ExportFilters("post_repair"))
    target = tmp_path / "awkward.xlsx"
    write_export(export, "xlsx", target)
    rows = list(load_workbook(target, read_only=True)["responses"].iter_rows(values_only=True))
    assert len(rows) == 6 and len(rows[0]) == 30 and rows[0][29] == "c24"
    assert [row[0] for row in rows[1:]] == [
        "a & b < c > d", None, "tab\tinside, bell gone", "x" * 32_767, None,
    ]  # fmt: skip
    assert [row[1] for row in rows[1:]] == [True, False, None, True, False]
    assert [row[2] for row in rows[1:]] == [0.1, None, None, -2.5, 1e-7]
    assert [row[3] for row in rows[1:]] == ["words", 3, 2.5, True, None]
    assert [row[4] for row in rows[1:]] == [
        datetime.datetime(2026, 1, 1, 0, 0, 1), None, datetime.datetime(2026, 6, 30, 23, 59, 59),
        datetime.datetime(2026, 2, 28, 12, 0), datetime.datetime(2026, 3, 1),
    ]  # fmt: skip
    assert all(row[29] == 24 for row in rows[1:])
