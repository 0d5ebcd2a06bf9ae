"""How far behind the outbox is, per channel: cheap enough to ask on every scrape.

Both queries read the `(status, due_at)` index, so their cost grows with the backlog, not
with the outbox's history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from bot.storage.models import OutboundStatus
from bot.storage.tables import OUTBOUND


@dataclass(frozen=True)
class Backlog:
    channel: str
    due: int  # pending rows whose time has come
    sending: int  # claimed by a dispatcher, result not yet written
    oldest_due_seconds: float  # how long the oldest due row has waited; 0 when none


def outbox_backlog(connection: Connection, now: datetime.datetime) -> dict[str, Backlog]:
    """The backlog of every channel that has due or in-flight rows."""
    due = connection.execute(
        select(OUTBOUND.c.channel, func.count(), func.min(OUTBOUND.c.due_at))
        .where(OUTBOUND.c.status == OutboundStatus.PENDING.value, OUTBOUND.c.due_at <= now)
        .group_by(OUTBOUND.c.channel)
    ).all()
    sending: dict[str, int] = {
        channel: count
        for channel, count in connection.execute(
            select(OUTBOUND.c.channel, func.count())
            .where(OUTBOUND.c.status == OutboundStatus.SENDING.value)
            .group_by(OUTBOUND.c.channel)
        ).all()
    }
    found = {
        channel: Backlog(channel, count, sending.get(channel, 0), _age(now, oldest))
        for channel, count, oldest in due
    }
    for channel, count in sending.items():
        found.setdefault(channel, Backlog(channel, 0, count, 0.0))
    return found


def _age(now: datetime.datetime, since: datetime.datetime | None) -> float:
    if since is None:
        return 0.0
    if since.tzinfo is None:  # SQLite hands back naive UTC times
        since = since.replace(tzinfo=datetime.UTC)
    return max(0.0, (now - since).total_seconds())
