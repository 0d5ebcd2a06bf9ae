"""A database that cannot be written: found at once, said in one sentence, logged sparingly.

Tests run as root, which ignores file permissions, so a read-only database is made the way
the database itself enforces it: SQLite opened with `mode=ro`, PostgreSQL with every
transaction read-only (`default_transaction_read_only`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.dispatch.dispatcher import Dispatcher, DispatchStats
from bot.service import Service
from bot.storage.db import Database
from bot.storage.health import DatabaseUnavailable, OutageLog, check_usable, probe_writable
from tests.bot.dispatch.test_dispatcher import FakeSender, start_many
from tests.support.services import Clock


def read_only_url(url: str) -> str:
    """The same database, opened so that it refuses every write."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return url + "%20-cdefault_transaction_read_only%3Don"  # conftest's URL ends in options=


def where(url: str) -> str:
    """How the sentence names the database: the file's path, or the database's name."""
    if url.startswith("sqlite:///"):
        return str(Path(url.removeprefix("sqlite:///")).resolve())
    return f'"{make_url(url).database}" on'


def test_a_writable_database_passes_the_probe(database: Database) -> None:
    assert probe_writable(database) is None
    check_usable(database)  # raises if not


def test_a_read_only_database_is_named_in_one_sentence(database_url: str) -> None:
    read_only = Database(read_only_url(database_url))
    try:
        problem = probe_writable(read_only)
        with pytest.raises(DatabaseUnavailable) as raised:
            check_usable(read_only)
    finally:
        read_only.dispose()
    assert problem is not None and where(database_url) in problem
    assert problem.endswith(".") and ". " not in problem and "\n" not in problem  # one sentence
    assert str(raised.value) == problem


def test_the_probe_leaves_nothing_behind(database: Database) -> None:
    from sqlalchemy import text

    with database.engine.connect() as connection:
        before = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert probe_writable(database) is None
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == before


def test_a_missing_folder_is_named_before_anything_is_opened(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "there"
    database = Database(f"sqlite:///{folder}/doorstep.db")
    with pytest.raises(DatabaseUnavailable, match="does not exist") as raised:
        check_usable(database)
    database.dispose()
    assert str(folder) in str(raised.value) and f"mkdir -p {folder}" in str(raised.value)
    assert not folder.exists()


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "bot.dispatch.dispatcher" and "database" in r.message
    ]


def test_the_outage_log_speaks_once_a_minute_and_on_recovery(
    clock: Clock, caplog: pytest.LogCaptureFixture, database_url: str
) -> None:
    from sqlalchemy.exc import OperationalError

    log = OutageLog(logging.getLogger("bot.dispatch.dispatcher"), "the dispatcher")
    error = OperationalError("UPDATE", {}, Exception("disk I/O error"))
    caplog.set_level(logging.INFO)
    log.recovered(clock())  # nothing was wrong: nothing to say
    for _ in range(7):  # 0, 20, ... 120 seconds
        log.failed(error, database_url, clock())
        clock.advance(seconds=20)
    log.recovered(clock())
    log.recovered(clock())
    lines = [record.getMessage() for record in outage_lines(caplog)]
    assert len(lines) == 4, lines  # at 0, 60 and 120 seconds, then the recovery
    assert all("waiting for the database" in line for line in lines[:3])
    assert "works again" in lines[3] and "2 minute(s)" in lines[3]


class CountedDispatcher(Dispatcher):
    """Advances the clock 20 s a round; `after_round(n)` may swap the database or stop."""

    def __init__(self, *args: Any, after_round: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rounds = 0
        self.after_round = after_round

    async def run_once(self) -> DispatchStats:
        try:
            return await super().run_once()
        finally:
            self.rounds += 1
            self.clock.advance(seconds=20)  # type: ignore[attr-defined]
            self.after_round(self)


def test_the_dispatcher_logs_an_unwritable_database_without_tracebacks(
    service: Service, database_url: str, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    start_many(service, 2)  # due rows, so each round tries to claim (write) them
    read_only = Database(read_only_url(database_url))
    stop = asyncio.Event()

    def after_round(dispatcher: CountedDispatcher) -> None:
        if dispatcher.rounds == 10:  # 200 s of outage: the database is writable again
            dispatcher.database = service.database
        if dispatcher.rounds == 12:
            stop.set()

    sender = FakeSender()
    dispatcher = CountedDispatcher(read_only, {"sms": sender}, clock=clock, after_round=after_round)
    caplog.set_level(logging.INFO)
    try:
        asyncio.run(dispatcher.run(stop, idle_seconds=0))
    finally:
        read_only.dispose()
    lines = outage_lines(caplog)
    messages = [record.getMessage() for record in lines]
    assert len(messages) == 5, messages  # at 20, 80, 140 and 200 s, then the recovery
    assert all(where(database_url) in message for message in messages[:4])
    assert "works again" in messages[4]
    assert all(record.exc_info is None for record in caplog.records)
    assert len(sender.sent) == 2  # once writable, the due messages went out
