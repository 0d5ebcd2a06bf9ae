"""What group commit carries: one caller's piece of work, how its first statement may be
sent ahead, and how its last may be sent later, with the commit.

`bot.storage.group_commit` batches these; a piece holds the work, where its caller waits
(a thread, or an event loop's future), and what came back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")

UNSENT: Any = object()  # no first statement was sent ahead for this piece
_LATER = "doorstep.later"  # connection.info: the statements waiting for the commit
Send = Callable[[Connection], Callable[[], Any]]  # queue a statement; read its rows later
Waiting = list[tuple[Send, Callable[[Any], None]]]  # what `later` queued: (send, then)


def later(connection: Connection, send: Send, then: Callable[[Any], None]) -> bool:
    """Queue a piece's last statement to travel with the commit, if this batch takes it.

    On PostgreSQL a batch whose first statements went ahead can send its pieces' last
    statements and the COMMIT in one round trip instead of one each. `send` queues the
    statement (the driver is in its pipeline) and returns what reads its rows; `then` gets
    them once the pipeline has run, before the batch's callers are woken. Nothing may read
    what the statement writes before then: it is the piece's last. False when the batch
    does not take it (SQLite, a savepoint each, a rerun): the caller runs it now.
    """
    waiting: Waiting | None = connection.info.get(_LATER)
    if waiting is None:
        return False
    waiting.append((send, then))
    return True


def open_later(connection: Connection) -> None:
    connection.info[_LATER] = []


def take_later(connection: Connection) -> Waiting:
    """What `later` queued (none once taken): the batch sends it with the commit."""
    return connection.info.pop(_LATER, None) or []


@dataclass(frozen=True)
class Ahead(Generic[T]):
    """How a piece of work's first statement can travel with the batch's other ones.

    `send` queues the statement (the connection is in the driver's pipeline) and returns
    what reads its result once the pipeline has run; `then` is the rest of the work, given
    that result. Pieces whose first statements must see each other's writes cannot go
    together: `owner` names whose data a result is (a tenant); when two pieces of a batch
    turn out to share one, the batch is rolled back and run again one piece at a time.
    """

    send: Send
    owner: Callable[[Any], Hashable]
    then: Callable[[Connection, Any], T]


class Work(Generic[T]):
    __slots__ = ("ahead", "done", "error", "fetched", "future", "result", "work")

    def __init__(
        self,
        work: Callable[[Connection], T],
        future: asyncio.Future[T] | None = None,
        ahead: Ahead[T] | None = None,
    ) -> None:
        self.work = work
        self.future = future  # set for a caller on an event loop, which awaits it
        self.ahead = ahead
        self.fetched: Any = UNSENT  # the first statement's result, when sent ahead
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None

    def __call__(self, connection: Connection) -> T:
        fetched, self.fetched = self.fetched, UNSENT
        if fetched is UNSENT or self.ahead is None:
            return self.work(connection)
        return self.ahead.then(connection, fetched)


def settle(batch: list[Work[Any]]) -> None:
    """On the event loop: hand each awaiting caller its result."""
    for item in batch:
        future = item.future
        if future is None or future.done():
            continue
        if item.error is not None:
            future.set_exception(item.error)
        else:
            future.set_result(item.result)
