"""Which API process runs the background work (scheduler and dispatcher) when there are many.

`doorstep serve --workers N` starts N processes from one app factory; periodic jobs and the
dispatcher must run in exactly one. On PostgreSQL that one holds a session advisory lock on
a connection of its own for as long as it lives; when it dies the server drops the lock,
and another process, asking again every little while, takes over. SQLite serves from one
process (its single writer), so that process always leads.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

from bot.storage.db import Database

logger = logging.getLogger(__name__)
BACKGROUND_LOCK = 0x646F6F73  # PostgreSQL advisory lock key ("doos"); reconciling uses "door"
# Advisory locks are per database, not per schema: the second key scopes each lock to the
# schema in use, so deployments (or test runs) sharing a database in different schemas
# never wait for each other's lock.
TRY_LOCK = text("SELECT pg_try_advisory_lock(:key, hashtext(current_schema()))")
UNLOCK = text("SELECT pg_advisory_unlock(:key, hashtext(current_schema()))")


class LeaderLock:
    """Held by the one process that runs the background work."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._connection: Connection | None = None
        self._sqlite = database.engine.dialect.name != "postgresql"

    @property
    def held(self) -> bool:
        return self._sqlite or self._connection is not None

    def try_acquire(self) -> bool:
        """Take the lock without waiting; True when this process now leads."""
        if self.held:
            return True
        connection = self.database.engine.connect()
        try:
            taken = connection.execute(TRY_LOCK, {"key": BACKGROUND_LOCK}).scalar_one()
            connection.commit()  # no transaction left open while the lock is held
        except Exception:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(UNLOCK, {"key": BACKGROUND_LOCK})
            connection.commit()
        except Exception:
            connection.invalidate()  # a pooled connection would keep the session lock
            logger.warning("could not release the background lock; closing its connection")
        finally:
            connection.close()
