"""The engine's reads and writes, as prebuilt SQLAlchemy Core statements.

One reply is on the hot path of every conversation, so the statements are built once and
executed with parameters: a typical answer costs one read of the conversation
(`bot.engine.conversation_load`), one insert of the inbound message, and three writes
(answer, session, outbox). Those run as `Prepared` statements (compiled once per dialect,
executed on the driver's cursor).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from bot.engine.messages import InboundMessage, OutboundMessage
from bot.storage.models import (
    AnswerStatus,
)
from bot.storage.prepared import Prepared
from bot.storage.tables import (
    ANSWERS,
    CONCERNS,
    CONSENTS,
    IDENTITIES,
    INBOUND,
    OUTBOUND,
    PROFILE,
    RESPONDENTS,
    SESSIONS,
)

_prepared_writes: dict[tuple[str, frozenset[str]], Prepared] = {}


def _prepared_insert(name: str, table: Table, keys: Iterable[str], returning: bool) -> Prepared:
    """An INSERT for exactly these columns (optionally RETURNING id), prepared once."""
    cache_key = (name, frozenset(keys))
    prepared = _prepared_writes.get(cache_key)
    if prepared is None:
        prepared = Prepared(insert(table), column_keys=sorted(cache_key[1]), returns_id=returning)
        _prepared_writes[cache_key] = prepared
    return prepared


def _prepared_session_update(keys: Iterable[str]) -> Prepared:
    cache_key = ("session-update", frozenset(keys))
    prepared = _prepared_writes.get(cache_key)
    if prepared is None:
        statement = (
            update(SESSIONS)
            .where(SESSIONS.c.id == bindparam("session_key"))
            .values({key: bindparam(key, type_=SESSIONS.c[key].type) for key in cache_key[1]})
        )
        prepared = Prepared(statement)
        _prepared_writes[cache_key] = prepared
    return prepared


_REPLACE_ANSWERS = (
    update(ANSWERS)
    .where(
        ANSWERS.c.session_id == bindparam("session_key"),
        ANSWERS.c.question == bindparam("question_name"),
        ANSWERS.c.status == AnswerStatus.CURRENT.value,
    )
    .values(status=bindparam("new_status"))
)
_REPLIES_TO = (
    select(OUTBOUND)
    .join(INBOUND, INBOUND.c.reply_id == OUTBOUND.c.id)
    .where(INBOUND.c.channel == bindparam("channel"), INBOUND.c.provider_id == bindparam("pid"))
    .order_by(OUTBOUND.c.id)
)
_INBOUND_COLUMNS = ["channel", "provider_id", "respondent_id", "text", "received_at"]
_inbound_inserts: dict[str, Prepared] = {}


def _inbound_insert(dialect: str) -> Prepared:
    """INSERT ... ON CONFLICT DO NOTHING, answering with the new id: a retried webhook
    inserts nothing and gets no id."""
    prepared = _inbound_inserts.get(dialect)
    if prepared is None:
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(INBOUND).on_conflict_do_nothing(
            index_elements=["channel", "provider_id"]
        )
        prepared = Prepared(statement, column_keys=_INBOUND_COLUMNS, returns_id=True)
        _inbound_inserts[dialect] = prepared
    return prepared


def record_inbound(
    connection: Connection, inbound: InboundMessage, respondent_id: int | None
) -> int | None:
    """The new row's id, or None when this provider message was recorded before."""
    rows = _inbound_insert(connection.dialect.name).execute(
        connection,
        {
            "channel": inbound.channel,
            "provider_id": inbound.provider_id,
            "respondent_id": respondent_id,
            "text": inbound.text,
            "received_at": inbound.received_at,
        },
    )
    return int(rows[0].id) if rows else None


_LINK_INBOUND = Prepared(
    update(INBOUND)
    .where(INBOUND.c.id == bindparam("inbound_key"))
    .values(respondent_id=bindparam("respondent"))
)


def link_inbound(connection: Connection, inbound_id: int, respondent_id: int) -> None:
    _LINK_INBOUND.execute(connection, {"inbound_key": inbound_id, "respondent": respondent_id})


def raised_concern(connection: Connection, session_id: int) -> bool:
    """Whether an answer in this session opened a concern for an officer."""
    found = connection.execute(
        select(CONCERNS.c.id).where(CONCERNS.c.session_id == session_id).limit(1)
    ).first()
    return found is not None


def insert_row(connection: Connection, table: Table, values: Mapping[str, Any]) -> int:
    """Insert one row through a prepared statement; returns its id."""
    (row,) = _prepared_insert(table.name, table, values, returning=True).execute(connection, values)
    return int(row.id)


_SET_REPLY = Prepared(
    update(INBOUND)
    .where(INBOUND.c.id == bindparam("inbound_key"))
    .values(reply_id=bindparam("reply"))
)


def set_reply(connection: Connection, inbound_id: int, outbound_id: int) -> None:
    _SET_REPLY.execute(connection, {"inbound_key": inbound_id, "reply": outbound_id})


