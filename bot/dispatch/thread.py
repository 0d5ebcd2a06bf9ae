"""Runs the outbox dispatcher in its own thread and event loop beside the web server."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping

from bot.dispatch.dispatcher import Dispatcher
from bot.dispatch.sending import Sender
from bot.storage.db import Database

logger = logging.getLogger(__name__)


class DispatcherThread:
    """Sends due outbox rows continuously until stopped (one per process)."""

    def __init__(self, database: Database, senders: Mapping[str, Sender]) -> None:
        self.dispatcher = Dispatcher(database, senders)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="doorstep-dispatcher", daemon=True)

    def start(self) -> None:
        if not self.dispatcher.senders:
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
        senders = list(self.dispatcher.senders.values())
        for sender in senders:
            start = getattr(sender, "start", None)
            if start is not None:
                await start()
        try:
            await self.dispatcher.run(self._stop)
        finally:
            for sender in senders:
                stop = getattr(sender, "stop", None)
                if stop is not None:
                    await stop()

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=timeout)
