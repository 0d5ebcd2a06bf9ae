"""Bulk inserts of analysis results: column values converted once, rows sent by the driver.

An `insert(table)` executed with 100,000 parameter dictionaries makes SQLAlchemy compile
and process every row in Python (type processing, parameter dictionaries, result setup),
which took twice as long as the driver's own `executemany`. Here each column's values go
through the column type's bind processor (the same conversion SQLAlchemy applies, so the
stored values are identical), a value shared by many rows is converted once, and the
driver receives plain tuples or dictionaries in one `executemany`, in the connection's
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert

BATCH_ROWS = 50_000  # bounds the parameter lists the driver holds at once


def insert_rows(connection: Connection, table: Table, columns: Mapping[str, Sequence[Any]]) -> int:
    """Insert one row per position of the (equally long) column sequences; the count.

    Every column the rows need must be given: Python-side defaults are not applied.
    """
    names = list(columns)
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths for {table.name}: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
    if count == 0:
        return 0
    missing = [
        column.name
        for column in table.columns
        if column.name not in columns and not column.primary_key and column.default is not None
    ]
    if missing:
        raise ValueError(f"{table.name}: no values for {', '.join(missing)} (defaults not applied)")
    dialect = connection.dialect
    # The processor SQLAlchemy itself uses: the dialect's, with any TypeDecorator's own step.
    converted = [_converted(values, table.c[name].type._cached_bind_processor(dialect))
                 for name, values in columns.items()]  # fmt: skip
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    if compiled.positiontup is not None:
        order = [names.index(key) for key in compiled.positiontup]
        rows: list[Any] = list(zip(*(converted[i] for i in order), strict=True))
    else:
        keys = [compiled.bind_names[compiled.binds[name]] for name in names]
        rows = [dict(zip(keys, row, strict=True)) for row in zip(*converted, strict=True)]
    sql = str(compiled)
    for start in range(0, count, BATCH_ROWS):
        connection.exec_driver_sql(sql, rows[start : start + BATCH_ROWS])
    return count


def _converted(values: Sequence[Any], processor: Callable[[Any], Any] | None) -> list[Any]:
    if processor is None:
        return list(values)
    cache: dict[Any, Any] = {}
    result: list[Any] = []
    for value in values:
        # The type in the key: 1, 1.0 and True are equal as keys but convert differently.
        # An unhashable value (a JSON dict) is keyed by identity: one shared object, once.
        key: tuple[Any, Any] = (type(value), value)
        try:
            result.append(cache[key])
            continue
        except KeyError:
            pass
        except TypeError:
            key = (type(value), id(value))
            if key in cache:
                result.append(cache[key])
                continue
        cache[key] = processor(value)
        result.append(cache[key])
    return result
