"""A turn in three statements on PostgreSQL: the conversation read with the inbound message
recorded; the turn's answers, the session's changes, the reply in the outbox and the
reply's link in another; the commit.

Each statement is a round trip to the server, and a reply cost eight (begin, the
conversation, the inbound message, answers, session, outbox, link, commit) where the bare
driver's floor costs four. PostgreSQL runs data-modifying CTEs in one statement, so the
conversation's read and the inbound message's insert become one (`load_and_record`), and
the last four writes become one: `WITH answers AS (INSERT …), session AS (UPDATE …), reply AS
(INSERT … RETURNING id) UPDATE inbound_messages SET reply_id = reply.id …`. Every part
sees the same snapshot and only the link reads another part's result (the reply's id,
from its RETURNING), so the rows are the ones the four statements wrote one after another.
Nothing in the turn reads them back, so when the turn's first statement went ahead with
the BEGIN, this one goes with the COMMIT (`bot.storage.group_commit.later`): a reply costs
two round trips, and a batch of replies two in all.
SQLite has no round trips to save and no such CTEs: it keeps the separate statements
(`bot/engine/turn/output.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, literal, select, true, update
from sqlalchemy.dialects import postgresql

from bot.engine.conversation_load import LOAD_CONVERSATION
from bot.engine.messages import InboundMessage
from bot.storage.group_commit import later
from bot.storage.prepared import Prepared
from bot.storage.tables import ANSWERS, IDENTITIES, INBOUND, OUTBOUND, RESPONDENTS, SESSIONS

# (answer columns, answers, session columns, reply columns) -> the statement
_statements: dict[tuple[tuple[str, ...], int, tuple[str, ...], tuple[str, ...]], Prepared] = {}


def combines(connection: Connection) -> bool:
    """Whether this database takes a turn's statements combined (PostgreSQL)."""
    return connection.dialect.name == "postgresql"


def write_turn(
    connection: Connection,
    *,
    answers: Sequence[Mapping[str, Any]],
    session_id: int | None,
    session_changes: Mapping[str, Any],
    reply: Mapping[str, Any],
    inbound_id: int,
    then: Callable[[int], None],
) -> None:
    """Write them all in one statement, now or with the commit (`later`: nothing in the
    turn reads them back); `then` gets the reply's outbox id once it is written."""
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

    def written(rows: Sequence[Any]) -> None:
        then(int(rows[0].id))

    if not later(connection, lambda now: statement.send(now, values), written):
        written(statement.execute(connection, values))


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
    link = (
        update(INBOUND).where(INBOUND.c.id == bindparam("inbound_key"))
        .values(reply_id=reply.c.id).returning(reply.c.id).cte("turn_link")
    )  # fmt: skip
    # A reply that found no inbound message to link to (it is written earlier in the same
    # transaction) divides by zero: the statement fails, and the commit with it.
    linked = select(func.count()).select_from(link).scalar_subquery()
    statement = select(
        select(link.c.id).scalar_subquery().label("id"), (literal(1) // linked).label("linked")
    ).add_cte(*parts, reply, link)
    prepared = Prepared(statement)
    _statements[key] = prepared
    return prepared


def _load_and_record_statement() -> Prepared:
    conversation = LOAD_CONVERSATION.cte("conversation")
    recorded = (
        postgresql.insert(INBOUND)
        .values(
            channel=bindparam("channel"), provider_id=bindparam("pid"),
            respondent_id=select(conversation.c.respondent_id).scalar_subquery(),
            text=bindparam("text", type_=INBOUND.c.text.type),
            received_at=bindparam("received_at", type_=INBOUND.c.received_at.type),
        )
        .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        .returning(INBOUND.c.id)
        .cte("recorded")
    )  # fmt: skip
    one = select(literal(1).label("one")).subquery("one")
    inbound_id = select(recorded.c.id).scalar_subquery().label("inbound_id")
    statement = select(*conversation.c, inbound_id).select_from(one.outerjoin(conversation, true()))
    return Prepared(statement)


_LOAD_AND_RECORD = _load_and_record_statement()  # compiled on first use, per dialect


def load_and_record(
    connection: Connection, inbound: InboundMessage
) -> tuple[Any | None, int | None]:
    """The conversation (None for an address never seen) and the new inbound message's id
    (None when this provider message was recorded before), in one statement; the message
    is recorded with the conversation's respondent, or none."""
    return send_load_and_record(connection, inbound)()


def send_load_and_record(
    connection: Connection, inbound: InboundMessage
) -> Callable[[], tuple[Any | None, int | None]]:
    """`load_and_record`, sent now (queued, in a pipeline) and read by the function returned."""
    read = _LOAD_AND_RECORD.send(connection, {
        "channel": inbound.channel, "addr": inbound.address, "pid": inbound.provider_id,
        "text": inbound.text, "received_at": inbound.received_at,
    })  # fmt: skip

    def loaded() -> tuple[Any | None, int | None]:
        (row,) = read()
        inbound_id = row.inbound_id
        return (row if row.identity_id is not None else None), (
            int(inbound_id) if inbound_id is not None else None
        )

    return loaded


def _new_contact_statement() -> Prepared:
    respondent = (
        insert(RESPONDENTS)
        .values(language=bindparam("language", type_=RESPONDENTS.c.language.type),
                timezone=bindparam("timezone", type_=RESPONDENTS.c.timezone.type),
                created_at=bindparam("now", type_=RESPONDENTS.c.created_at.type))
        .returning(RESPONDENTS.c.id)
        .cte("new_respondent")
    )  # fmt: skip
    identity = (
        insert(IDENTITIES)
        .values(respondent_id=select(respondent.c.id).scalar_subquery(),
                channel=bindparam("channel"), address=bindparam("addr"),
                created_at=bindparam("now", type_=IDENTITIES.c.created_at.type))
        .returning(IDENTITIES.c.id, IDENTITIES.c.respondent_id)
        .cte("new_identity")
    )  # fmt: skip
    statement = (
        update(INBOUND).where(INBOUND.c.id == bindparam("inbound_key"))
        .values(respondent_id=identity.c.respondent_id)
        .returning(identity.c.id, identity.c.respondent_id)
        .add_cte(respondent, identity)
    )  # fmt: skip
    return Prepared(statement)


_NEW_CONTACT = _new_contact_statement()


def create_contact(
    connection: Connection, inbound: InboundMessage, inbound_id: int, now: Any
) -> tuple[int, int]:
    """A new respondent known only by the message's address, with the message linked to
    it, in one statement (three on SQLite: `store.create_contact`, `store.link_inbound`):
    (respondent id, identity id)."""
    (row,) = _NEW_CONTACT.execute(connection, {
        "now": now, "channel": inbound.channel, "addr": inbound.address,
        "inbound_key": inbound_id, "language": None, "timezone": "Europe/London",
    })  # fmt: skip
    return int(row.respondent_id), int(row.id)
