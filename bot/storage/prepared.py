"""Core statements compiled once per dialect and run straight on the DBAPI cursor.

The engine's hot path runs a handful of fixed statements per reply. SQLAlchemy's per-call
execution machinery costs more than the statements themselves there, so these are compiled
once and executed on the driver's cursor inside the caller's SQLAlchemy transaction. Values
still go through SQLAlchemy's own type processors, so what is written is exactly what the
ORM and Core read back (UTC datetimes, JSON); on SQLite those two go through
`bot.storage.stored_form`, which writes and reads the same text at a fraction of the cost
(checked against SQLAlchemy's processors by `tests/bot/storage/test_stored_form.py`).
"""

from __future__ import annotations

import keyword
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import JSON, Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.selectable import Select
from sqlalchemy.types import TypeEngine

from bot.storage.models import UTCDateTime
from bot.storage.stored_form import (
    json_text,
    sqlite_datetime,
    sqlite_read_datetime,
    sqlite_read_json,
)

Processor = Callable[[Any], Any] | None


def _wrapped(connection: Connection, sql: str, parameters: Any, error: Exception) -> Exception:
    """The driver's error as SQLAlchemy's (IntegrityError, OperationalError, ...), like Core.

    Callers catch `sqlalchemy.exc.IntegrityError` whichever way the statement ran.
    """
    return exc.DBAPIError.instance(
        sql, parameters, error, connection.dialect.loaded_dbapi.Error, hide_parameters=True
    )


