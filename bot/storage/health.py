"""Can the database be written? One sentence for people when it cannot.

A database that opens but refuses writes (a read-only file or folder, a read-only PostgreSQL
transaction or replica) lets reads and `/health` look fine while every conversation fails;
a SQLite path in a missing folder fails on first use. These helpers find both before
anything depends on them, and word them for whoever runs the service.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.storage.db import SQLITE_BUSY_TIMEOUT_MS, Database

# SQLSTATEs that mean "this database will not take writes" rather than a bug in a query.
_READ_ONLY_STATES = {"25006", "42501"}  # read_only_sql_transaction, insufficient_privilege
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
_PROBE_BUSY_TIMEOUT_MS = 2_000  # a writer holding the lock shows the database is writable


class DatabaseUnavailable(Exception):
    """The database cannot be used; `str()` is one sentence saying where and what to do."""


def location(url: str) -> str:
    """Where the database is, for people: a file path, or name and host (never a password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = (parsed.database or "").removeprefix("file:")
        return str(Path(name).resolve()) if name and name != ":memory:" else "in memory"
    port = f":{parsed.port}" if parsed.port else ""
    return f'"{parsed.database or ""}" on {parsed.host or "localhost"}{port}'


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def missing_folder(url: str) -> str | None:
    """A sentence when a SQLite file's folder does not exist (SQLite would not create it)."""
    if not _is_sqlite(url) or location(url) == "in memory":
        return None
    folder = Path(location(url)).parent
    if folder.is_dir():
        return None
    return (
        f"The database folder {folder} does not exist: create it (mkdir -p {folder}) "
        "or set DOORSTEP_DATABASE_URL to a file in a folder that exists."
    )


def is_unavailable(error: BaseException) -> bool:
    """True when the error is the database refusing service, not a mistake in a query."""
    if isinstance(error, OperationalError):
        return True
    if isinstance(error, DBAPIError):
        return getattr(error.orig, "sqlstate", None) in _READ_ONLY_STATES
    return False


def _reason(error: DBAPIError) -> str:
    """SQLite's error name (SQLITE_READONLY) or PostgreSQL's SQLSTATE (25006)."""
    found = getattr(error.orig, "sqlite_errorname", None) or getattr(error.orig, "sqlstate", None)
    return str(found or "")


def describe(error: DBAPIError, url: str) -> str:
    """One sentence for a database error that `is_unavailable`, naming the database."""
    where = f"file {location(url)}" if _is_sqlite(url) else location(url)
    reason = _reason(error)
    if reason in ("SQLITE_READONLY", "SQLITE_CANTOPEN"):
        return (
            f"The database {where} cannot be written to: give the user running Doorstep "
            "write access to the file and its folder, or set DOORSTEP_DATABASE_URL to a "
            "writable place."
        )
    if reason in _READ_ONLY_STATES:
        return (
            f"The database {where} refuses writes: connect to the primary server (not a "
            "read-only replica) as a user that may write, through DOORSTEP_DATABASE_URL."
        )
    first_line = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
    detail = f" ({first_line.rstrip('.')})" if first_line else ""
    return (
        f"The database {where} cannot be used{detail}: check that it is running and that "
        "DOORSTEP_DATABASE_URL points at it."
    )


def probe_writable(database: Database) -> str | None:
    """None when a write would succeed, else a sentence; the probe write is rolled back."""
    try:
        with database.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # before BEGIN IMMEDIATE, which waits this long for the write lock
                raw = connection.connection.driver_connection
                raw.execute(f"PRAGMA busy_timeout={_PROBE_BUSY_TIMEOUT_MS}")  # type: ignore[union-attr]
            try:
                with connection.begin() as transaction:
                    connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
                    transaction.rollback()
            finally:
                if sqlite:
                    raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")  # type: ignore[union-attr]
    except DBAPIError as error:
        if _reason(error) in _BUSY:
            return None  # someone else is writing: the database takes writes
        if "alembic_version" in str(error.orig):
            return (
                f"The database {location(database.url)} has no tables yet: run doorstep db upgrade."
            )
        return describe(error, database.url)
    return None


def check_usable(database: Database, *, migrate: bool = True) -> None:
    """Raise DatabaseUnavailable (one sentence) unless the database can be migrated and written."""
    problem = missing_folder(database.url)
    if problem is None:
        try:
            if migrate:
                database.create_schema()
            problem = probe_writable(database)
        except DBAPIError as error:
            if not is_unavailable(error):
                raise
            problem = describe(error, database.url)
    if problem is not None:
        raise DatabaseUnavailable(problem)
