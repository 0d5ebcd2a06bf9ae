"""`doorstep --version`, what `serve` says before it starts, and a database it cannot use.

The broken-database cases run the real `doorstep` command in a subprocess: what a person sees
is exactly its output and exit code (one sentence, no traceback).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from bot.settings import get_settings
from tests.support.database import read_only_url, where

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def doorstep(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DOORSTEP_DATABASE_URL": database_url,
        "DOORSTEP_QUESTIONNAIRES_DIR": str(ROOT / "questionnaires"),
        "DOORSTEP_LOCALES_DIR": str(ROOT / "locales"),
    }
    return subprocess.run(
        [sys.executable, "-c", "from api.cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def assert_one_sentence(result: subprocess.CompletedProcess[str], *names: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0], lines[0]


def test_version_comes_from_the_package_metadata() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"doorstep {version('doorstep')}\n"


@pytest.mark.parametrize(
    "command", [["serve"], ["db", "upgrade"], ["users", "list"], ["campaign", "status", "1"]]
)
def test_a_missing_database_folder_is_one_sentence(command: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "nonexistent" / "dir"
    result = doorstep(*command, database_url=f"sqlite:///{folder}/doorstep.db", cwd=tmp_path)
    assert_one_sentence(result, str(folder), "does not exist", f"mkdir -p {folder}")


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"]])
def test_a_read_only_database_is_one_sentence(
    command: list[str], database_url: str, tmp_path: Path
) -> None:
    result = doorstep(*command, database_url=read_only_url(database_url), cwd=tmp_path)
    assert_one_sentence(result, where(database_url), "DOORSTEP_DATABASE_URL")


def test_serve_says_where_it_listens_and_what_to_open(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, Any] = {}

    def fake_run(target: str, **options: Any) -> None:
        started.update(options, target=target)

    monkeypatch.setattr("uvicorn.run", fake_run)
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"]) == ("0.0.0.0", 8123)
    assert (started["target"], started["factory"]) == ("api.app:create_served_app", True)
    assert result.output.splitlines()[:4] == [
        f"Doorstep {version('doorstep')} is starting on all interfaces, port 8123. Open:",
        "  web chat         http://127.0.0.1:8123/chat",
        "  officer console  http://127.0.0.1:8123/console/",
        "  API docs         http://127.0.0.1:8123/docs",
    ]
