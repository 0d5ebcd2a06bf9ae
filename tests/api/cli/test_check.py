"""`doorstep check` says in words whether email is configured and the SMTP server answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from bot.settings import get_settings
from tests.support.fakes.smtp import FakeSmtp
from tests.support.ports import free_port

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DOORSTEP_EMAIL_FROM", "surveys@riverside.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_check_without_smtp_says_email_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOORSTEP_SMTP_URL", raising=False)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0
    assert "Email is off: set DOORSTEP_SMTP_URL" in result.output


def test_check_reaches_the_smtp_server_or_says_it_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeSmtp() as smtp:
        monkeypatch.setenv("DOORSTEP_SMTP_URL", f"smtp://127.0.0.1:{smtp.port}")
        result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert f"SMTP server 127.0.0.1 port {smtp.port}" in result.output
    assert "answered and accepted" in result.output

    monkeypatch.setenv("DOORSTEP_SMTP_URL", f"smtp://user:secret@127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1 and "could not be reached" in result.output
    assert "secret" not in result.output
