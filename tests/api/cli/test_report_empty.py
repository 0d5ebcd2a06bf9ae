"""`doorstep report` on a database with no answers says which database it read."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from bot.settings import get_settings

runner = CliRunner()


def test_an_empty_database_is_named_without_its_password(
    cli_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = cli_database.replace("postgres@", "postgres:s3cret@")  # trust auth takes any
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["report", "--output", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "holds no answers yet, so the report has nothing in it" in said
    assert "set DOORSTEP_DATABASE_URL to that database" in said
    assert "s3cret" not in result.output
    assert ("***" in said) == ("s3cret" in url)


def test_a_database_with_answers_gets_no_such_sentence(cli_database: str, tmp_path: Path) -> None:
    made = runner.invoke(app, ["demo-data", "--tenants", "30", "--rounds", "2"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["report", "--output", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.output
    assert "holds no answers" not in result.output
