"""What a channel may ask the engine about one address, and change for it.

Channels never read the engine's tables or its pending states: they ask `find_contact` where
an address's conversation stands, `switch_language` changes the open conversation's
language from a menu of their own (the web chat page) and `extend_conversation` gives a
tenant who asked for it more time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import Connection, update

from bot.engine import conversation_load, store
from bot.engine.turn.context import Pending
from bot.storage.tables import SESSIONS


@dataclass(frozen=True)
class Contact:
    """Where one channel address's conversation stands."""

    respondent_id: int
    opted_out: bool
    session_id: int | None  # the open conversation, if there is one
    questionnaire_version_id: int | None  # the open conversation's questionnaire
    session_language: str | None  # the open conversation's language
    respondent_language: str | None  # the tenant's own choice, if they made one
    expires_at: datetime.datetime | None = None  # when the open conversation closes


def find_contact(connection: Connection, channel: str, address: str) -> Contact | None:
    """The address's respondent and open conversation; None for an address never seen."""
    row = conversation_load.load_conversation(connection, channel, address)
    if row is None:
        return None
    return Contact(
        respondent_id=int(row.respondent_id),
        opted_out=row.opted_out_at is not None,
        session_id=row.id,
        questionnaire_version_id=row.questionnaire_version_id,
        session_language=row.language,
        respondent_language=row.respondent_language,
        expires_at=as_utc(row.expires_at) if row.expires_at is not None else None,
    )


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    """A stored time as an aware UTC time (SQLite hands back naive UTC times)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def extend_conversation(
    connection: Connection, channel: str, address: str, until: datetime.datetime
) -> bool:
    """Keep the open conversation open until at least `until` (the tenant asked for more
    time); False when there is no open conversation."""
    row = conversation_load.load_conversation(connection, channel, address)
    if row is None or row.id is None or row.opted_out_at is not None:
        return False
    connection.execute(
        update(SESSIONS)
        .where(SESSIONS.c.id == row.id, SESSIONS.c.expires_at < until)
        .values(expires_at=until)
    )
    return True


def switch_language(
    connection: Connection, channel: str, address: str, language: str, now: datetime.datetime
) -> bool:
    """Switch the open conversation's language directly; False when there is none to switch.

    The caller then asks the current step again through `Engine.remind`. A language menu
    the tenant opened by typing LANGUAGE is closed, since the choice has been made.
    """
    row = conversation_load.load_conversation(connection, channel, address)
    if row is None or row.id is None or row.opted_out_at is not None:
        return False
    values: dict[str, object] = {"language": language, "updated_at": now}
    if Pending.from_column(row.pending) is Pending.LANGUAGE:
        values["pending"] = None
    connection.execute(update(SESSIONS).where(SESSIONS.c.id == row.id).values(**values))
    store.set_respondent_language(connection, int(row.respondent_id), language)
    return True
