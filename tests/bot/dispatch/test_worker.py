"""`doorstep worker` and the scheduler's campaign job."""

from __future__ import annotations

import asyncio
import datetime
import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from api.cli.main import app
from bot.dispatch.sending import RateLimit, SendResult
from bot.dispatch.worker import WorkerDispatcher, run_worker
from bot.engine.messages import OutboundMessage as Message
from bot.service import Service
from bot.settings import get_settings
from bot.storage.tables import OUTBOUND
from tests.support.campaigns import add_tenants, create, outbox, tick
from tests.support.services import Clock

_ids = itertools.count(1)


@dataclass
class SlowProvider:
    """A sender whose calls take a moment, so two dispatchers really overlap."""

    name: str = "sms"
    rate_limit: RateLimit = field(default_factory=lambda: RateLimit(per_second=1000))
    sent: list[int] = field(default_factory=list)
    accepted: dict[int, str] = field(default_factory=dict)

    async def send(self, message: Message) -> SendResult:
        await asyncio.sleep(0.01)
        self.sent.append(message.id)
        self.accepted[message.id] = f"SM{next(_ids)}"
        return SendResult(self.accepted[message.id])

    @property
    def can_find_sent(self) -> bool:
        return True

    async def find_sent(self, message: Message, since: datetime.datetime) -> SendResult | None:
        await asyncio.sleep(0.005)
        found = self.accepted.get(message.id)
        return SendResult(found) if found else None


# Several dispatch workers are the PostgreSQL set-up; SQLite runs one dispatcher.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_settle_a_dead_workers_claims_without_a_duplicate(
    service: Service, clock: Clock, database_url: str
) -> None:
    add_tenants(service, 60)
    create(service, clock, reminders=0)
    tick(service, clock)
    stale = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    with service.database.engine.begin() as connection:
        connection.execute(
            update(OUTBOUND).values(status="sending", claimed_at=stale, claimed_by="dead:1")
        )
    provider = SlowProvider()

    async def both() -> None:
        first = WorkerDispatcher(service.database, {"sms": provider}, worker="one")
        second = WorkerDispatcher(service.database, {"sms": provider}, worker="two")
        for _ in range(4):
            await asyncio.gather(first.run_once(), second.run_once())

    asyncio.run(both())
    assert Counter(provider.sent) == Counter({row.id: 1 for row in outbox(service)})
    assert {row.status for row in outbox(service)} == {"sent"}


def test_a_worker_sends_what_is_due_and_stops_when_asked(service: Service, clock: Clock) -> None:
    add_tenants(service, 5)
    create(service, clock, reminders=0)
    tick(service, clock)
    provider = SlowProvider()

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_worker(
                service.database,
                {"sms": provider},
                stop,
                stale_after=datetime.timedelta(seconds=60),
            )
        )
        while len(provider.sent) < 5:
            await asyncio.sleep(0.05)
        stop.set()
        stats = await asyncio.wait_for(task, timeout=10)
        assert stats.sent == 5

    asyncio.run(run())
    assert {row.status for row in outbox(service)} == {"sent"}


def test_the_worker_command_explains_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.delenv("DOORSTEP_TWILIO_ACCOUNT_SID", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["worker"])
        assert result.exit_code == 1
        assert "No sending channel is configured" in result.output
        monkeypatch.setenv("DOORSTEP_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
        monkeypatch.setenv("DOORSTEP_TWILIO_AUTH_TOKEN", "token")
        monkeypatch.setenv("DOORSTEP_TWILIO_FROM", "Doorstep")
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["worker"])
        assert result.exit_code == 1
        assert "run `doorstep db upgrade` first" in result.output
    finally:
        get_settings.cache_clear()


def test_the_scheduler_ticks_campaigns(service: Service) -> None:
    from api.scheduler import start_scheduler

    scheduler = start_scheduler(service)
    try:
        job = scheduler.get_job("campaigns")
        assert job is not None
        assert job.trigger.interval == datetime.timedelta(seconds=30)
        assert {"expire-sessions", "retention", "campaigns"} <= {j.id for j in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
