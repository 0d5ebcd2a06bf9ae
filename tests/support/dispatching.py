"""Outbox rows queued at once and dispatchers draining them side by side, as separate
worker processes would: for the tests that the shared send schedule holds a provider's rate."""

from __future__ import annotations

import asyncio
import datetime
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert

from bot.dispatch.dispatcher import Dispatcher
from bot.service import Service
from bot.storage.models import utcnow
from bot.storage.tables import OUTBOUND, RESPONDENTS


def queue_pending(service: Service, channel: str, body: str, count: int, **columns: Any) -> None:
    """`count` messages due now, to distinct numbers, from one respondent."""
    now = datetime.datetime.now(datetime.UTC)
    with service.database.engine.begin() as connection:
        respondent = connection.execute(
            insert(RESPONDENTS).values(created_at=now).returning(RESPONDENTS.c.id)
        ).scalar_one()
        connection.execute(
            insert(OUTBOUND),
            [
                {"respondent_id": respondent, "channel": channel, "language": "en",
                 "address": f"+44770090{number:04d}", "body": body, "buttons": [],
                 "status": "pending", "due_at": now, "created_at": now, **columns}
                for number in range(count)
            ],
        )  # fmt: skip


def drain_side_by_side(
    service: Service, channel: str, make_sender: Callable[[], Any], workers: int = 2
) -> None:
    """`workers` dispatchers, each with its own sender from `make_sender`, drain the outbox."""

    def work(name: str) -> None:
        dispatcher = Dispatcher(service.database, {channel: make_sender()}, clock=utcnow,
                                worker=name)  # fmt: skip
        asyncio.run(dispatcher.drain(timeout=60))

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
