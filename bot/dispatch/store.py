"""The outbox's SQL: claim due rows, reserve send slots, record what the provider said.

Claiming is safe with several dispatchers: PostgreSQL locks the rows it picks with
`FOR UPDATE SKIP LOCKED`; SQLite runs the claim inside `BEGIN IMMEDIATE`, so only one
writer at a time. A claimed row is `sending` with the claimer's name and time until the
result is written; rows left `sending` by a dead process are reconciled, never blindly resent.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert

from bot.engine.messages import OutboundMessage
from bot.storage.leader import TRY_LOCK, UNLOCK
from bot.storage.models import OutboundStatus
from bot.storage.tables import OUTBOUND, SEND_SLOTS

RECONCILE_LOCK = 0x646F6F72  # PostgreSQL advisory lock key ("door")


def claim_due(
    connection: Connection,
    channel: str,
    limit: int,
    worker: str,
    now: datetime.datetime,
) -> list[OutboundMessage]:
    """Mark up to `limit` due rows of one channel as `sending` by this worker."""
    due = (
        select(OUTBOUND.c.id)
        .where(
            OUTBOUND.c.status == OutboundStatus.PENDING.value,
            OUTBOUND.c.channel == channel,
            OUTBOUND.c.due_at <= now,
        )
        .order_by(OUTBOUND.c.due_at, OUTBOUND.c.id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
        ids = list(connection.execute(due).scalars())
        if not ids:
            return []
        chosen: Any = OUTBOUND.c.id.in_(ids)
    else:
        chosen = OUTBOUND.c.id.in_(due.scalar_subquery())
    rows = connection.execute(
        update(OUTBOUND)
        .where(chosen, OUTBOUND.c.status == OutboundStatus.PENDING.value)
        .values(
            status=OutboundStatus.SENDING.value,
            claimed_at=now,
            claimed_by=worker,
            attempts=OUTBOUND.c.attempts + 1,
        )
        .returning(*OUTBOUND.c)
    ).all()
    return sorted((OutboundMessage.from_row(row) for row in rows), key=lambda message: message.id)


WINDOW = datetime.timedelta(seconds=1)
# Slack between two bookings a second apart: a send may leave a little after its slot.
MARGIN = datetime.timedelta(milliseconds=50)


class _Window:
    """The bookings of the last second, oldest first, with their running total."""

    def __init__(self, bookings: list[tuple[datetime.datetime, int]]) -> None:
        self.bookings = deque(bookings)
        self.used = sum(used for _, used in bookings)

    def book(self, start: datetime.datetime, units: int, limit: int) -> datetime.datetime:
        """The first moment from `start` at which `units` more keep the window in `limit`.

        Bookings only move forward in time, so one that has left the window is dropped.
        """
        at = start
        while True:
            while self.bookings and self.bookings[0][0] <= at - WINDOW - MARGIN:
                self.used -= self.bookings.popleft()[1]
            if not self.bookings or self.used + units <= limit:
                self.bookings.append((at, units))
                self.used += units
                return at
            at = self.bookings[0][0] + WINDOW + MARGIN


def reserve_slots(
    connection: Connection,
    channel: str,
    units: list[int],
    per_second: float,
    now: datetime.datetime,
) -> list[datetime.datetime]:
    """Book one send time per message; `units` is what each costs (SMS parts, else 1).

    Messages are spaced by their units at `per_second`, and no one-second window holds more
    than `per_second` units: the bookings of the last second are kept with the schedule.
    The booking is one row per channel, locked while it is updated, so dispatchers in
    different processes share one schedule and the channel's limit holds overall.
    """
    if not units:
        return []
    query = select(SEND_SLOTS.c.next_at, SEND_SLOTS.c.recent).where(SEND_SLOTS.c.channel == channel)
    if connection.dialect.name == "postgresql":
        # A channel's first booking: two dispatchers must not both find no row, schedule
        # from scratch and collide on inserting it; the row is made (once) and then locked.
        connection.execute(
            postgresql_insert(SEND_SLOTS)
            .values(channel=channel, next_at=now, recent=[])
            .on_conflict_do_nothing(index_elements=["channel"])
        )
        query = query.with_for_update()
    found = connection.execute(query).one_or_none()
    limit = max(1, int(per_second))
    window = _Window(
        [
            (datetime.datetime.fromisoformat(moment), int(used))
            for moment, used in ((found.recent if found is not None else None) or [])
        ]
    )
    start = max(found.next_at if found is not None else now, now)
    times = []
    for cost in units:
        cost = max(1, min(cost, limit))  # a message larger than the rate goes alone
        at = window.book(start, cost, limit)
        times.append(at)
        start = at + datetime.timedelta(seconds=cost / per_second)
    kept = [[m.isoformat(), u] for m, u in window.bookings if m > times[-1] - WINDOW - MARGIN]
    values = {"next_at": start, "recent": kept}
    if found is None:
        connection.execute(insert(SEND_SLOTS).values(channel=channel, **values))
    else:
        connection.execute(update(SEND_SLOTS).where(SEND_SLOTS.c.channel == channel).values(values))
    return times


def pause_channel(connection: Connection, channel: str, until: datetime.datetime) -> None:
    """Push the channel's schedule back (the provider said 'retry after')."""
    booked = connection.execute(
        select(SEND_SLOTS.c.next_at).where(SEND_SLOTS.c.channel == channel)
    ).scalar_one_or_none()
    if booked is None:
        connection.execute(insert(SEND_SLOTS).values(channel=channel, next_at=until))
    elif booked < until:
        connection.execute(
            update(SEND_SLOTS).where(SEND_SLOTS.c.channel == channel).values(next_at=until)
        )


