"""Runs the dispatch loop (`bot.dispatch.worker`) in its own thread beside the web server."""

from __future__ import annotations

import asyncio
import datetime
import logging
import threading
from collections.abc import Mapping

from bot.dispatch.dispatcher import STALE_AFTER
from bot.dispatch.sending import Sender
from bot.dispatch.worker import run_worker
from bot.storage.db import Database

logger = logging.getLogger(__name__)


class DispatcherThread:
    """Sends due outbox rows continuously until stopped (one per process)."""

    def __init__(
        self,
        database: Database,
        senders: Mapping[str, Sender],
        *,
        stale_after: datetime.timedelta = STALE_AFTER,
    ) -> None:
        self.database = database
        self.senders = dict(senders)
        self.stale_after = stale_after
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="doorstep-dispatcher", daemon=True)

    def start(self) -> None:
        if not self.senders:
            logger.info("no sending channels configured; the dispatcher is idle")
            return
        self._thread.start()
        self._ready.wait(timeout=10)

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        await run_worker(self.database, self.senders, self._stop, stale_after=self.stale_after)

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=timeout)
