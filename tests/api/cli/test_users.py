"""`doorstep users ...` through the real command line: the first admin, roles, keys."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli.main import app
from bot.access import apikeys, users
from bot.access.signin import authenticate
from bot.access.user_models import User
from bot.settings import get_settings
from bot.storage.db import Database
from bot.storage.models import table, utcnow
from tests.support.auth import PASSWORD

runner = CliRunner()


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    database = Database(database_url)
    yield database
    database.dispose()
    get_settings.cache_clear()


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["users", *args], input=stdin)
    return result.exit_code, result.output


def test_create_the_first_admin_with_a_prompted_password(cli_database: Database) -> None:
    code, output = _run(
        "create", "--role", "admin", "Admin@Example.org", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, output
    assert "Created admin admin@example.org." in output
    with cli_database.engine.begin() as connection:
        stored = connection.execute(select(table(User).c.password_hash)).scalar_one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        user = authenticate(
            connection,
            email="admin@example.org",
            password=PASSWORD,
            now=utcnow(),
            max_failures=5,
            lockout=datetime.timedelta(minutes=15),
        )
    assert user.role is users.Role.ADMIN and user.can_export_identifiable


def test_users_list_disable_enable_and_grant(cli_database: Database) -> None:
    for role, email in (("admin", "a@example.org"), ("officer", "o@example.org"),
                        ("analyst", "n@example.org")):  # fmt: skip
        code, output = _run("create", "--role", role, email, "--name", role.title(),
                            "--password-stdin", stdin=f"{PASSWORD}\n")  # fmt: skip
        assert code == 0, output
    code, listing = _run("list")
    assert code == 0 and "Officer" in listing and "analyst" in listing
    assert _run("grant-identifiable", "o@example.org")[1].startswith(
        "o@example.org may now download identifiable exports."
    )
    code, output = _run("grant-identifiable", "n@example.org")
    assert code == 1 and "analysts work with pseudonymised data" in output
    with cli_database.engine.connect() as connection:
        officer = users.find_user(connection, email="o@example.org")
    assert officer is not None and officer.can_export_identifiable
    assert _run("disable", "o@example.org") == (0, "Disabled o@example.org.\n")
    code, output = _run("disable", "a@example.org")
    assert code == 1 and "last enabled admin" in output
    assert _run("enable", "o@example.org")[0] == 0
    code, output = _run("disable", "nobody@example.org")
    assert code == 1 and "No user has the email nobody@example.org." in output


def test_refusals_are_sentences(cli_database: Database) -> None:
    code, output = _run("create", "--role", "boss", "a@example.org", "--password-stdin",
                        stdin=f"{PASSWORD}\n")  # fmt: skip
    assert code == 1 and "'boss' is not a role; use one of: admin, officer, analyst." in output
    code, output = _run("create", "a@example.org", "--password-stdin", stdin="short\n")
    assert code == 1 and "at least 12 characters" in output
    code, output = _run("create", "not-an-email", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert code == 1 and "is not an email address" in output
    _run("create", "a@example.org", "--password-stdin", stdin=f"{PASSWORD}\n")
    code, output = _run("create", "A@example.org", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert code == 1 and "already exists" in output


def test_api_keys_with_a_role(cli_database: Database) -> None:
    result = runner.invoke(app, ["users", "apikey", "reporting", "--role", "analyst"])
    assert result.exit_code == 0
    key = result.stdout.strip().splitlines()[0]
    assert key.startswith("dsk_")
    with cli_database.engine.begin() as connection:
        info = apikeys.verify_key(connection, key, utcnow())
    assert info is not None and info.role == "analyst"
    plain = runner.invoke(app, ["apikey", "create", "repairs-system"])
    assert plain.exit_code == 0
    with cli_database.engine.begin() as connection:
        info = apikeys.verify_key(connection, plain.stdout.strip().splitlines()[0], utcnow())
    assert info is not None and info.role == "repairs"
