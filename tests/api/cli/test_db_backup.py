"""`doorstep db backup` and `doorstep db restore` through the command line: sentences only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from bot.settings import get_settings

runner = CliRunner()


@pytest.fixture
def sqlite_url(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    path = tmp_path / "doorstep.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_backup_then_restore(sqlite_url: str, tmp_path: Path) -> None:
    backup = tmp_path / "nightly.db"
    made = runner.invoke(app, ["db", "backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert "Backed up to" in made.output and "integrity check passed" in made.output
    again = runner.invoke(app, ["db", "backup", str(backup)])
    assert again.exit_code == 1 and "already exists" in again.output
    restored = runner.invoke(app, ["db", "restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output


def test_a_damaged_backup_is_refused_in_a_sentence(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 512)
    result = runner.invoke(app, ["db", "restore", str(bad), "--force"])
    assert result.exit_code == 1
    assert "is not a SQLite database, or it is damaged." in result.output
    assert "Traceback" not in result.output


def test_postgresql_is_told_about_pg_dump(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", "postgresql://doorstep@127.0.0.1/doorstep")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "backup", str(tmp_path / "x.db")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "pg_dump" in result.output
