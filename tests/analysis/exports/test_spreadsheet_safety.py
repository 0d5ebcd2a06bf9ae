"""Every CSV and XLSX Doorstep writes goes through the one formula guard."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from sqlalchemy import update

from analysis.exports import write_export
from analysis.report.build import write_tables
from api.cli.tenants import print_problems
from bot.service import Service
from bot.storage.models import Respondent, table
from bot.tenants.importer import import_tenants
from bot.tenants.rows import Problem
from tests.support.exports import answer_all_types, build
from tests.support.services import Clock


def test_report_tables_neutralise_a_hostile_area_name(tmp_path: Path) -> None:
    tables = {
        "response_rates": pd.DataFrame(
            {"area": ["=1+2", "North", "@SUM(A1)"], "invited": [10, 20, 30],
             "change": [-0.5, 1.25, -2.0]}
        ),
        "_internal": pd.DataFrame({"area": ["=1+2"]}),
    }  # fmt: skip
    paths = write_tables(tables, tmp_path)
    assert [path.name for path in paths] == ["response_rates.csv"]
    with paths[0].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["area"] for row in rows] == ["'=1+2", "North", "'@SUM(A1)"]
    assert [row["change"] for row in rows] == ["-0.50", "1.25", "-2.00"]


def test_an_imported_tab_formula_cannot_become_a_formula_cell(
    service: Service, clock: Clock, tmp_path: Path
) -> None:
    answer_all_types(service)
    with service.database.engine.begin() as connection:
        connection.execute(update(table(Respondent)).values(tenant_ref="T-10042"))
    source = tmp_path / "tenants.csv"
    source.write_text('Tenant Ref,Name,Area\nT-10042,"\t=tab","\t=1+2"\n', encoding="utf-8")
    summary = import_tenants(service.database, source, now=clock.now)
    assert summary.updated == 1, summary.problems
    export = build(service, identifiable=True)
    assert export.frame.iloc[0]["tenant_name"] == "=tab"  # stored as typed, trimmed
    write_export(export, "csv", tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.DictReader(handle))["tenant_name"] == "'=tab"
    write_export(export, "xlsx", tmp_path / "out.xlsx")
    book = load_workbook(tmp_path / "out.xlsx")
    sheet = book["responses"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("tenant_name") + 1)
    assert cell.value == "'=tab" and cell.data_type == "s"


def test_the_import_problem_report_is_neutralised(tmp_path: Path) -> None:
    report = tmp_path / "problems.csv"
    print_problems([Problem(2, '=HYPERLINK("http://x")'), Problem(3, "fine", False)], report)
    with report.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["message"] for row in rows] == ['\'=HYPERLINK("http://x")', "fine"]