def _row_type(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """Result rows with attribute access, like SQLAlchemy's Row, built at C speed."""
    usable = all(
        name.isidentifier() and not name.startswith("_") and not keyword.iskeyword(name)
        for name in names
    )
    if not usable or len(set(names)) != len(names):
        raise ValueError(f"a prepared statement's columns need distinct plain names: {names}")
    return namedtuple("PreparedRow", names)


def _taker(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The values of `names`, in order, taken at C speed (KeyError when one is missing)."""
    getter = itemgetter(*names)
    if len(names) == 1:
        return lambda values: (getter(values),)
    return getter


def _fast_bind(bind_type: TypeEngine[Any], dialect: Dialect) -> Processor:
    """SQLite: the stored-form conversions (same text as SQLAlchemy's, cheaper)."""
    if dialect.name == "sqlite":
        if isinstance(bind_type, UTCDateTime):
            return sqlite_datetime
        plain_json = getattr(dialect, "_json_serializer", None) is None  # json.dumps
        if isinstance(bind_type, JSON) and not bind_type.none_as_null and plain_json:
            return json_text
    return bind_type.dialect_impl(dialect).bind_processor(dialect)


def _fast_result(result_type: TypeEngine[Any], dialect: Dialect) -> Processor:
    if dialect.name == "sqlite":
        if isinstance(result_type, UTCDateTime):
            return sqlite_read_datetime
        plain_json = getattr(dialect, "_json_deserializer", None) is None  # json.loads
        if isinstance(result_type, JSON) and plain_json:
            return sqlite_read_json
    return result_type.dialect_impl(dialect).result_processor(dialect, None)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter order for qmark/format styles
    take: Callable[[Mapping[str, Any]], Any] | None  # the positional values, in order
    converts: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, processor)
    bind_processors: Mapping[str, Processor]
    defaults: dict[str, Any]
    row_type: type[tuple[Any, ...]] | None  # None: the statement returns no rows
    result_processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, processor)
    last_row_id: bool  # the new row's id is the cursor's, not a RETURNING row (SQLite)


_IdRow = _row_type(("id",))


class Prepared:
    """One statement; `column_keys` names the columns an INSERT/UPDATE receives.

    `returns_id`: an INSERT of one row that answers with the new row's id (no row when ON
    CONFLICT DO NOTHING inserted nothing). PostgreSQL gets `RETURNING id`; SQLite reads the
    cursor's last row id instead, as RETURNING there collects its rows in a temporary
    b-tree made and dropped on every call, which cost more than the insert itself.
    """

    def __init__(
        self,
        statement: ClauseElement,
        column_keys: Sequence[str] | None = None,
        *,
        returns_id: bool = False,
    ) -> None:
        if returns_id and not isinstance(statement, Insert):
            raise TypeError("returns_id is for an INSERT statement")
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self.returns_id = returns_id
        self._by_dialect: dict[str, _Compiled] = {}

    def _for_dialect(self, dialect: Dialect) -> ClauseElement:
        if self.returns_id and dialect.name != "sqlite":
            insert = cast(Insert, self.statement)
            return insert.returning(insert.table.c.id)
        return self.statement

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is not None:
            return found
        statement = self._for_dialect(dialect)
        last_row_id = self.returns_id and statement is self.statement
        compiled = cast(
            SQLCompiler, statement.compile(dialect=dialect, column_keys=self.column_keys)
        )
        binds = compiled.binds
        processors = {name: _fast_bind(bind.type, dialect) for name, bind in binds.items()}
        positional = tuple(compiled.positiontup) if compiled.positiontup else None
        take: Callable[[Mapping[str, Any]], Any] | None = None
        converts: tuple[tuple[int, Callable[[Any], Any]], ...] = ()
        if positional:
            take = _taker(positional)
            converts = tuple(
                (number, processor)
                for number, name in enumerate(positional)
                if (processor := processors[name]) is not None
            )
        row_type = None
        results: list[tuple[int, Callable[[Any], Any]]] = []
        columns = getattr(statement, "_returning", None) or ()
        if isinstance(statement, Select):
            columns = tuple(statement.selected_columns)
        if last_row_id:
            row_type = _IdRow
        elif columns:
            row_type = _row_type(tuple(column.key for column in columns))
            for number, column in enumerate(columns):
                processor = _fast_result(column.type, dialect)
                if processor is not None:
                    results.append((number, processor))
        prepared = _Compiled(
            sql=compiled.string,
            positional=positional,
            take=take,
            converts=converts,
            bind_processors=processors,
            defaults={key: value for key, value in compiled.params.items() if value is not None},
            row_type=row_type,
            result_processors=tuple(results),
            last_row_id=last_row_id,
        )
        self._by_dialect[dialect.name] = prepared
        return prepared

    def _parameters(self, compiled: _Compiled, values: Mapping[str, Any]) -> Any:
        if compiled.defaults:
            values = {**compiled.defaults, **values}
        if compiled.take is not None:  # positional parameters
            try:
                ordered = list(compiled.take(values))
            except KeyError:  # a value not given is NULL
                ordered = [values.get(name) for name in compiled.positional or ()]
            for number, processor in compiled.converts:
                ordered[number] = processor(ordered[number])
            return ordered
        processors = compiled.bind_processors
        named = {}
        for name, value in values.items():
            convert = processors.get(name)
            named[name] = value if convert is None else convert(value)
        return named

    def _cursor(self, connection: Connection) -> Any:
        return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> list[Any]:
        compiled = self._by_dialect.get(connection.dialect.name) or self._compiled(
            connection.dialect
        )
        driver: Any = connection.connection.dbapi_connection
        parameters = self._parameters(compiled, values)
        try:
            # The driver's own execute makes the cursor (sqlite3 and psycopg both have one);
            # a cursor with nothing left to read holds nothing once it is dropped.
            cursor = driver.execute(compiled.sql, parameters)
            if compiled.last_row_id:  # one row inserted, or none (a conflict skipped it)
                return [_IdRow(cursor.lastrowid)] if cursor.rowcount == 1 else []
            if compiled.row_type is None:
                return []
            return [self._row(compiled, raw) for raw in cursor.fetchall()]
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, compiled.sql, parameters, error) from error

    def send(self, connection: Connection, values: Mapping[str, Any]) -> Callable[[], list[Any]]:
        """Execute, but read the rows later: in psycopg's pipeline mode the statement is
        only queued here, and its rows can be read once the pipeline has run."""
        compiled = self._by_dialect.get(connection.dialect.name) or self._compiled(
            connection.dialect
        )
        driver: Any = connection.connection.dbapi_connection
        parameters = self._parameters(compiled, values)
        errors = connection.dialect.loaded_dbapi.Error
        try:
            cursor = driver.execute(compiled.sql, parameters)
        except errors as error:
            raise _wrapped(connection, compiled.sql, parameters, error) from error

        def rows() -> list[Any]:
            if compiled.row_type is None:
                return []
            try:
                return [self._row(compiled, raw) for raw in cursor.fetchall()]
            except errors as error:
                raise _wrapped(connection, compiled.sql, parameters, error) from error

        return rows

    def execute_many(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        compiled = self._compiled(connection.dialect)
        cursor = self._cursor(connection)
        parameters = [self._parameters(compiled, row) for row in rows]
        try:
            cursor.executemany(compiled.sql, parameters)
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, compiled.sql, parameters, error) from error
        finally:
            cursor.close()

    @staticmethod
    def _row(compiled: _Compiled, raw: Sequence[Any]) -> Any:
        assert compiled.row_type is not None
        values = list(raw)
        for number, processor in compiled.result_processors:
            values[number] = processor(values[number])
        return compiled.row_type._make(values)  # type: ignore[attr-defined]
