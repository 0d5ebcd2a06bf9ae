"""Bulk reads for analysis: one query per table, converted to columns without row loops.

Timestamps are read as epoch seconds computed by the database and JSON values as text, so
pandas converts whole columns at once instead of SQLAlchemy converting one row at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Float,
    Text,
    cast,
    create_engine,
    event,
    func,
    literal_column,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import ColumnElement, Select

from analysis.frames.columnar import (
    INFO_KEY,
    PartsFailed,
    close_columnar,
    open_columnar,
    read_columnar,
    read_columnar_parts,
)
from bot.storage.db import SQLITE_BUSY_TIMEOUT_MS, Database, is_sqlite

CHUNK_ROWS = 200_000
PART_ROWS = 200_000  # rows per part of a parted read (`map_frame_parts`)
T = TypeVar("T")
COLUMNAR = True  # read through ADBC where a driver fits; tests turn it off to compare


@contextmanager
def reading(database: Database) -> Iterator[Connection]:
    """A connection for long reads that never holds up the service's writers.

    The service begins every SQLite transaction IMMEDIATE (it takes the write lock); an
    analysis read of a million rows must not, so on SQLite it gets its own engine whose
    transactions are plain deferred reads of one consistent snapshot (WAL mode).
    """
    in_memory = database.url in ("sqlite://", "sqlite:///:memory:")
    if not is_sqlite(database.engine) or in_memory:  # a second engine would see nothing
        with database.engine.connect() as connection, _columnar(connection, database.url):
            yield connection
        return
    engine = _sqlite_reader(database.url)
    try:
        with engine.connect() as connection, _columnar(connection, database.url):
            yield connection
    finally:
        engine.dispose()


@contextmanager
def _columnar(connection: Connection, url: str) -> Iterator[None]:
    """An ADBC connection beside this one for `read_frame` (analysis.frames.columnar)."""
    columnar = open_columnar(url) if COLUMNAR else None
    if columnar is not None:
        connection.info[INFO_KEY] = columnar
    try:
        yield
    finally:
        connection.info.pop(INFO_KEY, None)
        close_columnar(columnar)


def _sqlite_reader(url: str) -> Engine:
    # No pool: the connection closes with the read, nothing stays open on the file.
    engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=NullPool)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

    def on_begin(connection: Any) -> None:
        connection.connection.driver_connection.execute("BEGIN")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)
    return engine


def epoch(column: Any, dialect: str) -> ColumnElement[float]:
    """Seconds since 1970 as a float, from a UTC timestamp column, on either database."""
    if dialect == "sqlite":
        # Stored as naive UTC text; julianday reads it, to well under a millisecond.
        seconds = (func.julianday(column) - literal_column("2440587.5")) * literal_column("86400.0")
        return cast(seconds, Float)
    return cast(func.extract("epoch", column), Float)


def json_text(column: Any) -> ColumnElement[str]:
    """A JSON column as its text, to be decoded a column at a time."""
    return cast(column, Text)


def read_frame(
    connection: Connection,
    query: Select[Any],
    *,
    categories: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Run one query and build a frame from it: as Arrow columns through ADBC inside
    `reading` (analysis.frames.columnar), otherwise row by row in chunks.

    Rows come straight from the driver's cursor as plain tuples: building SQLAlchemy row
    objects and letting pandas inspect each one took four times as long as the query.
    Columns needing conversion are converted in SQL (see `epoch`, `json_text`). String
    columns become categories (`categories`) or stay Python strings (`texts`); the rest
    are inferred (numbers, booleans).
    """
    columnar = read_columnar(connection, query, categories=categories, texts=texts)
    if columnar is not None:
        return columnar
    # No stream_results: SQLAlchemy would buffer the first rows itself and the cursor
    # would no longer see them.
    result = connection.execute(query)
    columns = list(result.keys())
    cursor = result.cursor
    parts: list[pd.DataFrame] = []
    try:
        while rows := cursor.fetchmany(CHUNK_ROWS):
            parts.append(pd.DataFrame(rows, columns=columns, dtype=object))
    finally:
        result.close()
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    for name in columns:
        if name in categories:
            frame[name] = frame[name].astype("category")
        elif name not in texts:
            frame[name] = frame[name].infer_objects()
    return frame


def map_frame_parts(
    connection: Connection,
    query: Select[Any],
    work: Callable[[pd.DataFrame], T],
    *,
    rows: int | None = None,
    categories: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
) -> list[T]:
    """`work` done on the query's frame part by part while the SQLite reader child reads
    the next part, so reading and working use both cores; one part (the whole frame)
    wherever the query cannot be read in parts. An empty result is one empty part.

    The parts together are exactly `read_frame`'s rows in the query's order, so `work`
    must give the same result on the parts as on the whole (order the query).
    """
    size = rows or PART_ROWS
    parts = read_columnar_parts(connection, query, size, categories=categories, texts=texts)
    if parts is not None:
        try:
            done = [work(part) for part in parts]
        except PartsFailed:
            done = []  # read it again, whole, the way read_frame can
        if done:
            return done
    return [work(read_frame(connection, query, categories=categories, texts=texts))]


def to_utc(seconds: pd.Series) -> pd.Series:
    """Epoch seconds (NaN for missing) as timezone-aware UTC timestamps, to the millisecond."""
    values = pd.to_numeric(seconds, errors="coerce").to_numpy(dtype=np.float64)
    millis = np.round(values * 1000.0)
    result = pd.to_datetime(pd.Series(millis, index=seconds.index), unit="ms", utc=True)
    return result
