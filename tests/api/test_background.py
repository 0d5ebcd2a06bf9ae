"""The scheduler and dispatcher run in one process; a standby takes over when it stops."""

from __future__ import annotations

import time

import pytest

from api import background
from api.background import BackgroundWork
from bot.service import Service
from bot.storage.db import Database
from channels.registry import ChannelRegistry


def test_a_standby_takes_over_when_the_leader_stops(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "RETRY_SECONDS", 0.05)
    other_database = Database(service.settings.database_url)
    other = Service(service.settings, other_database, service.registry, service.engine)
    first, second = (
        BackgroundWork(service, ChannelRegistry([])),
        BackgroundWork(other, ChannelRegistry([])),
    )
    first.start()
    second.start()
    try:
        assert first.scheduler is not None
        if service.database.engine.dialect.name == "sqlite":
            return  # one process serves SQLite, and it always leads
        assert second.scheduler is None  # standing by
        first.stop()  # as when its process ends: the lock goes with it
        deadline = time.monotonic() + 20
        while second.scheduler is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second.scheduler is not None
    finally:
        first.stop()
        second.stop()
        other_database.dispose()
