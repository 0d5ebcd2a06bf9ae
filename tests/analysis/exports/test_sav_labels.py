"""The `.sav` an analyst opens in SPSS or PSPP: labels with the landlord's name filled in,
codes formatted F8.0, ordered items Ordinal, profile answers with their codes, and a
codebook carrying wording, choices, skip logic and languages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from analysis.exports.filters import ExportFilters
from analysis.exports.table import _codes, build_export
from analysis.exports.writers import codebook_json, write_export
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.db import Database
from tests.support.demo import Demo


def test_tsm_sav_has_no_placeholders_and_f8_0_codes(
    database: Database, registry: QuestionnaireRegistry, demo: Demo, tmp_path: Path
) -> None:
    demo(40, rounds=4)  # the fourth round is the TSM survey
    with database.engine.connect() as connection:
        export = build_export(connection, filters=ExportFilters(questionnaire_id="tsm_perception"),
                              secret="test", registry=registry)  # fmt: skip
    assert export.rows > 0
    target = tmp_path / "tsm.sav"
    write_export(export, "sav", target)
    data, meta = pyreadstat.read_sav(str(target))
    labels = meta.column_names_to_labels
    for name, label in labels.items():
        assert "${" not in (label or ""), name
    for name, values in meta.variable_value_labels.items():
        assert all("${" not in text for text in values.values()), name
    assert registry.landlord_name in labels["tp01_overall"]
    formats = meta.original_variable_types
    for name in ("tp01_overall", "tp05_safe_home", "repair_last_12_months", "completed"):
        assert formats[name] == "F8.0", (name, formats[name])
    assert meta.variable_measure["tp01_overall"] == "ordinal"
    assert set(data["tp01_overall"].dropna().astype(int)) <= {1, 2, 3, 4, 5}
    book = {v["variable"]: v for v in codebook_json(export)["variables"]}
    tp02 = book["tp02_repairs"]
    assert tp02["skip_logic"] and "repair_last_12_months" in tp02["skip_logic"]
    assert "en (reviewed)" in tp02["languages"] and "cy (draft)" in tp02["languages"]
    assert tp02["values"]["1"] == "Very satisfied" and tp02["spss_format"] == "F8.0"


def test_ordered_items_are_ordinal(
    database: Database, registry: QuestionnaireRegistry, demo: Demo
) -> None:
    demo(20, rounds=2)
    with database.engine.connect() as connection:
        export = build_export(
            connection, filters=ExportFilters(questionnaire_id="communication_preferences"),
            secret="test", registry=registry,
        )  # fmt: skip
    measures = {v.name: v.measure for v in export.variables}
    assert measures["contact_frequency"] == "ordinal"
    assert measures["preferred_channel"] == "nominal"


def test_profile_answers_kept_as_names_are_exported_with_their_codes() -> None:
    group = pd.DataFrame({
        "value_code": pd.array([3, None, None], dtype="Int64"),
        "value_text": pd.array([None, "age_35_44", "not_a_choice"], dtype="string"),
    })  # fmt: skip
    codes = _codes(group, {"age_25_34": 2, "age_35_44": 3})
    assert codes.tolist()[:2] == [3, 3] and pd.isna(codes.iloc[2])
