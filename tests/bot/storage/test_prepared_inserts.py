"""A prepared INSERT that answers with the new row's id, on both databases.

SQLite reads the id from the cursor instead of a RETURNING clause (RETURNING there builds
and drops a temporary b-tree on every call); what the caller gets must not change.
"""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.db import Database
from bot.storage.prepared import Prepared
from bot.storage.tables import INBOUND, RESPONDENTS

MOMENT = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)
COLUMNS = ["channel", "provider_id", "respondent_id", "text", "received_at"]


def _record(module: object) -> Prepared:
    statement = module.insert(INBOUND).on_conflict_do_nothing(  # type: ignore[attr-defined]
        index_elements=["channel", "provider_id"]
    )
    return Prepared(statement, column_keys=COLUMNS, returns_id=True)


def _message(provider_id: str, text: str) -> dict[str, object]:
    return {"channel": "sms", "provider_id": provider_id, "respondent_id": None, "text": text,
            "received_at": MOMENT}  # fmt: skip


def test_the_new_rows_id_comes_back_and_a_conflict_gives_none(database: Database) -> None:
    module = sqlite if database.engine.dialect.name == "sqlite" else postgresql
    record = _record(module)
    with database.engine.begin() as connection:
        (first,) = record.execute(connection, _message("SM1", "yes"))
        (second,) = record.execute(connection, _message("SM2", "no"))
        repeated = record.execute(connection, _message("SM1", "yes again"))
        stored = dict(connection.execute(select(INBOUND.c.provider_id, INBOUND.c.id)).all())
    assert repeated == []  # a retried webhook: nothing inserted, no id
    assert stored == {"SM1": first.id, "SM2": second.id}
    assert second.id > first.id


def test_an_insert_without_conflicts_gives_each_rows_id(database: Database) -> None:
    prepared = Prepared(
        insert(RESPONDENTS), column_keys=["language", "timezone", "created_at"], returns_id=True
    )
    with database.engine.begin() as connection:
        ids = [
            prepared.execute(
                connection,
                {"language": language, "timezone": "Europe/London", "created_at": MOMENT},
            )[0].id
            for language in ("cy", "pl", "ur")
        ]
        stored = connection.execute(
            select(RESPONDENTS.c.id, RESPONDENTS.c.language).where(RESPONDENTS.c.id.in_(ids))
        ).all()
    assert sorted(stored) == sorted(zip(ids, ("cy", "pl", "ur"), strict=True))


def test_sqlite_asks_no_returning_and_postgresql_does() -> None:
    record = _record(sqlite)
    assert "RETURNING" not in record._compiled(sqlite.dialect()).sql
    assert (
        _record(postgresql)
        ._compiled(postgresql.dialect())
        .sql.endswith("RETURNING inbound_messages.id")
    )


def test_only_an_insert_can_answer_with_its_id() -> None:
    with pytest.raises(TypeError, match="INSERT"):
        Prepared(select(RESPONDENTS.c.id), returns_id=True)
