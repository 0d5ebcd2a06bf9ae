"""Exports as files: SPSS labels, 0/1 columns, pseudonyms, neutralised cells, filters."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import insert
from typer.testing import CliRunner

from analysis.exports import (
    ExportFilters,
    ExportTable,
    FilterError,
    Variable,
    build_export,
    codebook_csv,
    codebook_json,
    neutralise,
    pseudonym,
    write_export,
)
from analysis.exports.writers import csv_chunks
from api.cli.main import app
from bot.access.audit import list_audit
from bot.service import Service
from bot.settings import get_settings
from bot.storage.db import Database
from bot.storage.models import ProfileAttribute, table
from tests.support.chat import Chat
from tests.support.demo import Demo
from tests.support.exports import FORMULA, SECRET, answer_all_types, build, name_tenants


def test_sav_read_back_has_variable_and_value_labels(service: Service, tmp_path: Path) -> None:
    answer_all_types(service)
    target = tmp_path / "out.sav"
    write_export(build(service), "sav", target)
    data, meta = pyreadstat.read_sav(str(target), user_missing=True)
    labels = meta.column_names_to_labels
    assert labels["satisfaction"] == "How satisfied are you?"
    assert labels["household"] == "How many people live with you?"
    assert labels["needs__large_print"] == "Any communication needs?: Large print"
    values = meta.variable_value_labels
    assert values["satisfaction"][5] == "Very dissatisfied"
    assert values["satisfaction"][1] == "Very satisfied"
    assert values["needs__interpreter"] == {0: "Not selected", 1: "Selected"}
    assert values["contact_ok"] == {1: "Yes", 0: "No"}
    assert values["ethnicity"][99] == "Prefer not to say"
    assert meta.variable_measure["household"] == "scale"
    assert meta.variable_measure["rating"] == "ordinal"
    assert meta.variable_measure["satisfaction"] == "ordinal"  # a satisfaction scale
    row = data.iloc[0]
    assert row["satisfaction"] == 5
    assert row["household"] == 3
    assert row["rent"] == 12.5
    assert (row["needs__large_print"], row["needs__email"], row["needs__interpreter"]) == (1, 0, 1)
    assert row["contact_ok"] == 1
    assert row["completed"] == 1
    # Free text and dates are left out of a pseudonymised export.
    assert "why_unhappy" not in data.columns and "moved_in" not in data.columns


def test_select_multiple_becomes_one_0_1_column_per_choice(service: Service) -> None:
    answer_all_types(service)
    Chat(service.engine, channel="telegram", address="+447700900555").start("all_types")
    export = build(service)
    needs = [v.name for v in export.variables if v.question == "needs"]
    assert needs == ["needs__large_print", "needs__email", "needs__interpreter", "needs__braille"]
    answered = export.frame.iloc[0]
    assert [answered[name] for name in needs] == [1, 0, 1, 0]
    # Someone who never answered has empty cells, not zeros.
    assert export.frame.iloc[1][needs].isna().all()


def test_pseudonymised_export_has_no_names_phones_or_free_text(service: Service) -> None:
    answer_all_types(service)
    name_tenants(service)
    export = build(service)
    text = b"".join(csv_chunks(export)).decode("utf-8-sig")
    for secret in ("Ada Lovelace", "T-10042", "+447700900123", "HYPERLINK", "Polish"):
        assert secret not in text
    assert not {"tenant_ref", "tenant_name", "session_id", "respondent_id"} & set(
        export.frame.columns
    )
    assert export.frame.iloc[0]["respondent"] == pseudonym(SECRET, 1)


def test_keyed_hash_is_stable_across_exports_and_depends_on_the_key(service: Service) -> None:
    answer_all_types(service)
    answer_all_types(service, address="+447700900777")
    first, second = build(service), build(service, channel="telegram")
    assert list(first.frame["respondent"]) == list(second.frame["respondent"])
    assert first.frame["respondent"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert first.frame["respondent"].nunique() == 2
    assert pseudonym("another key", 1) != pseudonym(SECRET, 1)


def test_formula_in_free_text_is_neutralised_in_csv_and_xlsx(
    service: Service, tmp_path: Path
) -> None:
    answer_all_types(service)
    name_tenants(service)
    export = build(service, identifiable=True)
    assert export.frame.iloc[0]["why_unhappy"] == FORMULA
    write_export(export, "csv", tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert rows[0]["why_unhappy"] == "'" + FORMULA
    assert rows[0]["tenant_ref"] == "T-10042" and rows[0]["tenant_name"] == "Ada Lovelace"
    write_export(export, "xlsx", tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx", read_only=True)["responses"]
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    cell = dict(zip(header, first, strict=False))  # read-only rows drop trailing blanks
    assert cell["why_unhappy"] == "'" + FORMULA
    assert cell["satisfaction"] == 5


def test_neutralising_leaves_numbers_alone() -> None:
    for text in ("=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise(-3) == -3 and neutralise(-2.5) == -2.5 and neutralise("fine") == "fine"
    variables = [Variable("n", "A number", "numeric", "scale"),
                 Variable("t", "Text", "string", "nominal")]  # fmt: skip
    frame = pd.DataFrame({"n": pd.array([-3, 4], dtype="Int64"), "t": ["-3", "ok"]})
    export = ExportTable("x", frame, variables, True, ExportFilters("x"))
    lines = b"".join(csv_chunks(export)).decode("utf-8-sig").splitlines()
    assert lines == ["n,t", "-3,'-3", "4,ok"]


def test_parquet_and_codebooks_carry_the_labels(service: Service, tmp_path: Path) -> None:
    answer_all_types(service)
    export = build(service)
    write_export(export, "parquet", tmp_path / "out.parquet")
    frame = pd.read_parquet(tmp_path / "out.parquet")
    assert frame.loc[0, "satisfaction"] == 5 and len(frame) == 1
    book = codebook_json(export)
    by_name = {v["variable"]: v for v in book["variables"]}
    assert by_name["satisfaction"]["values"]["5"] == "Very dissatisfied"
    assert by_name["satisfaction"]["measurement_level"] == "ordinal"
    assert by_name["needs__email"]["source_question"] == "needs"
    assert by_name["needs__email"]["questionnaire_versions"] == ["1"]
    assert book["pseudonymised"] is True
    rows = list(csv.DictReader(io.StringIO(codebook_csv(export).lstrip("\ufeff"))))
    assert {row["variable"] for row in rows} == set(export.frame.columns)


def test_filters_narrow_the_sessions(service: Service, clock: object) -> None:
    answer_all_types(service)
    Chat(service.engine, channel="telegram", address="+447700900555").start("all_types")
    assert build(service).rows == 2
    assert build(service, completed=True).rows == 1
    assert build(service, completed=False).rows == 1
    assert build(service, channel="sms").rows == 0
    assert build(service, language="cy").rows == 0
    assert build(service, version="1").rows == 2
    assert build(service, date_from=datetime.date(2026, 11, 2)).rows == 2
    assert build(service, date_to=datetime.date(2026, 11, 1)).rows == 0
    with service.database.engine.begin() as connection:
        connection.execute(
            insert(table(ProfileAttribute)).values(
                respondent_id=1, name="segment", value="S1", source="test"
            )
        )
    assert build(service, segment="s1").rows == 1
    assert build(service, campaign_id=99).rows == 0


@pytest.mark.parametrize(
    "filters",
    [
        {"channel": "pigeon"},
        {"language": "xx"},
        {"date_from": datetime.date(2026, 2, 1), "date_to": datetime.date(2026, 1, 1)},
        {"version": "9"},
    ],
)
def test_bad_filters_are_refused_with_a_sentence(
    service: Service, filters: dict[str, object]
) -> None:
    with pytest.raises(FilterError, match=r"\.$"):
        build(service, **filters)


def test_unknown_questionnaire_is_refused(service: Service) -> None:
    with service.database.engine.connect() as connection, pytest.raises(FilterError):
        build_export(connection, filters=ExportFilters("nope"), secret=SECRET)


def test_doorstep_export_writes_sav_and_codebook_and_audits(
    demo: Demo, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    demo(60, rounds=4)
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, [
            "export", "--questionnaire", "post_repair", "--format", "sav",
            "--output", str(tmp_path / "out.sav"), "--codebook", str(tmp_path / "book.json"),
            "--completed",
        ])  # fmt: skip
        refused = CliRunner().invoke(app, ["export", "-q", "nope", "-o", str(tmp_path / "x.csv")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    data, meta = pyreadstat.read_sav(str(tmp_path / "out.sav"))
    assert len(data) > 0 and (data["completed"] == 1).all()
    assert meta.variable_value_labels["repair_overall"]
    assert f"Wrote {len(data):,} pseudonymised responses" in result.output
    book = json.loads((tmp_path / "book.json").read_text(encoding="utf-8"))
    assert [v["variable"] for v in book["variables"]] == list(data.columns)
    assert refused.exit_code == 1 and "No questionnaire 'nope' is known." in refused.output
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            [entry] = list_audit(connection).entries
    finally:
        database.dispose()
    assert (entry.principal_kind, entry.action, entry.row_count) == ("cli", "export", len(data))
    assert entry.principal_name.startswith("cli")
    assert entry.filters["format"] == "sav" and entry.filters["completed"] is True
