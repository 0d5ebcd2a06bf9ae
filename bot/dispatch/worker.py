"""`doorstep worker`: an outbox dispatcher with no web server, to add sending capacity.

On PostgreSQL any number of workers share the outbox (`FOR UPDATE SKIP LOCKED`) and one
send schedule per channel, so together they never exceed a channel's rate; `doorstep serve`
runs one dispatcher of its own. SIGTERM (or Ctrl+C) finishes the round in hand and stops:
nothing claimed is abandoned. A worker killed outright leaves rows `sending`; after
`DOORSTEP_OUTBOX_STALE_SECONDS` another worker asks the provider whether they went out and
resends only those that did not.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from bot.dispatch.dispatcher import Dispatcher, DispatchStats
from bot.dispatch.sending import Sender
from bot.settings import get_settings
from bot.storage.db import Database
from bot.storage.models import OutboundRecord, table

logger = logging.getLogger(__name__)
err = Console(stderr=True, highlight=False, soft_wrap=True)
REPORT_EVERY = 30.0  # seconds between progress lines in the log
IDLE_SECONDS = 0.5
RECONCILE_LOCK = 0x646F6F72  # PostgreSQL advisory lock key ("door")
LANES = 2  # dispatch rounds in flight at once


class WorkerDispatcher(Dispatcher):
    """A dispatcher that settles stale claims one reconciler at a time.

    Two reconcilers working on the same rows could each find a row "not sent yet", and one
    could put it back in the queue while the other is already resending it. A lock (an
    advisory lock across PostgreSQL workers, an asyncio lock across this worker's lanes)
    makes a second reconciler skip its turn; its next round finds the rows settled.
    """

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self._reconciling = asyncio.Lock()

    async def reconcile(self) -> int:
        if self._reconciling.locked():
            return 0
        async with self._reconciling:
            if self.database.engine.dialect.name != "postgresql":
                return await super().reconcile()
            with self.database.engine.connect() as connection:
                locked = connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": RECONCILE_LOCK}
                ).scalar_one()
                connection.commit()  # a session lock: no transaction held open meanwhile
                if not locked:
                    return 0
                try:
                    return await super().reconcile()
                finally:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": RECONCILE_LOCK}
                    )
                    connection.commit()


@dataclass
class _Tally:
    worker: str
    total: DispatchStats = field(default_factory=DispatchStats)
    recent: DispatchStats = field(default_factory=DispatchStats)
    reported_at: float = field(default_factory=time.monotonic)

    def add(self, stats: DispatchStats) -> None:
        self.total.add(stats)
        self.recent.add(stats)
        if time.monotonic() - self.reported_at >= REPORT_EVERY:
            self.report()

    def report(self) -> None:
        _report(self.worker, self.recent)
        self.recent, self.reported_at = DispatchStats(), time.monotonic()


async def run_worker(
    database: Database,
    senders: Mapping[str, Sender],
    stop: asyncio.Event,
    *,
    stale_after: datetime.timedelta,
    name: str | None = None,
    lanes: int = LANES,
) -> DispatchStats:
    """Send due outbox rows until `stop` is set; returns what was done.

    Several lanes run rounds side by side: while one waits for the last sends of its round
    and claims the next, another's booked send times are already coming up, so the rate
    does not dip between rounds. All lanes share one rate window and one send schedule.
    """
    dispatcher = WorkerDispatcher(database, senders, stale_after=stale_after, worker=name)
    tally = _Tally(dispatcher.worker)

    async def lane() -> None:
        while not stop.is_set():
            try:
                stats = await dispatcher.run_once()
            except SQLAlchemyError:
                logger.exception("dispatch round failed; retrying shortly")
                stats = DispatchStats()
            tally.add(stats)
            if stats.handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=IDLE_SECONDS)

    for sender in senders.values():
        start = getattr(sender, "start", None)
        if start is not None:
            await start()
    try:
        await asyncio.gather(*(lane() for _ in range(max(1, lanes))))
    finally:
        for sender in senders.values():
            stop_sender = getattr(sender, "stop", None)
            if stop_sender is not None:
                await stop_sender()
    tally.report()
    return tally.total


def _report(worker: str, stats: DispatchStats) -> None:
    if stats.handled or stats.reconciled:
        logger.info(
            "worker %s: %d sent, %d to retry, %d failed, %d opted out, %d reconciled",
            worker,
            stats.sent,
            stats.retried,
            stats.failed,
            stats.opted_out,
            stats.reconciled,
        )


def _schema_ready(database: Database) -> bool:
    try:
        with database.engine.connect() as connection:
            connection.execute(select(table(OutboundRecord).c.id).limit(1))
    except SQLAlchemyError:
        return False
    return True


async def _serve(
    database: Database, senders: Mapping[str, Sender], stale: datetime.timedelta, name: str | None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await run_worker(database, senders, stop, stale_after=stale, name=name)


def worker_command(
    name: Annotated[
        str | None, typer.Option(help="A name for this worker in the outbox (default host:pid).")
    ] = None,
) -> None:
    """Send queued messages (no web server): add workers on PostgreSQL for more capacity."""
    from channels.registry import build_channels  # `bot` never imports `channels` at load

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    senders = build_channels(settings).senders()
    if not senders:
        err.print(
            "No sending channel is configured: set DOORSTEP_TWILIO_* for SMS or "
            "DOORSTEP_TELEGRAM_BOT_TOKEN for Telegram."
        )
        raise typer.Exit(1)
    database = Database(settings.database_url)
    if not _schema_ready(database):
        err.print("The database has no Doorstep tables yet: run `doorstep db upgrade` first.")
        raise typer.Exit(1)
    logger.info("worker started; sending on %s", ", ".join(sorted(senders)))
    stale = datetime.timedelta(seconds=settings.outbox_stale_seconds)
    try:
        asyncio.run(_serve(database, senders, stale, name))
    finally:
        database.dispose()
    logger.info("worker stopped")
