"""Core statements compiled once per dialect and run straight on the DBAPI cursor.

The engine's hot path runs a handful of fixed statements per reply. SQLAlchemy's per-call
execution machinery costs more than the statements themselves there, so these are compiled
once and executed on the driver's cursor inside the caller's SQLAlchemy transaction. Values
still go through SQLAlchemy's own type processors, so what is written is exactly what the
ORM and Core read back (UTC datetimes, JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Select

Processor = Callable[[Any], Any] | None


def _wrapped(connection: Connection, sql: str, parameters: Any, error: Exception) -> Exception:
    """The driver's error as SQLAlchemy's (IntegrityError, OperationalError, ...), like Core.

    Callers catch `sqlalchemy.exc.IntegrityError` whichever way the statement ran.
    """
    return exc.DBAPIError.instance(
        sql, parameters, error, connection.dialect.loaded_dbapi.Error, hide_parameters=True
    )


class PreparedRow:
    """A result row with attribute access, like SQLAlchemy's Row."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter order for qmark/format styles
    bind_processors: Mapping[str, Processor]
    defaults: dict[str, Any]
    result_names: tuple[str, ...]
    result_processors: tuple[Processor, ...]


class Prepared:
    """One statement; `column_keys` names the columns an INSERT/UPDATE receives."""

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is not None:
            return found
        compiled = cast(
            SQLCompiler, self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        )
        binds = compiled.binds
        processors = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in binds.items()
        }
        positional = tuple(compiled.positiontup) if compiled.positiontup else None
        names: tuple[str, ...] = ()
        results: tuple[Processor, ...] = ()
        columns = getattr(self.statement, "_returning", None) or ()
        if isinstance(self.statement, Select):
            columns = tuple(self.statement.selected_columns)
        if columns:
            names = tuple(column.key for column in columns)
            results = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            )
        prepared = _Compiled(
            sql=compiled.string,
            positional=positional,
            bind_processors=processors,
            defaults={key: value for key, value in compiled.params.items() if value is not None},
            result_names=names,
            result_processors=results,
        )
        self._by_dialect[dialect.name] = prepared
        return prepared

    def _parameters(self, compiled: _Compiled, values: Mapping[str, Any]) -> Any:
        processors = compiled.bind_processors
        if compiled.defaults:
            values = {**compiled.defaults, **values}
        if compiled.positional is not None:
            ordered = []
            for name in compiled.positional:
                value = values.get(name)
                processor = processors.get(name)
                ordered.append(value if processor is None else processor(value))
            return ordered
        named = {}
        for name, value in values.items():
            processor = processors.get(name)
            named[name] = value if processor is None else processor(value)
        return named

    def _cursor(self, connection: Connection) -> Any:
        return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> list[PreparedRow]:
        compiled = self._compiled(connection.dialect)
        cursor = self._cursor(connection)
        parameters = self._parameters(compiled, values)
        try:
            cursor.execute(compiled.sql, parameters)
            if not compiled.result_names:
                return []
            return [self._row(compiled, raw) for raw in cursor.fetchall()]
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, compiled.sql, parameters, error) from error
        finally:
            cursor.close()

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
    def _row(compiled: _Compiled, raw: Sequence[Any]) -> PreparedRow:
        return PreparedRow(
            {
                name: processor(value) if processor is not None else value
                for name, processor, value in zip(
                    compiled.result_names, compiled.result_processors, raw, strict=True
                )
            }
        )
