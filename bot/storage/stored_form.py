"""How values are stored: datetimes and JSON as SQLAlchemy's column types write them.

Two paths write rows without SQLAlchemy's per-value machinery: the engine's prepared
statements (`bot.storage.prepared`, every reply) and the bulk writer (`bot.engine.bulk`,
demo data). Both must store exactly what the ORM and Core store and read back, so the
conversions live here once: on SQLite a UTC datetime is the text `2026-01-05
09:00:00.000000` (SQLAlchemy's SQLite DATETIME), JSON is `json.dumps` text, None
included (`null`, as the JSON type writes it), and a boolean is 1 or 0; on PostgreSQL
psycopg adapts datetimes and booleans itself. `tests/bot/storage/test_stored_form.py`
checks them against SQLAlchemy's own.
"""

from __future__ import annotations

import datetime
import json
import json.encoder
import numbers
from collections.abc import Callable
from json import dumps, loads
from typing import Any

UTC = datetime.UTC
Stamp = Callable[[datetime.datetime | None], Any]
JsonText = Callable[[Any], str]
Flag = Callable[[bool], int | bool]


def aware(value: datetime.datetime) -> datetime.datetime:
    """The datetime, refused if it is naive: a UTC column takes only a moment in time."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value


def as_utc(value: datetime.datetime) -> datetime.datetime:
    """A stored datetime in UTC: one that lost its zone (SQLite) was stored in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sqlite_datetime(value: datetime.datetime | None) -> str | None:
    """A UTC datetime as SQLAlchemy's SQLite DATETIME stores it (`isoformat` on an aware
    datetime costs several times more than this arithmetic on the time since 1970)."""
    global _last_written
    if value is None:
        return None
    last, text = _last_written
    if value is last:  # a turn writes its one `now` into several columns
        return text
    if value.tzinfo is None:  # `aware`, inlined: this runs once per stored moment
        raise ValueError("naive datetime given to a UTC column")
    since = value - EPOCH  # aware arithmetic: the UTC time, whatever the zone
    day = _DAYS.get(since.days)
    if day is None:
        day = _DAYS[since.days] = (EPOCH + datetime.timedelta(days=since.days)).strftime(
            "%Y-%m-%d "
        )
    text = f"{day}{_CLOCK[since.seconds]}.{since.microseconds:06d}"
    _last_written = (value, text)  # one tuple: a thread reads both halves or neither
    return text


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
_last_written: tuple[datetime.datetime | None, str] = (None, "")
_DAYS: dict[int, str] = {}
_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]


def utc_datetime(value: datetime.datetime | None) -> datetime.datetime | None:
    """PostgreSQL: psycopg writes the datetime itself; only refuse a naive one."""
    return None if value is None else aware(value)


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
    if _encode is None:
        return dumps(value)
    return "".join(_encode(value, 0))


def _json_encoder() -> Callable[[Any, int], Any] | None:
    """`json.dumps`'s own C encoder, made once. `dumps` makes it again on every call, which
    cost more than encoding a session's few answers. It skips only the check for a list
    that contains itself, which a stored value never does. None where there is no C
    encoder (then `dumps` itself is used)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    defaults = json.JSONEncoder()
    try:
        encode: Callable[[Any, int], Any] = make(
            None, defaults.default, json.encoder.encode_basestring_ascii, None,
            defaults.key_separator, defaults.item_separator, False, False, True,
        )  # fmt: skip
    except TypeError:  # another Python's encoder takes other arguments
        return None
    return encode


_encode = _json_encoder()


def stored_form(dialect: str) -> tuple[Stamp, JsonText, Flag]:
    """How this database (dialect name) stores a UTC datetime, a JSON value and a boolean.

    SQLAlchemy's Boolean is the integer 1 or 0 on SQLite, which the driver binds several
    times faster than `True` (a bool goes through its adapter lookup first)."""
    if dialect == "sqlite":
        return sqlite_datetime, json_text, int
    return utc_datetime, json_text, bool


def sqlite_read_json(value: Any) -> Any:
    """A stored JSON value read back as SQLAlchemy's SQLite JSON type reads it: SQLite
    hands back a number stored bare as the number itself."""
    if value is None:
        return None
    try:
        return loads(value)
    except TypeError:
        if isinstance(value, numbers.Number):
            return value
        raise


def sqlite_read_datetime(value: str | None) -> datetime.datetime | None:
    """A stored SQLite datetime read back as an aware UTC datetime, as `UTCDateTime` reads it."""
    return None if value is None else as_utc(datetime.datetime.fromisoformat(value))
