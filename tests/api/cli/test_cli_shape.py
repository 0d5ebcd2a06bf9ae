"""The shape of the `doorstep` command: order, one-line help, names, aliases (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer.main
from typer.testing import CliRunner

from api.cli.main import app
from bot.access import apikeys
from bot.settings import get_settings
from bot.storage.db import Database
from bot.storage.models import utcnow

runner = CliRunner()
WIDE = {"COLUMNS": "160", "TERM": "dumb"}


def _help(*args: str) -> str:
    result = runner.invoke(app, [*args, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.output


def _listed(output: str) -> list[str]:
    return re.findall(r"^│ ([a-z][a-z0-9-]*) +\S", output, flags=re.MULTILINE)


def test_commands_are_listed_in_a_sensible_order_with_one_line_each() -> None:
    output = _help()
    listed = _listed(output)
    assert listed[:3] == ["serve", "validate", "simulate"]
    assert listed.index("tenant") < listed.index("campaign") < listed.index("export")
    assert listed[-3:] == ["user", "apikey", "i18n"]
    for old in ("tenants", "users", "repairs"):
        assert old not in listed  # hidden aliases
    assert {"tenant", "repair", "user", "campaign", "respondent"} <= set(listed)
    command = typer.main.get_command(app)
    assert isinstance(command, typer.main.TyperGroup)
    for name in listed:
        sub = command.commands[name]
        first = (sub.help or "").strip().splitlines()[0]
        assert first.endswith(".") and len(first) <= 90, name


def test_no_help_screen_shows_a_type_after_a_flag() -> None:
    command = typer.main.get_command(app)
    assert isinstance(command, typer.main.TyperGroup)
    screens = [_help()]
    for name, sub in command.commands.items():
        screens.append(_help(name))
        if isinstance(sub, typer.main.TyperGroup):
            screens.extend(_help(name, inner) for inner in sub.commands)
    for screen in screens:
        assert "<bool>" not in screen
    assert "--identifiable" in _help("user", "create")


@pytest.mark.parametrize("old", ["tenants", "users", "repairs"])
def test_old_plural_names_still_work(old: str) -> None:
    assert "Usage: root " + old in _help(old).replace("doorstep", "root")


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    database = Database(database_url)
    yield database
    database.dispose()
    get_settings.cache_clear()


def _role_of(database: Database, output: str) -> str | None:
    with database.engine.begin() as connection:
        info = apikeys.verify_key(connection, output.strip().splitlines()[0], utcnow())
    return None if info is None else info.role


def test_one_way_to_make_api_keys_and_the_old_one_is_a_hidden_alias(
    cli_database: Database,
) -> None:
    made = runner.invoke(app, ["apikey", "create", "reporting", "--role", "analyst"])
    assert made.exit_code == 0, made.output
    assert _role_of(cli_database, made.stdout) == "analyst"
    old = runner.invoke(app, ["users", "apikey", "old-way", "--role", "officer"])
    assert old.exit_code == 0, old.output
    assert _role_of(cli_database, old.stdout) == "officer"
    assert "apikey" not in _listed(_help("user"))
    refused = runner.invoke(app, ["apikey", "create", "x", "--role", "wizard"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output


@pytest.mark.parametrize("command", ["schedule", "pause", "resume", "cancel", "status", "letters"])
def test_campaign_commands_name_their_argument_a_campaign(command: str) -> None:
    usage = _help("campaign", command).split("\n")
    line = next(text for text in usage if "Usage:" in text)
    assert "CAMPAIGN" in line and "key" not in line.lower(), line
