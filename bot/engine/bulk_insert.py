"""Inserting many rows at driver speed, stored exactly as SQLAlchemy would store them.

The bulk writer (`bot.engine.bulk`) builds its rows as lists already in their stored form,
using the two conversions `stored_form` gives for the database: datetimes (UTC) and JSON.
They write the same values SQLAlchemy's column types write for the engine's own inserts:
on SQLite a datetime is the text `2026-01-05 09:00:00.000000` (what the SQLite DATETIME
type stores) and JSON is `json.dumps` text, None included (`null`, as the JSON type does);
on PostgreSQL psycopg adapts datetimes itself and the `json` type keeps the text it gets.
Skipping SQLAlchemy's per-row parameter handling is most of the speed; the rest is the
driver: one `executemany` per table on SQLite, one `COPY ... FROM STDIN` on PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from json import dumps
from typing import Any

from sqlalchemy import Connection, Table

UTC = datetime.UTC
# SQLite's page cache while a bulk load runs (KiB; the default is 2 MiB): the index B-trees
# that take keys in no particular order (outbox due times, who heard what when) stay in memory
# instead of being read back from the file for nearly every row.
LOADING_CACHE_KIB = 256 * 1024
Stamp = Callable[[datetime.datetime | None], Any]
JsonText = Callable[[Any], str]


def sqlite_datetime(value: datetime.datetime | None) -> str | None:
    """A UTC datetime as SQLAlchemy's SQLite DATETIME stores it (`isoformat` on an aware
    datetime costs several times more than this arithmetic on the time since 1970)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    since = value - EPOCH  # aware arithmetic: the UTC time, whatever the zone
    day = _DAYS.get(since.days)
    if day is None:
        day = _DAYS[since.days] = (EPOCH + datetime.timedelta(days=since.days)).strftime(
            "%Y-%m-%d "
        )
    micro = since.microseconds
    return day + _CLOCK[since.seconds] + (f".{micro:06d}" if micro else ".000000")


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
_DAYS: dict[int, str] = {}
_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]


def utc_datetime(value: datetime.datetime | None) -> datetime.datetime | None:
    """PostgreSQL: psycopg writes the datetime itself; only refuse a naive one."""
    if value is not None and value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value


def json_text(value: Any) -> str:
    """`json.dumps(value)`, with the common scalars short-cut to the same text."""
    kind = type(value)
    if kind is str:
        return f'"{value}"' if value.isascii() and value.isalnum() else dumps(value)
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if not value and (kind is list or kind is dict or kind is tuple):
        return "{}" if kind is dict else "[]"  # no buttons, a closed session's copies
    return dumps(value)


def stored_form(dialect: str) -> tuple[Stamp, JsonText]:
    """How this database (dialect name) stores a UTC datetime and a JSON value."""
    return (sqlite_datetime if dialect == "sqlite" else utc_datetime), json_text


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows (values for `columns`, in stored form) in the current transaction."""
    if not rows:
        return
    driver = connection.connection.driver_connection
    quoted = ", ".join(f'"{name}"' for name in columns)
    if connection.dialect.name == "postgresql":
        with (
            driver.cursor() as cursor,  # type: ignore[union-attr]
            cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    driver.executemany(  # type: ignore[union-attr]
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})',  # noqa: S608 - our names
        rows,
    )


@contextmanager
def bulk_loading(connection: Connection) -> Iterator[None]:
    """Settings for a bulk load on this connection, back to what they were afterwards.

    SQLite only, and only the page cache: durability (`synchronous`), journaling and
    foreign key checks stay as the engine has them."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver: Any = connection.connection.driver_connection
    (before,) = driver.execute("PRAGMA cache_size").fetchone()
    driver.execute(f"PRAGMA cache_size=-{LOADING_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={int(before)}")
