"""Database engines and transactions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.group_commit import GroupCommit

SQLITE_BUSY_TIMEOUT_MS = 30_000
# One writer on PostgreSQL too. Four wrote side by side before, but every round trip of
# every writer cost a thread wake-up and a hand-over of the interpreter lock, and smaller
# batches cost more commits: one writer with bigger batches spends about a quarter less CPU
# per webhook in this process and the database's together (docs/performance.md). Scale
# out with more API processes instead.
POSTGRES_PARALLEL_WRITERS = 1


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **options: Any) -> Engine:
    """An engine with the settings Doorstep relies on.

    SQLite: WAL so readers never block the writer; synchronous=FULL so an acknowledged webhook
    survives a power cut; a busy timeout; foreign keys on; every transaction `BEGIN IMMEDIATE`
    so two writers queue instead of failing half-way with "database is locked".
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, hide_parameters=True, **options
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Parameters are tenants' data (phone numbers, replies): keep them out of error messages.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **options)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Straight to the driver: this runs once per transaction on the hot path. Group commit
    # may have begun by hand already (`bot.storage.group_commit`): then SQLAlchemy's
    # transaction joins that one.
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")


def sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(url.removeprefix(prefix)) if url.startswith(prefix) else None


class Database:
    """The engine plus a session factory; one per process."""

    def __init__(self, url: str, **options: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **options)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The engine's writes, batched (one leader at a time on both databases).
        parallel = 1 if is_sqlite(self.engine) else POSTGRES_PARALLEL_WRITERS
        self.writes = GroupCommit(self.engine, parallel=parallel)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        with self.sessions.begin() as session:
            yield session

    def create_schema(self) -> None:
        from bot.storage.migrate import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        self.writes.close()
        self.engine.dispose()
