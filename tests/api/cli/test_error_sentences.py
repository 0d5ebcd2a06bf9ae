"""Errors people see from the command line are sentences (issue 13, point 12).

Each names the field as people call it, shows an accepted form, lists every bad field at
once and never shows a traceback or pydantic's wording. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli.main import app

runner = CliRunner()
INTERNALS = ("Traceback", "Input should", "starts_at", "completed_at", "..", "Error:")


def _said(output: str) -> str:
    said = " ".join(output.split())  # the terminal wraps long lines
    for internal in INTERNALS:
        assert internal not in said, said
    return said


def test_campaign_creation_lists_every_bad_field_in_peoples_words(cli_database: str) -> None:
    result = runner.invoke(
        app,
        ["campaign", "create", "--name", "Spring", "--questionnaire", "tsm_perception",
         "--start", "2027-03", "--timezone", "Mars/Base", "--hours", "9-25",
         "--reminders", "9"],
    )  # fmt: skip
    assert result.exit_code == 1
    said = _said(result.output)
    assert "The start time is not a date and time Doorstep can read: write it like " in said
    assert "2027-03-02 09:00" in said
    assert "The timezone: 'Mars/Base' is not a known timezone (e.g. Europe/London)." in said
    assert "The sending hours: '9' is not a time of day like 09:00." in said
    assert "The number of reminders must be at most 5." in said


def test_repairs_import_names_the_completion_time(cli_database: str, tmp_path: Path) -> None:
    path = tmp_path / "repairs.csv"
    path.write_text(
        "Job No,Tenant Reference,Date Completed\nJ-1,T-1,2026-13-02 10:00\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["repair", "import", str(path)])
    assert result.exit_code == 1
    said = _said(result.output)
    assert "Row 2: The completion time is not a date and time Doorstep can read: " in said
    assert "write it like 2027-03-02 09:00" in said


def test_export_to_a_missing_folder_is_one_sentence(cli_database: str, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "x.csv"
    result = runner.invoke(app, ["export", "-q", "post_repair", "-o", str(target)])
    assert result.exit_code == 2
    said = _said(result.output)
    assert said == (
        f"The folder {target.parent} for the export does not exist; create it first "
        f"(mkdir -p {target.parent}) or choose another file."
    )


def test_export_of_an_unknown_questionnaire_shows_only_its_error(
    cli_database: str, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["export", "-q", "nope", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert _said(result.output) == "No questionnaire 'nope' is known."
    assert not (tmp_path / "x.csv").exists()
