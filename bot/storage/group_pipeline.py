"""Group commit's round trips on PostgreSQL, through psycopg's pipeline mode (libpq's).

A batch's first statements go ahead together with a BEGIN sent by hand (`send_ahead`); when
every piece went ahead, their last statements go together with the COMMIT
(`run_then_commit`, what `bot.storage.group_work.later` queued). SQLite has no round trips
to save: there each piece runs its statements in order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, exc

from bot.storage.group_work import UNSENT, Waiting, Work, open_later, take_later


def pipelines(connection: Connection) -> bool:
    return connection.dialect.driver == "psycopg"


def begins_by_hand(connection: Connection) -> bool:
    """Whether `send_ahead` left the driver in autocommit (the BEGIN went by hand)."""
    if not pipelines(connection) or connection.invalidated:
        return False
    return bool(connection.connection.dbapi_connection.autocommit)  # type: ignore[union-attr]


def send_ahead(connection: Connection, batch: list[Work[Any]]) -> bool:
    """Send the first statements of the batch's work (and the BEGIN) in one round trip.

    False when two of them turned out to be one owner's: the second read what the first
    was about to change, so the batch must run again without sending ahead.
    """
    sent = [item for item in batch if item.ahead is not None]
    if not pipelines(connection) or not sent:
        return True
    driver: Any = connection.connection.dbapi_connection
    # psycopg would send its own BEGIN and wait for it before anything else; sent by hand
    # it travels with the statements (autocommit until group commit's transaction ends).
    driver.autocommit = True
    with _driver_errors(connection, "(first statements sent ahead)"), driver.pipeline():
        driver.execute("BEGIN")
        readers = [item.ahead.send(connection) for item in sent]  # type: ignore[union-attr]
    owners = set()
    for item, reader in zip(sent, readers, strict=True):
        item.fetched = reader()
        owner = item.ahead.owner(item.fetched)  # type: ignore[union-attr]
        if owner in owners:
            for each in sent:
                each.fetched = UNSENT
            return False
        owners.add(owner)
    return True


def run_then_commit(connection: Connection, batch: list[Work[Any]]) -> None:
    """Run the pieces (their first statements went ahead); when the BEGIN went by hand with
    every one of them, their last statements go with the COMMIT.

    Only then: a piece that did not go ahead may read what another piece writes, and a
    piece run whole (a rerun, a savepoint each) expects its statements to run in order.
    The caller commits afterwards, which costs nothing once the COMMIT went here.
    """
    if begins_by_hand(connection) and all(item.ahead for item in batch):
        open_later(connection)
    try:
        for item in batch:
            item.result = item(connection)
        waiting = take_later(connection)
    finally:
        take_later(connection)
    if waiting:
        _commit_with(connection, waiting)


def _commit_with(connection: Connection, waiting: Waiting) -> None:
    """The waiting statements and the COMMIT in one round trip, then each one's `then`.

    If a statement fails, the pipeline skips the rest, COMMIT included: the transaction is
    rolled back as it would be had the statement run on its own.
    """
    driver: Any = connection.connection.dbapi_connection
    with _driver_errors(connection, "(last statements sent with the commit)"), driver.pipeline():
        readers = [send(connection) for send, _then in waiting]
        driver.execute("COMMIT")
    for (_send, then), read in zip(waiting, readers, strict=True):
        then(read())


@contextlib.contextmanager
def _driver_errors(connection: Connection, what: str) -> Iterator[None]:
    """The driver's error from a pipeline, as SQLAlchemy's (what group commit retries)."""
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        raise exc.DBAPIError.instance(
            what, None, error, dbapi.Error, hide_parameters=True
        ) from error
