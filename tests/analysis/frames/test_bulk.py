"""Bulk inserts store exactly what SQLAlchemy's own executemany stores."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, delete, insert, select, text

from analysis.frames.bulk import insert_rows
from bot.storage.db import Database
from bot.storage.tables import PROFILE, RESPONDENTS

NOW = datetime.datetime(2026, 11, 2, 10, 0, 0, 123456, tzinfo=datetime.UTC)
SHARED_WINDOW = {"days": ["mon", "tue"], "from": "09:00", "to": "12:00"}
VALUES: list[Any] = ["sms", SHARED_WINDOW, SHARED_WINDOW, None, 1, True, 1.5, "Cymraeg ŵ", [1, 2]]


def _stored(connection: Connection) -> list[tuple[Any, ...]]:
    """The rows as the database keeps them: text of every value, and its SQL type."""
    if connection.dialect.name == "sqlite":
        sql = (
            "SELECT respondent_id, name, value, typeof(value), source, recorded_at, "
            "typeof(recorded_at), superseded_at FROM profile_attributes ORDER BY id"
        )
    else:
        sql = ("SELECT respondent_id, name, value::text, pg_typeof(value)::text, source, "
               "recorded_at::text, pg_typeof(recorded_at)::text, superseded_at::text "
               "FROM profile_attributes ORDER BY id")  # fmt: skip
    return [tuple(row) for row in connection.execute(text(sql))]


def test_insert_rows_stores_what_sqlalchemy_stores(database: Database) -> None:
    with database.engine.begin() as connection:
        respondent = connection.execute(
            insert(RESPONDENTS).returning(RESPONDENTS.c.id),
            {"tenant_ref": "T-1", "language": "en", "timezone": "Europe/London", "created_at": NOW},
        ).scalar_one()
        rows = [
            {"respondent_id": respondent, "name": f"n{i}", "value": value, "source": "bench",
             "recorded_at": NOW + datetime.timedelta(seconds=i), "superseded_at": None}
            for i, value in enumerate(VALUES)
        ]  # fmt: skip
        connection.execute(insert(PROFILE), rows)
        expected = _stored(connection)
        connection.execute(delete(PROFILE))
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        assert insert_rows(connection, PROFILE, columns) == len(VALUES)
        assert _stored(connection) == expected
        read_back = connection.execute(select(PROFILE.c.value).order_by(PROFILE.c.id)).scalars()
        assert list(read_back) == VALUES


def test_insert_rows_refuses_to_leave_out_a_column_with_a_default(database: Database) -> None:
    with database.engine.begin() as connection, pytest.raises(ValueError, match="recorded_at"):
        insert_rows(connection, PROFILE, {"respondent_id": [1], "name": ["n"], "value": ["v"],
                                          "source": ["s"]})  # fmt: skip
