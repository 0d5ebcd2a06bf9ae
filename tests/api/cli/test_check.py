"""`doorstep check` says in words which channels are set up and whether the SMTP server answers."""

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


def test_check_names_the_whatsapp_templates_that_are_configured_and_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("DOORSTEP_TWILIO_ACCOUNT_SID", f"AC{sid}")
    monkeypatch.setenv("DOORSTEP_TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setenv("DOORSTEP_TWILIO_FROM", "+441234567890")
    monkeypatch.setenv("DOORSTEP_WHATSAPP_FROM", "+441234567891")
    monkeypatch.setenv(
        "DOORSTEP_WHATSAPP_TEMPLATES", f'{{"invitation": {{"en": "HX{sid}", "cy": "HX{sid}"}}}}'
    )
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    expected = "WhatsApp (Twilio) is on. Templates: invitations in cy, en; no reminders"
    assert expected in result.output


def test_check_says_whatsapp_is_off_without_a_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOORSTEP_WHATSAPP_FROM", raising=False)
    result = runner.invoke(app, ["check"])
    assert "WhatsApp is off: set DOORSTEP_WHATSAPP_FROM" in result.output
