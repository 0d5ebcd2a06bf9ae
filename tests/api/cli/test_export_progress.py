"""`doorstep export -f xlsx` shows a progress bar that reaches every exported session."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from analysis.demo.data import create_demo_data
from analysis.exports import xlsx
from api.cli.main import app
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings, get_settings
from bot.storage.db import Database

runner = CliRunner()


def test_xlsx_export_bar_counts_every_session(
    database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    database = Database(database_url)
    registry = QuestionnaireRegistry.from_directory(
        settings.questionnaires_dir, settings.landlord_name
    )
    create_demo_data(database, registry, tenants=30, rounds=3, seed=3)
    database.dispose()
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 7)  # several blocks, each advancing the bar
    get_settings.cache_clear()
    target = tmp_path / "repairs.xlsx"
    try:
        result = runner.invoke(
            app, ["export", "-q", "post_repair", "-f", "xlsx", "-o", str(target)]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    sessions = sum(1 for _ in load_workbook(target, read_only=True)["responses"].iter_rows()) - 1
    assert sessions > 7
    assert "Writing repairs.xlsx" in result.output
    assert f"{sessions}/{sessions}" in result.output
    assert f"Wrote {sessions:,} pseudonymised responses" in result.output
