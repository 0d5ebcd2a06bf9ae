"""`doorstep campaign create --dry-run` prints the pre-launch estimate and stores nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli.main import app
from bot.service import Service
from bot.settings import get_settings
from bot.storage.tables import CAMPAIGNS
from tests.support.campaigns import add_tenant, phone

runner = CliRunner()


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    monkeypatch.setenv("DOORSTEP_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("DOORSTEP_TWILIO_AUTH_TOKEN", "secret")
    monkeypatch.setenv("DOORSTEP_TWILIO_MESSAGING_SERVICE_SID", "MG" + "0" * 32)
    monkeypatch.setenv("DOORSTEP_SMS_PRICE_PER_PART", "0.05")
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_dry_run_shows_parts_per_language_cost_and_reasons(
    cli_database: str, service: Service
) -> None:
    add_tenant(service, "T-1", sms=phone(1), language="ur", attributes={"area": "North"})
    add_tenant(service, "T-2", sms=phone(2), language="en", attributes={"area": "North"})
    add_tenant(service, "T-3", telegram="42", attributes={"area": "North"})
    result = runner.invoke(
        app,
        [
            "campaign", "create", "--name", "Winter", "--questionnaire", "post_repair",
            "--start", "2026-12-01 09:00", "--area", "North", "--channels", "sms",
            "--dry-run",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 tenants in the audience; 3 invited" in result.output
    assert "SMS questions: 2 invitations" in result.output
    assert "اردو (ur)" in result.output and "UCS-2" in result.output
    assert "GBP" in result.output
    assert "Cannot be reached (1): No usable channel" in result.output
    with service.database.engine.connect() as connection:
        assert connection.execute(select(CAMPAIGNS.c.id)).first() is None
