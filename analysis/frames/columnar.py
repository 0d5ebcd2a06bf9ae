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

SQLite is read by ADBC in a child process, never in this one: the ADBC driver carries its
own copy of the SQLite library, and two copies in one process break each other's file
locks (closing one copy's file drops the locks the other holds, see "How To Corrupt An
SQLite Database File", 2.2.1) — the service's writers would then see I/O errors or worse.
The child sends each result back as an Arrow IPC stream over a pipe, which costs a copy
but no conversion. It is kept between `reading()`s (ending its transaction each time), so
it keeps the file open like the service's own pooled connections do: restore a database
through SQLite's backup API (`doorstep db restore`), never by renaming a file over it.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import struct
import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, make_url
from sqlalchemy.exc import CompileError
from sqlalchemy.sql import Select

from bot.storage.db import SQLITE_BUSY_TIMEOUT_MS

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
            return _idle_reader(parsed.database) or SqliteReader(parsed.database)
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
        _release(connection)
        return
    try:
        connection.rollback()  # nothing was written: end the read transaction
    finally:
        connection.close()


# The child: reads SQL (one JSON string a line), answers "K" + 8-byte length + an Arrow IPC
# stream, or "E" + the error's name and a newline; null ends the read transaction (the
# next query starts a new snapshot). It imports nothing from Doorstep.
WORKER = """
import json, struct, sys
import adbc_driver_sqlite.dbapi as driver
import pyarrow as pa
connection = driver.connect(sys.argv[1])
cursor = connection.cursor()
cursor.execute("PRAGMA busy_timeout=" + sys.argv[2])
cursor.fetchall()
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    try:
        sql = json.loads(line)
        if sql is None:
            connection.rollback()
            out.write(b"K" + struct.pack("<Q", 0))
            out.flush()
            continue
        cursor.execute(sql)
        table = cursor.fetch_arrow_table()
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        data = sink.getvalue()
        out.write(b"K" + struct.pack("<Q", data.size))
        out.write(data)
    except Exception as problem:
        out.write(b"E" + type(problem).__name__.encode() + b"\\n")
    out.flush()
connection.rollback()
connection.close()
"""


class SqliteReader:
    """ADBC over one SQLite file in a child process: one read transaction per `reading()`,
    the process kept between them (starting one costs a few tenths of a second)."""

    def __init__(self, path: str) -> None:
        import adbc_driver_sqlite  # noqa: F401  (fail here, in this process, if missing)

        self.path = path
        self.owner = os.getpid()
        self.healthy = True
        self.file = _identity(path)  # a file replaced since (a restore) needs a new reader
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
            [sys.executable, "-c", WORKER, path, str(SQLITE_BUSY_TIMEOUT_MS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def read(self, sql: str) -> Any:
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

        data = self._ask(sql)
        return pa.ipc.open_stream(pa.py_buffer(data)).read_all()

    def end_transaction(self) -> None:
        self._ask(None)

    def _ask(self, sql: str | None) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.healthy = False  # until a whole answer has come back
        self.process.stdin.write(json.dumps(sql).encode() + b"\n")
        self.process.stdin.flush()
        status = self.process.stdout.read(1)
        if status != b"K":
            detail = self.process.stdout.readline().decode(errors="replace").strip()
            self.healthy = status == b"E"
            raise RuntimeError(f"the columnar reader failed: {detail or 'it stopped'}")
        (size,) = struct.unpack("<Q", self.process.stdout.read(8))
        data = self.process.stdout.read(size)
        self.healthy = len(data) == size
        return data

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


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
    try:
        compiled = query.compile(dialect=connection.dialect,
                                 compile_kwargs={"literal_binds": True})  # fmt: skip
    except (CompileError, NotImplementedError):
        return None
    try:
        if isinstance(columnar, SqliteReader):
            table = columnar.read(str(compiled))
        else:
            with columnar.cursor() as cursor:
                cursor.execute(str(compiled))
                table = cursor.fetch_arrow_table()
    except Exception as problem:  # e.g. a column whose type changes part way through
        logger.info("columnar read failed (%s); reading row by row", type(problem).__name__)
        return None
    if table.num_rows == 0:
        return None  # the row reader's empty frame has the agreed column types
    return _frame(table, categories, texts)


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


# One idle reader per database file, per process, for the next `reading()`; a few at most
# (a test run opens hundreds of database files).
MAX_IDLE = 2
_IDLE: dict[str, SqliteReader] = {}
_IDLE_LOCK = threading.Lock()


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def _idle_reader(path: str) -> SqliteReader | None:
    with _IDLE_LOCK:
        reader = _IDLE.pop(path, None)
    if reader is None:
        return None
    same_file = reader.file == _identity(path)
    if reader.owner == os.getpid() and reader.process.poll() is None and same_file:
        return reader
    if reader.owner == os.getpid():
        reader.close()
    return None  # a forked copy's pipes belong to the parent: leave them alone


def _release(reader: SqliteReader) -> None:
    """End the reader's transaction and keep it for the next read (or close it)."""
    try:
        if reader.healthy:
            reader.end_transaction()
    except (OSError, RuntimeError, struct.error):
        reader.healthy = False
    keep = reader.healthy and reader.process.poll() is None
    evicted: list[SqliteReader] = []
    with _IDLE_LOCK:
        if keep and reader.path not in _IDLE:
            _IDLE[reader.path] = reader
            while len(_IDLE) > MAX_IDLE:
                evicted.append(_IDLE.pop(next(iter(_IDLE))))
        else:
            evicted.append(reader)
    for old in evicted:
        if old.owner == os.getpid():
            old.close()


@atexit.register
def _close_idle() -> None:
    with _IDLE_LOCK:
        readers = list(_IDLE.values())
        _IDLE.clear()
    for reader in readers:
        if reader.owner == os.getpid():
            reader.close()
