"""Inserting many rows at driver speed, stored exactly as SQLAlchemy would store them.

The bulk writer (`bot.engine.bulk`) builds its rows as lists already in their stored form,
using the two conversions `stored_form` gives for the database (`bot.storage.stored_form`:
datetimes and JSON as SQLAlchemy's column types write them, the same conversions the
engine's prepared statements use); on PostgreSQL the `json` type keeps the text it gets.
Skipping SQLAlchemy's per-row parameter handling is most of the speed; the rest is the
driver: one `executemany` per table on SQLite, one `COPY ... FROM STDIN` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table

# SQLite's page cache while a bulk load runs (KiB; the default is 2 MiB): the index B-trees
# that take keys in no particular order (outbox due times, who heard what when) stay in memory
# instead of being read back from the file for nearly every row.
LOADING_CACHE_KIB = 256 * 1024


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
