"""Backups taken under write load restore to a whole database holding every acknowledged
answer; restores check what they are given. SQLite only: PostgreSQL uses pg_dump."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.engine.engine import Engine
from bot.engine.messages import InboundMessage
from bot.settings import DEFAULT_QUESTIONNAIRES, Settings
from bot.storage.backup import BackupProblem, back_up, check_file, restore
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.storage.tables import ANSWERS
from tests.support.services import make_registry

REPLIES = ("REPAIR", "yes", "2", "no")  # the last two each store an answer


@dataclass
class Live:
    path: Path
    url: str
    engine: Engine


@pytest.fixture
def live(sqlite_template: Path, tmp_path: Path) -> Iterator[Live]:
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    settings = Settings(
        environment="test",
        database_url=url,
        questionnaires_dir=DEFAULT_QUESTIONNAIRES,
        landlord_name="Riverside Homes",
    )
    database = Database(url)
    yield Live(path, url, Engine(database, make_registry(settings), settings))
    database.dispose()


def answers_in(url: str) -> int:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(ANSWERS)).scalar_one())
    finally:
        database.dispose()


def converse(engine: Engine, stop: threading.Event) -> None:
    """Tenant after tenant answering the repair survey, until stopped."""
    for tenant in itertools.count():
        for step, text in enumerate(REPLIES):
            if stop.is_set():
                return
            address = f"+4477009{tenant:05d}"
            engine.handle(InboundMessage("sms", address, f"SM{tenant}-{step}", text, utcnow()))


def test_a_backup_under_write_load_restores_every_acknowledged_answer(
    live: Live, tmp_path: Path
) -> None:
    stop = threading.Event()
    writer = threading.Thread(target=converse, args=(live.engine, stop))
    writer.start()
    try:
        acknowledged = 0
        while acknowledged < 20 and writer.is_alive():
            acknowledged = answers_in(live.url)
        back_up(live.url, tmp_path / "backup.db")
        more = acknowledged
        while more <= acknowledged and writer.is_alive():  # the backup held no writer up
            more = answers_in(live.url)
    finally:
        stop.set()
        writer.join()
    assert more > acknowledged, "the writer stopped"

    restored = tmp_path / "restored.db"
    restore(tmp_path / "backup.db", f"sqlite:///{restored}")
    count = answers_in(f"sqlite:///{restored}")
    assert acknowledged <= count <= answers_in(live.url)
    with sqlite3.connect(restored) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        # Every answer arrived with its message, and every message got its reply.
        orphans = connection.execute(
            "SELECT count(*) FROM answers a LEFT JOIN inbound_messages i "
            "ON i.id = a.inbound_message_id WHERE i.id IS NULL"
        ).fetchone()
        unanswered = connection.execute(
            "SELECT count(*) FROM inbound_messages WHERE reply_id IS NULL"
        ).fetchone()
    assert orphans == (0,) and unanswered == (0,)


def test_the_backup_file_stands_alone_and_is_not_overwritten(live: Live, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    back_up(live.url, target)
    assert sorted(path.name for path in tmp_path.iterdir() if "backup" in path.name) == [
        "backup.db"
    ]  # no -wal beside it, no partial left behind
    with pytest.raises(BackupProblem, match="already exists"):
        back_up(live.url, target)
    back_up(live.url, target, overwrite=True)
    assert check_file(target).revision


def test_restore_refuses_an_open_database_unless_forced(live: Live, tmp_path: Path) -> None:
    back_up(live.url, tmp_path / "backup.db")
    live.engine.handle(InboundMessage("sms", "+447700900001", "SM-x", "REPAIR", utcnow()))
    with pytest.raises(BackupProblem, match="stop the service first, or add --force"):
        restore(tmp_path / "backup.db", live.url)
    restore(tmp_path / "backup.db", live.url, force=True)
    assert answers_in(live.url) == 0


def test_restore_refuses_damaged_and_foreign_files(live: Live, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupProblem, match="not a SQLite database, or it is damaged"):
        restore(garbage, live.url, force=True)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(BackupProblem, match="not a Doorstep database"):
        restore(foreign, live.url, force=True)
    with pytest.raises(BackupProblem, match="no file"):
        restore(tmp_path / "missing.db", live.url)


def test_postgresql_is_pointed_at_pg_dump(tmp_path: Path) -> None:
    with pytest.raises(BackupProblem, match="pg_dump"):
        back_up("postgresql://doorstep@127.0.0.1/doorstep", tmp_path / "x.db")
