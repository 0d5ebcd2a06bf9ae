"""Counters per key and time window, in the database: web chat posts per minute per session
and per IP address, and failed sign-ins per address (`api/auth/throttle.py`).

A counter in the database holds however many workers serve the app. Each key has one row
for its current window: an upsert starts a new window at 1 or adds one, atomically.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.tables import WEBCHAT_RATES

WINDOW = datetime.timedelta(minutes=1)
# Rows whose window began this long ago are over for every window counted here.
LONGEST_WINDOW = datetime.timedelta(hours=1)


def window_start(now: datetime.datetime, window: datetime.timedelta) -> datetime.datetime:
    """The start of the fixed window `now` falls in (windows count from the Unix epoch)."""
    epoch = datetime.datetime(1970, 1, 1, tzinfo=now.tzinfo)
    return now - (now - epoch) % window


def count(
    connection: Connection, key: str, now: datetime.datetime, window: datetime.timedelta = WINDOW
) -> int:
    """Add one to the key's count in the current window; the new count."""
    start = window_start(now, window)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(WEBCHAT_RATES).values(key=key, window_start=start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "count": case(
                (WEBCHAT_RATES.c.window_start == start, WEBCHAT_RATES.c.count + 1), else_=1
            ),
            "window_start": start,
        },
    ).returning(WEBCHAT_RATES.c.count)
    counted = int(connection.execute(statement).scalar_one())
    if counted == 1:
        # A key's first count this window: sweep finished windows now and then.
        connection.execute(
            delete(WEBCHAT_RATES).where(WEBCHAT_RATES.c.window_start < now - LONGEST_WINDOW)
        )
    return counted


def current(
    connection: Connection, key: str, now: datetime.datetime, window: datetime.timedelta
) -> int:
    """The key's count in the current window, without adding to it."""
    found = connection.execute(
        select(WEBCHAT_RATES.c.count).where(
            WEBCHAT_RATES.c.key == key, WEBCHAT_RATES.c.window_start == window_start(now, window)
        )
    ).scalar_one_or_none()
    return int(found or 0)


def seconds_left(now: datetime.datetime, window: datetime.timedelta) -> int:
    return max(1, int((window_start(now, window) + window - now).total_seconds()))


def over_limit(
    connection: Connection, keys: list[str], limit: int, now: datetime.datetime
) -> int | None:
    """Count one post for each key; the seconds to wait when any key is over `limit`."""
    counts = [count(connection, key, now) for key in keys]
    if max(counts, default=0) > limit:
        return seconds_left(now, WINDOW)
    return None
