"""The one dispatch run loop: `doorstep worker` runs it in the foreground, `doorstep serve`
in a thread of its own (`bot.dispatch.thread`).

On PostgreSQL any number of workers share the outbox (`FOR UPDATE SKIP LOCKED`) and one
send schedule per channel, so together they never exceed a channel's rate. Stopping (SIGTERM
or Ctrl+C for `doorstep worker`) finishes the round in hand: nothing claimed is abandoned. A
worker killed outright leaves rows `sending`; after `DOORSTEP_OUTBOX_STALE_SECONDS` another
asks the provider whether they went out and resends only those that did not.

A failed round is said once (`OutageLog`), the loop backs off, and it carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.dispatch.dispatcher import STALE_AFTER, Dispatcher, DispatchStats
from bot.dispatch.outage import OutageLog
from bot.dispatch.sending import Sender
from bot.storage.db import Database
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)
REPORT_EVERY = 30.0  # seconds between progress lines in the log
IDLE_SECONDS = 0.5  # rest when nothing is due
MAX_BACKOFF_SECONDS = 15.0  # longest rest between rounds that fail
LANES = 2  # dispatch rounds in flight at once


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
        stats = self.recent
        if stats.handled or stats.reconciled:
            logger.info(
                "worker %s: %d sent, %d to retry, %d failed, %d opted out, %d reconciled",
                self.worker,
                stats.sent,
                stats.retried,
                stats.failed,
                stats.opted_out,
                stats.reconciled,
            )
        self.recent, self.reported_at = DispatchStats(), time.monotonic()


def backoff(idle_seconds: float, failures: int) -> float:
    """The rest after `failures` failed rounds in a row: doubling, up to a cap."""
    return min(idle_seconds * 2.0 ** max(0, failures - 1), MAX_BACKOFF_SECONDS)


async def run_dispatcher(
    dispatcher: Dispatcher,
    stop: asyncio.Event,
    *,
    lanes: int = LANES,
    idle_seconds: float = IDLE_SECONDS,
) -> DispatchStats:
    """Run rounds until `stop` is set; returns what was done.

    Several lanes run rounds side by side: while one waits for the last sends of its round
    and claims the next, another's booked send times are already coming up, so the rate
    does not dip between rounds. All lanes share one rate window and one send schedule.
    """
    tally = _Tally(dispatcher.worker)
    outage = OutageLog(logger, dispatcher.database)

    async def lane() -> None:
        failures = 0
        while not stop.is_set():
            try:
                stats = await dispatcher.run_once()
            except Exception as error:  # the database, or a bug: said once, never fatal
                outage.failed(error, dispatcher.clock())
                failures += 1
                rest = backoff(idle_seconds, failures)
            else:
                outage.recovered(dispatcher.clock())
                failures = 0
                tally.add(stats)
                if stats.handled:
                    continue
                rest = idle_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=rest)

    await asyncio.gather(*(lane() for _ in range(max(1, lanes))))
    tally.report()
    return tally.total


async def run_worker(
    database: Database,
    senders: Mapping[str, Sender],
    stop: asyncio.Event,
    *,
    stale_after: datetime.timedelta = STALE_AFTER,
    name: str | None = None,
    lanes: int = LANES,
    clock: Callable[[], datetime.datetime] = utcnow,
) -> DispatchStats:
    """Start the senders, send due outbox rows until `stop` is set, stop the senders."""
    dispatcher = Dispatcher(database, senders, stale_after=stale_after, worker=name, clock=clock)
    for sender in senders.values():
        start = getattr(sender, "start", None)
        if start is not None:
            await start()
    try:
        return await run_dispatcher(dispatcher, stop, lanes=lanes)
    finally:
        for sender in senders.values():
            stop_sender = getattr(sender, "stop", None)
            if stop_sender is not None:
                await stop_sender()
