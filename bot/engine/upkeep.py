"""Session upkeep that runs on a schedule."""

from __future__ import annotations

import datetime
import logging

from sqlalchemy import update

from bot.storage.db import Database
from bot.storage.models import OPEN_STATES, SessionState, utcnow
from bot.storage.tables import SESSIONS

logger = logging.getLogger(__name__)


def expire_overdue_sessions(database: Database, now: datetime.datetime | None = None) -> int:
    """Close conversations whose expiry has passed; returns how many were closed."""
    moment = now or utcnow()
    with database.engine.begin() as connection:
        result = connection.execute(
            update(SESSIONS)
            .where(
                SESSIONS.c.state.in_([state.value for state in OPEN_STATES]),
                SESSIONS.c.expires_at <= moment,
            )
            .values(
                state=SessionState.EXPIRED.value,
                updated_at=moment,
                current_question=None,
                values={},
                asked=[],
            )
        )
    count = result.rowcount or 0
    if count:
        logger.info("expired %d unfinished conversation(s)", count)
    return count
