"""Posts per minute per web chat session and per IP address, counted in the database.

A counter in the database holds however many workers serve the chat. Each key has one row
for the current minute: an upsert starts a new minute at 1 or adds one, atomically.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Connection, case, delete
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.tables import WEBCHAT_RATES

WINDOW = datetime.timedelta(minutes=1)


def _count(connection: Connection, key: str, window: datetime.datetime) -> int:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(WEBCHAT_RATES).values(key=key, window_start=window, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "count": case(
                (WEBCHAT_RATES.c.window_start == window, WEBCHAT_RATES.c.count + 1), else_=1
            ),
            "window_start": window,
        },
    ).returning(WEBCHAT_RATES.c.count)
    return int(connection.execute(statement).scalar_one())


def over_limit(
    connection: Connection, keys: list[str], limit: int, now: datetime.datetime
) -> int | None:
    """Count one post for each key; the seconds to wait when any key is over `limit`."""
    window = now.replace(second=0, microsecond=0)
    counts = [_count(connection, key, window) for key in keys]
    if counts and counts[0] == 1:
        # A key's first post this minute: sweep rows of earlier minutes now and then.
        connection.execute(
            delete(WEBCHAT_RATES).where(WEBCHAT_RATES.c.window_start < window - WINDOW)
        )
    if max(counts, default=0) > limit:
        return max(1, int((window + WINDOW - now).total_seconds()))
    return None
