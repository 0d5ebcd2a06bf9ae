"""Group commit: the writes waiting at one moment share one transaction and one commit.

Every inbound message must be committed (on SQLite: fsynced) before its webhook answers,
and SQLite has one writer at a time. Run one transaction per message and sixteen webhooks
arriving together queue for sixteen commits. Here the caller that finds the writer free
becomes the leader: it takes every piece of work waiting at that moment (its own included),
runs them in one transaction, commits once and hands every caller its own result. If one
piece fails, the batch is rolled back and run again with a SAVEPOINT each, so the failing
one is rolled back alone (`_write_together`). Callers that arrived while it wrote wait for
it, then the next of them leads the next batch. A caller's `run` returns only after the
transaction holding its work committed, so whatever it acknowledges is on disk. Nobody
waits for company: a lone caller runs straight away in its own transaction.

Work must be safe to run again: its effects must all be in the database (a batch that is
rolled back and rerun runs it twice), and nothing read from an uncommitted row may be
cached for later (see the questionnaire registry's version cache).

PostgreSQL can write in parallel, so there several leaders (`parallel`) may write at once,
each with its own batch (Doorstep runs one: see `bot.storage.db`). There a
piece of work may also say how to send its first statement ahead (`Ahead`): the leader
sends the batch's first statements together in one pipeline with the BEGIN, one round trip
instead of one each plus one for the BEGIN, then runs the rest of each piece in turn. A
piece's last statement may wait for the commit (`later`): when every piece of the batch went
ahead, those statements and the COMMIT go in one more round trip, so a batch of any size
costs three (first statements, last statements and commit, and whatever a piece reads in
between) where it cost one per statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, RootTransaction, exc

from bot.storage.group_pipeline import begins_by_hand, run_then_commit, send_ahead
from bot.storage.group_work import UNSENT, Ahead, Work, later, settle

__all__ = ["Ahead", "GroupCommit", "later", "retryable"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 3  # a lost race (two first messages from one number) is run again
MAX_BATCH = 64
WRITER_IDLE_SECONDS = 5.0


def retryable(engine: Engine) -> tuple[type[BaseException], ...]:
    """A unique key or lock lost to another transaction: running the work again may pass.

    Prepared statements raise the driver's own errors, Core statements SQLAlchemy's.
    """
    dbapi = engine.dialect.loaded_dbapi
    return (exc.IntegrityError, exc.OperationalError, dbapi.IntegrityError, dbapi.OperationalError)


def _undo(cursor: Any) -> None:
    # ROLLBACK TO keeps the savepoint on the stack; releasing it too leaves the stack empty.
    cursor.execute("ROLLBACK TO SAVEPOINT one_message")
    cursor.execute("RELEASE SAVEPOINT one_message")


def _by_hand(connection: Connection, work: Callable[[Connection], T]) -> T:
    """SQLite: `work` between a BEGIN and a COMMIT sent straight to the driver.

    SQLAlchemy's own transaction (its bookkeeping, events and context managers) cost as
    much Python as two of a reply's statements. A Core statement in `work` still begins
    SQLAlchemy's transaction on top (`bot.storage.db` sends no second BEGIN): then
    SQLAlchemy commits or rolls back, so it never believes a finished transaction open.
    """
    driver: Any = connection.connection.dbapi_connection
    driver.execute("BEGIN IMMEDIATE")
    try:
        result = work(connection)
    except BaseException:
        if connection.in_transaction():
            connection.rollback()
        elif driver.in_transaction:
            driver.rollback()
        raise
    if connection.in_transaction():
        connection.commit()
    else:
        driver.commit()
    return result


class GroupCommit:
    """Runs `work(connection)` in a transaction shared with whatever else is waiting."""

    def __init__(self, engine: Engine, *, parallel: int = 1, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._retryable = retryable(engine)
        self._pipelines = engine.dialect.driver == "psycopg"  # libpq's pipeline mode
        self._sqlite = engine.dialect.name == "sqlite"
        self._idle: list[Connection] = []  # the leaders' connections between batches
        self._waiting: list[Work[Any]] = []
        lock = threading.Lock()
        self._turns = threading.Condition(lock)  # callers of `run` wait here
        # Writer threads wait here, apart from the callers: a new webhook wakes one idle
        # writer, not every thread (waking them all cost a fifth of the interpreter's time
        # on PostgreSQL's four writers, when it had four).
        self._work_ready = threading.Condition(lock)
        self._idle_writers = 0
        self._free = parallel  # leaders that may write at once
        self._parallel = parallel
        self._writers = 0  # threads writing for callers on an event loop
        self.batches = 0  # how many transactions ran, and how much work they carried
        self.batched = 0

    @property
    def waiting(self) -> int:
        """Pieces of work queued for the next batch (the tests wait for a batch to form)."""
        with self._turns:
            return len(self._waiting)

    def run(self, work: Callable[[Connection], T], ahead: Ahead[T] | None = None) -> T:
        """`work`'s result once it is committed; its exception if it (alone) failed.

        With `ahead`, the same work split so its first statement can be sent ahead.
        """
        item: Work[T] = Work(work, ahead=ahead)
        with self._turns:
            if self._free and not self._waiting:  # nobody to wait for: lead at once
                self._free -= 1
                alone = True
            else:
                self._waiting.append(item)
                alone = False
        if alone:
            self._lead([item])
        while not item.done:
            with self._turns:
                # Wait while a leader writes our work, or while no leader's place is free.
                while not item.done and not (self._free and self._waiting):
                    self._turns.wait()
                if item.done:
                    break
                batch = self._take()
            self._lead(batch)
        if item.error is not None:
            raise item.error
        return item.result  # type: ignore[return-value]

    async def run_async(self, work: Callable[[Connection], T], ahead: Ahead[T] | None = None) -> T:
        """The same for a caller on an event loop: a writer thread runs it, nobody blocks.

        A webhook awaits its batch without holding a thread of the pool, so the event
        loop and the writer are the only threads taking turns with the interpreter.
        The writer is woken once the loop has run what was ready in this turn: webhooks
        that arrived together then share a batch, and the writer does not take the
        interpreter from the loop in the middle of its turn (docs/performance.md).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._turns:
            self._waiting.append(Work(work, future, ahead))
        loop.call_soon(self._wake_writer)
        return await future

    def _wake_writer(self) -> None:
        """One idle writer woken, or one started, if work waits (an earlier wake in the
        same turn may have taken it already)."""
        with self._turns:
            if not self._waiting:
                return
            if self._idle_writers:
                self._work_ready.notify()
            elif self._writers < self._parallel:
                self._writers += 1
                threading.Thread(target=self._writer, name="group-commit", daemon=True).start()

    def _writer(self) -> None:
        """Lead batches while there is work; end after a quiet spell (started on demand)."""
        while True:
            with self._turns:
                while not (self._free and self._waiting):
                    self._idle_writers += 1
                    woken = self._work_ready.wait(WRITER_IDLE_SECONDS)
                    self._idle_writers -= 1
                    if not woken and not self._waiting:
                        self._writers -= 1
                        return
                batch = self._take()
            self._lead(batch)

    def _take(self) -> list[Work[Any]]:
        self._free -= 1
        batch = self._waiting[: self.max_batch]
        del self._waiting[: self.max_batch]
        return batch

    def _lead(self, batch: list[Work[Any]]) -> None:
        try:
            self._write(batch)
        finally:
            with self._turns:
                self._free += 1
                for written in batch:
                    written.done = True
                self._turns.notify_all()
                if self._waiting:  # work that came while this batch was written
                    self._work_ready.notify()
            by_loop: dict[asyncio.AbstractEventLoop, list[Work[Any]]] = {}
            for item in batch:
                if item.future is not None:
                    by_loop.setdefault(item.future.get_loop(), []).append(item)
            for loop, mine in by_loop.items():
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits
                    loop.call_soon_threadsafe(settle, mine)

    def _write(self, batch: list[Work[Any]]) -> None:
        try:
            if len(batch) == 1:
                self._write_alone(batch[0])
            else:
                self._write_together(batch)
        except Exception as error:  # the commit itself failed: nothing of the batch is stored
            logger.warning("a batch of %d failed to commit (%s)", len(batch), type(error).__name__)
            for item in batch:
                item.error = error
        self.batches += 1
        self.batched += len(batch)

    def _checkout(self) -> Connection:
        """A leader's connection, kept between batches: checking one out of the pool costs
        a round trip on PostgreSQL (the pre-ping) and more Python than a short reply's
        statements."""
        with self._turns:
            if self._idle:
                return self._idle.pop()
        return self.engine.connect()

    def _give_back(self, connection: Connection) -> None:
        """Keep a healthy connection for the next batch; close one that failed or was left
        inside a transaction, so the next batch gets a fresh one."""
        if connection.invalidated or connection.in_transaction():
            self._discard(connection)
            return
        with self._turns:
            self._idle.append(connection)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Connection]:
        connection = self._checkout()
        try:
            yield connection
        except BaseException:
            self._discard(connection)
            raise
        self._give_back(connection)

    def _discard(self, connection: Connection) -> None:
        if begins_by_hand(connection):  # never back to the pool so
            connection.invalidate()
        connection.close()

    def _in_transaction(self, work: Callable[[Connection], T]) -> T:
        """`work` in its own transaction (a lone caller with nothing to send ahead)."""
        connection = self._checkout()
        try:
            if self._sqlite:
                result = _by_hand(connection, work)
            else:
                with connection.begin():
                    result = work(connection)
        except BaseException:
            self._discard(connection)
            raise
        self._give_back(connection)
        return result

    @contextlib.contextmanager
    def _transaction(self, connection: Connection) -> Iterator[RootTransaction]:
        """`connection.begin()`, for the caller to commit; rolled back if it did not.

        `send_ahead` sends its own BEGIN with the first statements, which takes the
        driver out of its own transactions (autocommit) until the transaction ends: here
        it is put back, and a connection where that fails is not used again.
        """
        transaction = connection.begin()
        try:
            yield transaction
        finally:
            try:
                if transaction.is_active:
                    transaction.rollback()
                if begins_by_hand(connection):
                    connection.connection.dbapi_connection.autocommit = False  # type: ignore[union-attr]
            except Exception:
                connection.invalidate()
                raise

    def close(self) -> None:
        """Give the kept connections back (the database is being disposed of)."""
        with self._turns:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _write_alone(self, item: Work[Any]) -> None:
        """One piece of work, its own transaction (run again after a lost race)."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                if item.ahead is None or not self._pipelines:
                    item.result = self._in_transaction(item.work)
                    return
                with self._connection() as connection, self._transaction(connection) as began:
                    send_ahead(connection, [item])
                    run_then_commit(connection, [item])
                    began.commit()  # nothing left to send: the COMMIT went with the last
                return
            except self._retryable as error:
                if attempt == ATTEMPTS:
                    item.error = error
                    return
                logger.info("running work again after a conflict (%s)", type(error).__name__)
                time.sleep(0.01 * attempt)
            except Exception as error:
                item.error = error
                return

    def _write_together(self, batch: list[Work[Any]]) -> None:
        """All in one transaction; if any piece fails, again with a savepoint each.

        A savepoint costs two statements (two round trips on PostgreSQL) per piece, as
        much as the commit it saves, so the first pass runs without: work that fails is
        rare (a bug, a lost race), and the work is safe to run again (its only effects are
        in the database, rolled back with the batch).
        """
        if self._write_unguarded(batch):
            return
        for item in batch:
            item.result = item.error = None
        with self._connection() as connection, connection.begin():
            for item in batch:
                self._savepointed(connection, item)
        logger.info("a batch of %d ran again with a savepoint each", len(batch))

    def _write_unguarded(self, batch: list[Work[Any]]) -> bool:
        with self._connection() as connection:
            for ahead in (True, False):
                with self._transaction(connection) as transaction:
                    try:
                        if ahead and not send_ahead(connection, batch):
                            continue  # two pieces for one owner: rolled back, one at a time
                        # Last statements wait for the COMMIT only if the BEGIN went ahead.
                        run_then_commit(connection, batch)
                    except Exception:
                        for item in batch:
                            item.fetched = UNSENT
                        return False  # rolled back
                    transaction.commit()
                    return True
        return False  # not reached: the second pass sends nothing ahead

    def _savepointed(self, connection: Connection, item: Work[Any]) -> None:
        # Straight to the driver: SQLAlchemy's nested transactions cost more than the
        # statements themselves, and the outer transaction stays SQLAlchemy's.
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            self._in_savepoint(connection, cursor, item)
        finally:
            cursor.close()

    def _in_savepoint(self, connection: Connection, cursor: Any, item: Work[Any]) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            cursor.execute("SAVEPOINT one_message")
            try:
                item.result = item.work(connection)  # in order, nothing sent ahead
            except self._retryable as error:
                _undo(cursor)
                if attempt == ATTEMPTS:
                    item.error = error
                    return
                logger.info("running work again after a conflict (%s)", type(error).__name__)
                time.sleep(0.01 * attempt)
                continue
            except Exception as error:
                _undo(cursor)
                item.error = error
                return
            cursor.execute("RELEASE SAVEPOINT one_message")
            return
