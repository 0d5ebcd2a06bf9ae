"""A turn's writes in one statement on PostgreSQL: its answers, the session's changes, the
reply in the outbox and the reply's link from the inbound message.

Each statement is a round trip to the server, and a reply cost eight (begin, the
conversation, the inbound message, answers, session, outbox, link, commit) where the bare
driver's floor costs four. PostgreSQL runs data-modifying CTEs in one statement, so the
last four become one: `WITH answers AS (INSERT …), session AS (UPDATE …), reply AS
(INSERT … RETURNING id) UPDATE inbound_messages SET reply_id = reply.id …`. Every part
sees the same snapshot and only the link reads another part's result (the reply's id,
from its RETURNING), so the rows are the ones the four statements wrote one after another.
SQLite has no round trips to save and no such CTEs: it keeps the separate statements
(`bot/engine/turn/output.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update

from bot.storage.prepared import Prepared
from bot.storage.tables import ANSWERS, INBOUND, OUTBOUND, SESSIONS

# (answer columns, answers, session columns, reply columns) -> the statement
_statements: dict[tuple[tuple[str, ...], int, tuple[str, ...], tuple[str, ...]], Prepared] = {}


def can_combine(connection: Connection, inbound_id: int | None) -> bool:
    return connection.dialect.name == "postgresql" and inbound_id is not None


def write_turn(
    connection: Connection,
    *,
    answers: Sequence[Mapping[str, Any]],
    session_id: int | None,
    session_changes: Mapping[str, Any],
    reply: Mapping[str, Any],
    inbound_id: int,
) -> int:
    """Write them all in one statement; the reply's outbox id."""
    answer_keys = tuple(sorted(answers[0])) if answers else ()
    session_keys = tuple(sorted(session_changes)) if session_id is not None else ()
    reply_keys = tuple(sorted(reply))
    statement = _statement(answer_keys, len(answers), session_keys, reply_keys)
    values: dict[str, Any] = {"inbound_key": inbound_id}
    for number, row in enumerate(answers):
        values.update({f"a{number}_{key}": row[key] for key in answer_keys})
    if session_keys:
        values["session_key"] = session_id
        values.update({f"s_{key}": session_changes[key] for key in session_keys})
    values.update({f"r_{key}": reply[key] for key in reply_keys})
    rows = statement.execute(connection, values)
    if not rows:  # the inbound message was written earlier in this transaction
        raise RuntimeError("the reply could not be linked to its inbound message")
    return int(rows[0].id)


def _statement(
    answer_keys: tuple[str, ...], answers: int, session_keys: tuple[str, ...],
    reply_keys: tuple[str, ...],
) -> Prepared:  # fmt: skip
    key = (answer_keys, answers, session_keys, reply_keys)
    found = _statements.get(key)
    if found is not None:
        return found
    parts = []
    if answers:
        rows = [
            {column: bindparam(f"a{n}_{column}", type_=ANSWERS.c[column].type)
             for column in answer_keys}
            for n in range(answers)
        ]  # fmt: skip
        parts.append(insert(ANSWERS).values(rows).returning(ANSWERS.c.id).cte("turn_answers"))
    if session_keys:
        changes = {column: bindparam(f"s_{column}", type_=SESSIONS.c[column].type)
                   for column in session_keys}  # fmt: skip
        parts.append(
            update(SESSIONS).where(SESSIONS.c.id == bindparam("session_key")).values(changes)
            .returning(SESSIONS.c.id).cte("turn_session")
        )  # fmt: skip
    columns = {column: bindparam(f"r_{column}", type_=OUTBOUND.c[column].type)
               for column in reply_keys}  # fmt: skip
    reply = insert(OUTBOUND).values(columns).returning(OUTBOUND.c.id).cte("turn_reply")
    statement = (
        update(INBOUND).where(INBOUND.c.id == bindparam("inbound_key"))
        .values(reply_id=reply.c.id).returning(reply.c.id)
    )  # fmt: skip
    if parts:
        statement = statement.add_cte(*parts)
    prepared = Prepared(statement)
    _statements[key] = prepared
    return prepared
