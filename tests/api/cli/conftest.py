"""What the command-line tests share: the test database as the one `doorstep` commands use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.settings import get_settings


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point `doorstep` at this test's database (SQLite or PostgreSQL) for the test."""
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