def mark_sent(
    connection: Connection,
    message_id: int,
    provider_id: str,
    segments: int | None,
    now: datetime.datetime,
) -> None:
    connection.execute(
        update(OUTBOUND)
        .where(OUTBOUND.c.id == message_id, OUTBOUND.c.status == OutboundStatus.SENDING.value)
        .values(
            status=OutboundStatus.SENT.value,
            provider_id=provider_id,
            segments=segments,
            sent_at=now,
            status_at=now,
            error=None,
        )
    )


def reschedule(
    connection: Connection, message_id: int, due: datetime.datetime, reason: str
) -> None:
    connection.execute(
        update(OUTBOUND)
        .where(OUTBOUND.c.id == message_id)
        .values(status=OutboundStatus.PENDING.value, due_at=due, error=reason[:200])
    )


def mark_failed(
    connection: Connection, message_id: int, reason: str, now: datetime.datetime
) -> None:
    connection.execute(
        update(OUTBOUND)
        .where(OUTBOUND.c.id == message_id)
        .values(status=OutboundStatus.FAILED.value, error=reason[:200], status_at=now)
    )


def attempts(connection: Connection, message_id: int) -> int:
    """How many times the row has been claimed for sending."""
    found = connection.execute(
        select(OUTBOUND.c.attempts).where(OUTBOUND.c.id == message_id)
    ).scalar_one()
    return int(found)


def stale_claims(
    connection: Connection, older_than: datetime.datetime, channels: Iterable[str]
) -> list[tuple[OutboundMessage, datetime.datetime]]:
    """Rows left `sending` by a dispatcher that died before writing the result."""
    rows = connection.execute(
        select(OUTBOUND).where(
            OUTBOUND.c.status == OutboundStatus.SENDING.value,
            OUTBOUND.c.claimed_at < older_than,
            OUTBOUND.c.channel.in_(list(channels)),
        )
    ).all()
    return [(OutboundMessage.from_row(row), row.claimed_at) for row in rows]


def take_over(
    connection: Connection,
    message_id: int,
    claimed_at: datetime.datetime,
    worker: str,
    now: datetime.datetime,
) -> bool:
    """Claim a stale row for reconciliation; only one dispatcher can win it."""
    result = connection.execute(
        update(OUTBOUND)
        .where(
            OUTBOUND.c.id == message_id,
            OUTBOUND.c.status == OutboundStatus.SENDING.value,
            OUTBOUND.c.claimed_at == claimed_at,
        )
        .values(claimed_at=now, claimed_by=worker)
    )
    return bool(result.rowcount)


class ReconcileLock:
    """Held while one dispatcher settles stale claims; see `lock_reconciliation`."""

    def __init__(self, connection: Connection | None) -> None:
        self._connection = connection

    def release(self) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            connection.execute(UNLOCK, {"key": RECONCILE_LOCK})
            connection.commit()
        except Exception:
            # A pooled connection would keep the session lock: really close this one.
            connection.invalidate()
            raise
        finally:
            connection.close()


def lock_reconciliation(engine: Engine) -> ReconcileLock | None:
    """The cross-process reconciliation lock, or None when another process holds it.

    On PostgreSQL a session advisory lock, taken without waiting and with no transaction
    left open while it is held. SQLite runs one dispatcher process: nothing to lock.
    """
    if engine.dialect.name != "postgresql":
        return ReconcileLock(None)
    connection = engine.connect()
    try:
        locked = connection.execute(TRY_LOCK, {"key": RECONCILE_LOCK}).scalar_one()
        connection.commit()
    except Exception:
        connection.close()
        raise
    if not locked:
        connection.close()
        return None
    return ReconcileLock(connection)


def count_by_status(connection: Connection) -> dict[str, int]:
    rows = connection.execute(
        select(OUTBOUND.c.status, func.count()).group_by(OUTBOUND.c.status)
    ).all()
    return {status: count for status, count in rows}


def record_delivery(
    connection: Connection,
    channel: str,
    provider_id: str,
    status: OutboundStatus,
    error: str | None,
    now: datetime.datetime,
) -> Any | None:
    """Apply a provider's status callback; statuses only move forward.

    Returns the updated row (channel, address) or None when nothing changed (unknown
    provider id, or a callback that arrived after a later one).
    """
    earlier = [other.value for other in OutboundStatus if other.rank < status.rank]
    # One conditional UPDATE, so two callbacks racing can never move a status backwards.
    return connection.execute(
        update(OUTBOUND)
        .where(
            OUTBOUND.c.channel == channel,
            OUTBOUND.c.provider_id == provider_id,
            OUTBOUND.c.status.in_(earlier),
        )
        .values(status=status.value, status_at=now, error=error[:200] if error else None)
        .returning(OUTBOUND.c.id, OUTBOUND.c.channel, OUTBOUND.c.address)
    ).first()
