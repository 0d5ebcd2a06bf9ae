"""`doorstep worker` and the scheduler's campaign job."""

from __future__ import annotations

import asyncio
import datetime
import itertools
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from api.cli.main import app
from bot.dispatch.dispatcher import Dispatcher, DispatchStats
from bot.dispatch.sending import RateLimit, SendResult
from bot.dispatch.thread import DispatcherThread
from bot.dispatch.worker import run_dispatcher, run_worker
from bot.engine.messages import OutboundMessage as Message
from bot.service import Service
from bot.settings import get_settings
from bot.storage.db import Database
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
        first = Dispatcher(service.database, {"sms": provider}, worker="one")
        second = Dispatcher(service.database, {"sms": provider}, worker="two")
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


def test_serve_runs_the_same_loop_in_a_thread(service: Service, clock: Clock) -> None:
    add_tenants(service, 3)
    create(service, clock, reminders=0)
    tick(service, clock)
    provider = SlowProvider()
    thread = DispatcherThread(service.database, {"sms": provider})
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(provider.sent) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        thread.stop()
    assert sorted(provider.sent) == [row.id for row in outbox(service)]
    assert {row.status for row in outbox(service)} == {"sent"}


def read_only_url(url: str) -> str:
    """The same database opened so that the database itself refuses every write (tests run
    as root, which ignores file modes)."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return url + "%20-cdefault_transaction_read_only%3Don"  # conftest's URL ends in options=


class ScriptedDispatcher(Dispatcher):
    """Moves the clock 20 s a round and lets the test change things between rounds."""

    def __init__(self, *args: Any, between: Callable[[ScriptedDispatcher], None], **options: Any):
        super().__init__(*args, **options)
        self.rounds = 0
        self.between = between

    async def run_once(self) -> DispatchStats:
        try:
            return await super().run_once()
        finally:
            self.rounds += 1
            self.clock.advance(seconds=20)  # type: ignore[attr-defined]
            self.between(self)


def test_an_unwritable_database_is_logged_once_a_minute_then_its_recovery(
    service: Service, database_url: str, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    add_tenants(service, 2)
    create(service, clock, reminders=0)
    tick(service, clock)  # due rows: every round tries to claim (write) them
    read_only = Database(read_only_url(database_url))
    stop = asyncio.Event()

    def between(dispatcher: ScriptedDispatcher) -> None:
        if dispatcher.rounds == 10:  # 200 s later the database takes writes again
            dispatcher.database = service.database
        if dispatcher.rounds == 12:
            stop.set()

    provider = SlowProvider()
    dispatcher = ScriptedDispatcher(read_only, {"sms": provider}, clock=clock, between=between)
    caplog.set_level(logging.INFO, logger="bot.dispatch")
    try:
        asyncio.run(run_dispatcher(dispatcher, stop, lanes=1, idle_seconds=0))
    finally:
        read_only.dispose()
    said = [record for record in caplog.records if "dispatcher" in record.getMessage()]
    # Rounds fail at 0, 20, ... 180 s: said at 0, 60, 120 and 180 s, then the recovery.
    assert len(said) == 5, [record.getMessage() for record in said]
    assert all("cannot use the database" in record.getMessage() for record in said[:4])
    assert "works again after 200 s" in said[4].getMessage()
    assert all(record.exc_info is None for record in caplog.records)
    assert sorted(provider.sent) == [row.id for row in outbox(service)]


def test_an_unexpected_error_is_logged_with_its_traceback_once_and_the_loop_goes_on(
    service: Service, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    stop = asyncio.Event()
    provider = SlowProvider()

    class Broken(ScriptedDispatcher):
        async def reconcile(self) -> int:
            if self.rounds < 3:
                raise RuntimeError("a bug")
            return await super().reconcile()

    def between(dispatcher: ScriptedDispatcher) -> None:
        if dispatcher.rounds == 4:
            stop.set()

    dispatcher = Broken(service.database, {"sms": provider}, clock=clock, between=between)
    caplog.set_level(logging.INFO, logger="bot.dispatch")
    asyncio.run(run_dispatcher(dispatcher, stop, lanes=1, idle_seconds=0))
    failed = [record for record in caplog.records if "round failed" in record.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is not None  # 3 failures within a minute
    assert any("works again after 60 s" in record.getMessage() for record in caplog.records)
    assert dispatcher.rounds == 4


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
