"""WhatsApp's 24-hour customer-service window, from the messages the tenant sent us.

A business may write freely to a WhatsApp user only within 24 hours of the user's last
message. The inbound messages the engine records (with the tenant's respondent id) say
when that was; every reply the tenant sends opens the window again.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from sqlalchemy import Connection, func, select

from bot.storage.db import Database
from bot.storage.tables import IDENTITIES, INBOUND

WINDOW = datetime.timedelta(hours=24)
# A message queued in the last minutes of the window may reach Twilio after it closed.
MARGIN = datetime.timedelta(minutes=5)
LastHeard = Callable[[str], datetime.datetime | None]


def last_heard(connection: Connection, address: str) -> datetime.datetime | None:
    """When the tenant behind this WhatsApp number last wrote to us on WhatsApp."""
    return connection.execute(
        select(func.max(INBOUND.c.received_at))
        .select_from(IDENTITIES)
        .join(INBOUND, INBOUND.c.respondent_id == IDENTITIES.c.respondent_id)
        .where(
            IDENTITIES.c.channel == "whatsapp",
            IDENTITIES.c.address == address,
            INBOUND.c.channel == "whatsapp",
        )
    ).scalar_one_or_none()


def reader(database: Database | None, database_url: str) -> LastHeard:
    """Reads the window from `database`, or opens one at the first send (CLI listings)."""
    opened: list[Database] = [database] if database is not None else []

    def read(address: str) -> datetime.datetime | None:
        if not opened:
            opened.append(Database(database_url))
        with opened[0].engine.connect() as connection:
            return last_heard(connection, address)

    return read


def is_open(heard: datetime.datetime | None, now: datetime.datetime) -> bool:
    if heard is None:
        return False
    if heard.tzinfo is None:
        heard = heard.replace(tzinfo=datetime.UTC)
    return now - heard < WINDOW - MARGIN
