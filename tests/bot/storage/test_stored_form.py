"""Values written and read without SQLAlchemy's per-value machinery match what it does.

The bulk writer and the engine's prepared statements store datetimes and JSON through
`bot.storage.stored_form`; SQLAlchemy's ORM and Core read them back. These tests hold
the conversions to SQLAlchemy's own processors, and a prepared statement's row to the row
Core writes, on both databases.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage import stored_form
from bot.storage.db import Database
from bot.storage.models import UTCDateTime
from bot.storage.prepared import Prepared
from bot.storage.stored_form import (
    json_text,
    sqlite_datetime,
    sqlite_read_datetime,
    sqlite_read_json,
)
from bot.storage.tables import OUTBOUND, RESPONDENTS, SESSIONS

INDIA = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
MOMENTS = [
    datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=datetime.UTC),
    datetime.datetime(1999, 12, 31, 23, 0, 0, 1, tzinfo=INDIA),
]


def test_stored_datetimes_are_the_text_sqlalchemy_writes_on_sqlite() -> None:
    processor = UTCDateTime()._cached_bind_processor(sqlite.dialect())
    assert processor is not None
    for moment in MOMENTS:
        assert sqlite_datetime(moment) == processor(moment)
    assert sqlite_datetime(None) is None


def test_a_naive_datetime_is_refused_as_sqlalchemy_refuses_it() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        sqlite_datetime(datetime.datetime(2026, 1, 5, 9, 0))


def test_stored_datetimes_read_back_as_sqlalchemy_reads_them_on_sqlite() -> None:
    processor = UTCDateTime()._cached_result_processor(sqlite.dialect(), None)
    assert processor is not None
    stored = [sqlite_datetime(moment) for moment in MOMENTS]
    for value in [*stored, "2026-01-05 09:00:00", "2026-01-05 09:00:00.5", None]:
        ours, theirs = sqlite_read_datetime(value), processor(value)
        assert ours == theirs
        assert ours is None or ours.tzinfo is datetime.UTC


def test_stored_booleans_are_what_sqlalchemy_binds_on_each_database() -> None:
    for dialect, name in ((sqlite.dialect(), "sqlite"), (postgresql.dialect(), "postgresql")):
        processor = Boolean()._cached_bind_processor(dialect)
        flag = stored_form.stored_form(name)[2]
        for value in (True, False):
            theirs = value if processor is None else processor(value)
            assert flag(value) == theirs
            assert type(flag(value)) is type(theirs)


def test_json_text_is_the_text_json_dumps_writes() -> None:
    """The short cuts (scalars, empty containers) write what the JSON type would."""
    values = ["yes", "café", 'a "b"', "", 0, -12, True, False, None, [], {}, (), 1.5,
              ["a", 1], {"k": [1, None]}, [["Yes", "yes"]], {"ffôn": ["Cymraeg", 2.25]},
              {"a": {"b": [True, None, -0.5, "اردو"]}}, [float("nan"), 1e300 * 1e10],
              {1: "number keys", "x": ("a", "b")}]  # fmt: skip
    for value in values:
        assert json_text(value) == json.dumps(value)


def test_json_text_without_the_c_encoder_still_writes_what_dumps_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stored_form, "_encode", None)
    for value in [{"k": [1, None]}, ["café", 1.5]]:
        assert json_text(value) == json.dumps(value)


def test_stored_json_reads_back_as_sqlalchemy_reads_it_on_sqlite() -> None:
    processor = JSON().dialect_impl(sqlite.dialect()).result_processor(sqlite.dialect(), None)
    assert processor is not None
    for stored in ['{"k": [1, null]}', "[]", "null", '"ffôn"', None, 7, 2.5]:
        assert sqlite_read_json(stored) == processor(stored)
    with pytest.raises(TypeError):
        sqlite_read_json(object())


def test_the_same_moment_written_twice_and_then_another_each_store_their_own_text() -> None:
    """A turn's `now` goes into several columns and is turned into text once."""
    processor = UTCDateTime()._cached_bind_processor(sqlite.dialect())
    assert processor is not None
    first, second = MOMENTS[0], MOMENTS[1]
    for moment in [first, first, second, first, second, second]:
        assert sqlite_datetime(moment) == processor(moment)


def _raw(database: Database, table: str, row_id: int) -> dict[str, Any]:
    with database.engine.connect() as connection:
        row = connection.execute(text(f'SELECT * FROM "{table}" WHERE id = :id'), {"id": row_id})
        return dict(row.mappings().one())


def _new_respondent(
    database: Database, reference: str, language: str, moment: datetime.datetime
) -> int:
    with database.engine.begin() as connection:
        inserted = insert(RESPONDENTS).values(
            tenant_ref=reference, language=language, created_at=moment
        )
        return int(connection.execute(inserted.returning(RESPONDENTS.c.id)).scalar_one())


def test_a_prepared_insert_stores_what_core_stores(database: Database) -> None:
    """Same values through Core and through a prepared statement: the same stored row,
    and the prepared statement's RETURNING row reads as Core reads it."""
    moment = MOMENTS[2]
    respondent = _new_respondent(database, "T1", "cy", moment)
    columns = {
        "respondent_id": respondent, "channel": "sms", "address": "+447700900001",
        "body": "Diolch", "buttons": [["Ydw", "yes"], ["Nac ydw", "no"]], "multiple": False,
        "language": "cy", "status": "pending", "attempts": 0, "due_at": moment,
        "created_at": moment, "purpose": "reply", "sent_at": None,
    }  # fmt: skip
    prepared = Prepared(
        insert(OUTBOUND).returning(OUTBOUND.c.id, OUTBOUND.c.due_at, OUTBOUND.c.buttons),
        column_keys=sorted(columns),
    )
    with database.engine.begin() as connection:
        core_id = connection.execute(
            insert(OUTBOUND).values(columns).returning(OUTBOUND.c.id)
        ).scalar_one()
        (row,) = prepared.execute(connection, columns)
    assert row.due_at == moment and row.due_at.tzinfo is datetime.UTC
    assert row.buttons == columns["buttons"]
    core, ours = (
        _raw(database, "outbound_messages", core_id),
        _raw(database, "outbound_messages", row.id),
    )
    assert {**core, "id": None} == {**ours, "id": None}
    with database.engine.connect() as connection:
        read = connection.execute(select(OUTBOUND.c.due_at).where(OUTBOUND.c.id == row.id))
        assert read.scalar_one() == moment


def test_a_prepared_select_reads_rows_as_core_does(database: Database) -> None:
    moment = MOMENTS[1]
    respondent = _new_respondent(database, "T2", "en", moment)
    statement = select(RESPONDENTS.c.id, RESPONDENTS.c.tenant_ref, RESPONDENTS.c.created_at).where(
        RESPONDENTS.c.id == respondent
    )
    with database.engine.begin() as connection:
        (ours,) = Prepared(statement).execute(connection, {})
        core = connection.execute(statement).one()
    assert (ours.id, ours.tenant_ref, ours.created_at) == tuple(core)
    assert ours.created_at.tzinfo is datetime.UTC


def test_a_prepared_statement_needs_plain_distinct_column_names() -> None:
    statement = select(RESPONDENTS.c.id, SESSIONS.c.id).select_from(RESPONDENTS.join(SESSIONS))
    with pytest.raises(ValueError, match="distinct plain names"):
        Prepared(statement)._compiled(sqlite.dialect())
