"""The in-process scheduler: APScheduler ticks periodic jobs; the work lives in the tables."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from bot.service import Service
from bot.sessions import expire_overdue_sessions

logger = logging.getLogger(__name__)


def start_scheduler(service: Service) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        expire_overdue_sessions,
        "interval",
        minutes=5,
        args=[service.database],
        id="expire-sessions",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
