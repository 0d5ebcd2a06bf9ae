"""The background work of `doorstep serve`: the scheduler and the dispatcher thread.

With several API processes (`--workers N`, PostgreSQL) only the one holding the leader
lock (`bot.storage.leader`) runs them; the others serve requests and ask for the lock every
`RETRY_SECONDS`, so one takes over if the leader dies. Each process says in its log which
it is.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from api.scheduler import start_scheduler
from bot.dispatch.thread import DispatcherThread
from bot.service import Service
from bot.storage.leader import LeaderLock
from channels.registry import ChannelRegistry

logger = logging.getLogger(__name__)
RETRY_SECONDS = 15.0


class BackgroundWork:
    def __init__(self, service: Service, channels: ChannelRegistry) -> None:
        self.service = service
        self.lock = LeaderLock(service.database)
        self.dispatcher = DispatcherThread(
            service.database,
            channels.senders(),
            stale_after=datetime.timedelta(seconds=service.settings.outbox_stale_seconds),
        )
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._standby = threading.Thread(target=self._wait_for_lock, daemon=True)

    def start(self) -> None:
        if self.lock.try_acquire():
            self._lead()
            return
        logger.info(
            "process %d serves requests only: the scheduler and dispatcher run in another",
            os.getpid(),
        )
        self._standby.start()

    def _lead(self) -> None:
        logger.info("process %d runs the scheduler and the dispatcher", os.getpid())
        self.scheduler = start_scheduler(self.service)
        self.dispatcher.start()

    def _wait_for_lock(self) -> None:
        while not self._stop.wait(RETRY_SECONDS):
            try:
                if self.lock.try_acquire():
                    self._lead()
                    return
            except Exception as error:  # the database is away: ask again next time
                logger.warning("could not ask for the background lock (%s)", type(error).__name__)

    def stop(self) -> None:
        self._stop.set()
        self.dispatcher.stop()
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        self.lock.release()
