"""A turn's last writes: a reply that cannot be linked to its inbound message is not stored."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import exc, func, select

from bot.engine import store, turn_writes
from bot.storage.db import Database
from bot.storage.tables import OUTBOUND

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
REPLY = {
    "respondent_id": None, "session_id": None, "channel": "sms", "address": "+447700900123",
    "body": "Thank you.", "buttons": [], "multiple": False, "language": "en",
    "status": "pending", "attempts": 0, "due_at": NOW, "created_at": NOW,
}  # fmt: skip
NOT_STORED = 987_654


def test_a_reply_to_an_inbound_message_not_stored_fails_and_leaves_nothing(
    database: Database,
) -> None:
    written: list[int] = []
    with pytest.raises(exc.DBAPIError), database.engine.begin() as connection:
        if turn_writes.combines(connection):  # PostgreSQL: one statement; the link guards it
            turn_writes.write_turn(
                connection, answers=[], session_id=None, session_changes={},
                reply={**REPLY, "in_reply_to": None}, inbound_id=NOT_STORED, then=written.append,
            )  # fmt: skip
        else:  # SQLite: statement by statement; the reply's foreign key guards it
            outbound_id = store.insert_outbound(connection, {**REPLY, "in_reply_to": NOT_STORED})
            store.set_reply(connection, NOT_STORED, outbound_id)
            written.append(outbound_id)
    assert written == []
    with database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(OUTBOUND)) == 0