def previous_replies(connection: Connection, inbound: InboundMessage) -> list[OutboundMessage]:
    rows = connection.execute(
        _REPLIES_TO, {"channel": inbound.channel, "pid": inbound.provider_id}
    ).all()
    return [OutboundMessage.from_row(row) for row in rows]


def create_contact(
    connection: Connection, channel: str, address: str, language: str | None, now: datetime.datetime
) -> tuple[int, int]:
    """A new respondent known only by this channel address: (respondent id, identity id)."""
    respondent_id = insert_row(
        connection,
        RESPONDENTS,
        {"language": language, "created_at": now, "timezone": "Europe/London"},
    )
    identity_id = insert_row(
        connection,
        IDENTITIES,
        {"respondent_id": respondent_id, "channel": channel, "address": address, "created_at": now},
    )
    return respondent_id, identity_id


def link_address(
    connection: Connection,
    channel: str,
    address: str,
    respondent_id: int,
    now: datetime.datetime,
) -> int:
    """This channel address belongs to this respondent from now on; returns the identity id.

    An address first seen anonymously (someone messaged before being linked) moves to the
    tenant; its earlier anonymous conversations stay with the anonymous respondent.
    """
    existing = connection.execute(
        select(IDENTITIES.c.id, IDENTITIES.c.respondent_id).where(
            IDENTITIES.c.channel == channel, IDENTITIES.c.address == address
        )
    ).first()
    if existing is None:
        return insert_row(
            connection,
            IDENTITIES,
            {
                "respondent_id": respondent_id,
                "channel": channel,
                "address": address,
                "created_at": now,
            },
        )
    if existing.respondent_id != respondent_id:
        connection.execute(
            update(IDENTITIES)
            .where(IDENTITIES.c.id == existing.id)
            .values(respondent_id=respondent_id)
        )
    return int(existing.id)


def create_session(connection: Connection, values: Mapping[str, Any]) -> int:
    return insert_row(connection, SESSIONS, values)


def update_session(connection: Connection, session_id: int, values: Mapping[str, Any]) -> None:
    _prepared_session_update(values).execute(connection, {"session_key": session_id, **values})


def insert_answers(connection: Connection, answers: list[dict[str, Any]]) -> None:
    if not answers:
        return
    prepared = _prepared_insert(ANSWERS.name, ANSWERS, answers[0], returning=False)
    if len(answers) == 1:  # the usual turn: no cursor or list to make for executemany
        prepared.execute(connection, answers[0])
    else:
        prepared.execute_many(connection, answers)


def set_answer_status(
    connection: Connection, session_id: int, questions: Iterable[str], status: AnswerStatus
) -> None:
    parameters = [
        {"session_key": session_id, "question_name": name, "new_status": status.value}
        for name in questions
    ]
    if parameters:
        connection.execute(_REPLACE_ANSWERS, parameters)


def insert_consent(connection: Connection, values: Mapping[str, Any]) -> None:
    insert_row(connection, CONSENTS, values)


def insert_outbound(connection: Connection, values: Mapping[str, Any]) -> int:
    return insert_row(connection, OUTBOUND, values)


def mark_purpose(
    connection: Connection, messages: list[OutboundMessage], purpose: str
) -> list[OutboundMessage]:
    """Note why these messages were written unasked (a channel may word them differently)."""
    if messages:
        connection.execute(
            update(OUTBOUND)
            .where(OUTBOUND.c.id.in_([message.id for message in messages]))
            .values(purpose=purpose)
        )
    return [replace(message, purpose=purpose) for message in messages]


def set_opted_out(connection: Connection, identity_id: int, when: datetime.datetime | None) -> None:
    connection.execute(
        update(IDENTITIES).where(IDENTITIES.c.id == identity_id).values(opted_out_at=when)
    )


def set_respondent_language(connection: Connection, respondent_id: int, language: str) -> None:
    connection.execute(
        update(RESPONDENTS).where(RESPONDENTS.c.id == respondent_id).values(language=language)
    )


@dataclass(frozen=True)
class ProfileValue:
    value: Any
    recorded_at: datetime.datetime


def current_profile(
    connection: Connection, respondent_id: int, names: Iterable[str]
) -> dict[str, ProfileValue]:
    rows = connection.execute(
        select(PROFILE.c.name, PROFILE.c.value, PROFILE.c.recorded_at).where(
            PROFILE.c.respondent_id == respondent_id,
            PROFILE.c.name.in_(list(names)),
            PROFILE.c.superseded_at.is_(None),
        )
    ).all()
    return {row.name: ProfileValue(row.value, row.recorded_at) for row in rows}


def set_profile(
    connection: Connection,
    respondent_id: int,
    name: str,
    value: Any,
    source: str,
    now: datetime.datetime,
) -> None:
    """Record a new value; the previous one stays as history, marked superseded."""
    connection.execute(
        update(PROFILE)
        .where(
            PROFILE.c.respondent_id == respondent_id,
            PROFILE.c.name == name,
            PROFILE.c.superseded_at.is_(None),
        )
        .values(superseded_at=now)
    )
    connection.execute(
        insert(PROFILE),
        {
            "respondent_id": respondent_id,
            "name": name,
            "value": value,
            "source": source,
            "recorded_at": now,
        },
    )
