"""`doorstep whatsapp templates` prints the texts to submit, in every language."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from bot.i18n.languages import LANGUAGES
from bot.settings import get_settings

runner = CliRunner()


def test_the_template_texts_are_printed_in_every_language_with_what_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "DOORSTEP_WHATSAPP_TEMPLATES", '{"invitation": {"cy": "HX' + "c" * 32 + '"}}'
    )
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["whatsapp", "templates"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Invitations (invitation):" in result.output
    assert "Re-openings (reopen):" in result.output
    for language in LANGUAGES:
        assert f"  {language} [" in result.output
    assert f"cy [configured as HX{'c' * 32}]: Helo, {{{{1}}}} sydd yma" in result.output
    assert "en [not configured]: Hello, this is {{1}} about your home." in result.output
