"""Say a run of failed dispatch rounds once, not twice a second.

A loop that retries every half second would otherwise write the same traceback into the log
a hundred times a minute while the database is read-only, full or restarting.
"""

from __future__ import annotations

import datetime
import logging

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.storage.db import Database

EVERY = datetime.timedelta(minutes=1)


def describe(error: SQLAlchemyError) -> str:
    """The error's kind and the driver's first line; never the statement or its values."""
    original = error.orig if isinstance(error, DBAPIError) else None
    lines = str(original).strip().splitlines() if original is not None else []
    detail = f": {lines[0].rstrip('.')}" if lines else ""
    return f"{type(error).__name__}{detail}"


class OutageLog:
    """One line when rounds start failing, at most one per `every` while they fail, one when
    a round works again. Times come from the caller's clock, so tests need not sleep.

    A database error is one line with no traceback: it is the database, not the code. Any
    other error is a bug, so the lines about it carry its traceback.
    """

    def __init__(
        self, logger: logging.Logger, database: Database, every: datetime.timedelta = EVERY
    ) -> None:
        self.logger = logger
        self.where = database.engine.url.render_as_string(hide_password=True)
        self.every = every
        self.since: datetime.datetime | None = None
        self._said_at: datetime.datetime | None = None

    def failed(self, error: Exception, now: datetime.datetime) -> None:
        if self.since is None:
            self.since = now
        if self._said_at is not None and now - self._said_at < self.every:
            return
        self._said_at = now
        if isinstance(error, SQLAlchemyError):
            self.logger.warning(
                "the dispatcher cannot use the database %s (%s); it keeps retrying",
                self.where,
                describe(error),
            )
        else:
            self.logger.error(
                "a dispatch round failed (%s); it keeps retrying",
                type(error).__name__,
                exc_info=error,
            )

    def recovered(self, now: datetime.datetime) -> None:
        if self.since is None:
            return
        seconds = (now - self.since).total_seconds()
        self.logger.warning("the dispatcher works again after %.0f s of failed rounds", seconds)
        self.since = self._said_at = None
