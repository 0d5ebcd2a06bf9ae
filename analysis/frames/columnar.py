"""Columnar reads: query results arrive as Arrow columns through ADBC, not Python tuples.

Reading a million answer rows through the Python database drivers builds a tuple per row
and a Python object per value, which pandas then inspects one by one; the ADBC drivers
(`adbc-driver-sqlite`, `adbc-driver-postgresql`) hand back whole Arrow columns built in C,
about three times faster for the answers. `analysis.frames.sql.reading` opens one ADBC
reader beside its SQLAlchemy connection, in one read transaction (SQLite: a deferred
transaction in WAL mode; PostgreSQL: REPEATABLE READ), and `read_frame` uses it for every
query it can render as plain SQL. Whatever cannot go this way (an in-memory database, a
query the dialect cannot render with its values inline, a driver error) falls back to the
row-by-row reader, which gives the same frame.

SQLite is read by ADBC in a child process (`analysis.frames.sqlite_reader`), which
works on another core while this process works on what it has already read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, make_url
from sqlalchemy.exc import CompileError
from sqlalchemy.sql import Select

from analysis.frames.sqlite_reader import SqliteReader, idle_reader, release_reader

logger = logging.getLogger(__name__)
INFO_KEY = "doorstep.analysis.adbc"  # where `reading` keeps the ADBC connection
INTEGER_TYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32")


def open_columnar(url: str) -> Any | None:
    """An ADBC connection to the same database in a read transaction, or None if there is
    no driver for it (or the database lives only in this process's memory)."""
    parsed = make_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                return None
            return idle_reader(parsed.database) or SqliteReader(parsed.database)
        if parsed.get_backend_name() == "postgresql":
            import adbc_driver_postgresql.dbapi as postgres_driver  # type: ignore[import-untyped,unused-ignore]

            uri = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            connection = postgres_driver.connect(uri)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return connection
    except Exception as problem:  # no driver, or it cannot connect: read row by row
        logger.info("columnar reads unavailable (%s); reading row by row", type(problem).__name__)
    return None


def close_columnar(connection: Any | None) -> None:
    if connection is None:
        return
    if isinstance(connection, SqliteReader):
        release_reader(connection)
        return
    try:
        connection.rollback()  # nothing was written: end the read transaction
    finally:
        connection.close()


def read_columnar(
    connection: Connection,
    query: Select[Any],
    *,
    categories: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
) -> pd.DataFrame | None:
    """The query's frame read through ADBC, or None when this query cannot go that way."""
    columnar = connection.info.get(INFO_KEY)
    if columnar is None:
        return None
    sql = _inline_sql(connection, query)
    if sql is None:
        return None
    try:
        if isinstance(columnar, SqliteReader):
            table = columnar.read(sql)
        else:
            with columnar.cursor() as cursor:
                cursor.execute(sql)
                table = cursor.fetch_arrow_table()
    except Exception as problem:  # e.g. a column whose type changes part way through
        logger.info("columnar read failed (%s); reading row by row", type(problem).__name__)
        return None
    if table.num_rows == 0:
        return None  # the row reader's empty frame has the agreed column types
    return _frame(table, categories, texts)


def prefetch(connection: Connection, queries: list[Select[Any]]) -> None:
    """Start these queries in the SQLite reader child now, in this order, so it reads
    them while this process works; `read_frame` of each later takes its answer. Nothing
    happens without a child reader (PostgreSQL reads in this process)."""
    columnar = connection.info.get(INFO_KEY)
    if not isinstance(columnar, SqliteReader):
        return
    for query in queries:
        sql = _inline_sql(connection, query)
        if sql is not None:
            columnar.prefetch(sql)


def _inline_sql(connection: Connection, query: Select[Any]) -> str | None:
    """The query as plain SQL with its values written in, or None if the dialect cannot."""
    try:
        compiled = query.compile(dialect=connection.dialect,
                                 compile_kwargs={"literal_binds": True})  # fmt: skip
    except (CompileError, NotImplementedError):
        return None
    return str(compiled)


class PartsFailed(RuntimeError):
    """A parted read broke off after some parts: read the query again another way."""


def read_columnar_parts(
    connection: Connection,
    query: Select[Any],
    rows: int,
    *,
    categories: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
) -> Iterator[pd.DataFrame] | None:
    """The query's frame in parts of about `rows` rows as the SQLite reader child reads
    them (so this process works on one part while the child reads the next), or None when
    the query cannot be read in parts (no child reader: PostgreSQL reads in this process).
    Raises PartsFailed part way if the child fails."""
    columnar = connection.info.get(INFO_KEY)
    if not isinstance(columnar, SqliteReader):
        return None
    sql = _inline_sql(connection, query)
    return _parts(columnar, sql, rows, categories, texts) if sql is not None else None


def _parts(
    reader: SqliteReader, sql: str, rows: int, categories: tuple[str, ...], texts: tuple[str, ...]
) -> Iterator[pd.DataFrame]:
    try:
        for table in reader.read_parts(sql, rows):
            yield _frame(table, categories, texts)
    except (OSError, RuntimeError) as problem:
        logger.info("columnar read in parts failed (%s)", type(problem).__name__)
        raise PartsFailed(type(problem).__name__) from problem


def _frame(table: Any, categories: tuple[str, ...], texts: tuple[str, ...]) -> pd.DataFrame:
    """Columns typed as the row-by-row reader types them (`sql.read_frame`)."""
    columns: dict[str, Any] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = str(column.type)
        if column.null_count == 0 and kind in INTEGER_TYPES:
            columns[name] = column.to_numpy().astype(np.int64)
        elif kind in ("double", "float") and column.null_count < len(column):
            columns[name] = column.to_numpy().astype(np.float64)  # nulls become NaN
        elif kind == "bool" and column.null_count == 0 and name not in categories:
            columns[name] = column.to_numpy().astype(bool)
        elif kind == "string" and name in categories:
            columns[name] = _categorical(column)
        else:
            values = pd.Series(column.to_numpy(zero_copy_only=False), dtype=object)
            if kind != "string":  # text comes with None for NULL; numbers with NaN
                values = values.where(values.notna(), None)
            if name in categories:
                columns[name] = values.astype("category")
            elif name in texts:
                columns[name] = values
            else:
                columns[name] = values.infer_objects()
    return pd.DataFrame(columns)


def _categorical(column: Any) -> Any:
    """A text column as pandas makes a category of it (categories sorted), built from the
    Arrow dictionary, so a million values never become Python strings."""
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    encoded = column.combine_chunks().dictionary_encode()
    dictionary = encoded.dictionary.to_pylist()
    categories = pd.Series(dictionary, dtype=object).astype("category").cat.categories
    remap = np.append(categories.get_indexer(dictionary), -1)  # position -1: NULL
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(remap[indices], dtype=pd.CategoricalDtype(categories))
