"""A questionnaire edited without a new version number: validate warns, serve refuses.

On SQLite and PostgreSQL, through the real command line (issue 13, point 10).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from api.cli.main import app
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import get_settings
from bot.storage.db import Database

runner = CliRunner()
SHIPPED = Path(__file__).resolve().parents[3] / "questionnaires" / "post_repair.yaml"


@pytest.fixture
def folder(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A questionnaires folder whose post_repair 1.2 is already stored in the database."""
    target = tmp_path / "questionnaires"
    target.mkdir()
    shutil.copy(SHIPPED, target / "post_repair.yaml")
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    monkeypatch.setenv("DOORSTEP_QUESTIONNAIRES_DIR", str(target))
    get_settings.cache_clear()
    database = Database(database_url)
    database.create_schema()
    QuestionnaireRegistry.from_directory(target, "Riverside Homes").store_all(database)
    database.dispose()
    yield target
    get_settings.cache_clear()


def _edit(path: Path, *, version: str | None = None) -> None:
    text = path.read_text(encoding="utf-8").replace("Thank you", "Many thanks", 1)
    if version is not None:
        text = text.replace('version: "1.2"', f'version: "{version}"', 1)
    path.write_text(text, encoding="utf-8")


def test_validate_is_quiet_when_nothing_changed(folder: Path) -> None:
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "0 warning(s)" in result.output


def test_validate_warns_about_an_edit_under_the_stored_version(folder: Path) -> None:
    path = folder / "post_repair.yaml"
    _edit(path)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    line = f"{path}:10:1: warning: {path} was changed after answers were stored"
    assert line in result.output
    assert 'version: "1.3"' in result.output and "1 warning(s)" in result.output


def test_serve_refuses_in_one_sentence_and_starts_after_a_new_version(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append("run"))
    path = folder / "post_repair.yaml"
    _edit(path)
    refused = runner.invoke(app, ["serve"])
    assert refused.exit_code == 1 and started == []
    assert "Traceback" not in refused.output and "QuestionnaireChanged" not in refused.output
    assert refused.output.strip() == (
        f"{path} was changed after answers were stored for post_repair version 1.2: give it "
        'a new number in its "version:" line (for example version: "1.3") and start '
        "Doorstep again."
    )
    _edit(path, version="1.3")
    assert runner.invoke(app, ["serve"]).exit_code == 0
    assert started == ["run"]


def test_simulate_refuses_the_same_way(folder: Path) -> None:
    path = folder / "post_repair.yaml"
    _edit(path)
    refused = runner.invoke(app, ["simulate", "post_repair"], input="\n")
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output
    assert f"{path} was changed after answers were stored" in refused.output
