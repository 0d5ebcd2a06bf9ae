"""Scale-out on PostgreSQL for bench/webhooks.py: N API processes plus a dispatch worker.

The API processes are the same app `doorstep serve --workers N` starts (background work
off, so nothing but the worker sends); the load generator spreads its connections over
them as a load balancer would, all signed for one public URL. The worker runs the loop
`doorstep worker` runs, with a fake provider that notes every outbox id it is handed
(no network). Afterwards the database and the provider's notes must show every webhook
recorded once, no answer twice, and every reply sent exactly once.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from bot.dispatch.sending import RateLimit, SendResult
from bot.engine.messages import OutboundMessage
from bot.storage.db import Database
from bot.storage.models import AnswerStatus, OutboundStatus
from bot.storage.tables import ANSWERS, INBOUND, OUTBOUND

DRAIN_SECONDS = 120.0


class NotingProvider:
    """Accepts every message at once and appends its outbox id to a file (one per line)."""

    name = "sms"

    def __init__(self, notes: Path) -> None:
        self.rate_limit = RateLimit(per_second=10_000)
        self.notes = notes.open("a", buffering=1)
        self.ids = itertools.count(1)

    def units(self, message: OutboundMessage) -> int:
        return 1

    async def send(self, message: OutboundMessage) -> SendResult:
        self.notes.write(f"{message.id}\n")
        return SendResult(f"SM{os.getpid():08d}{next(self.ids):024d}", segments=1)

    @property
    def can_find_sent(self) -> bool:
        return False

    async def find_sent(
        self, message: OutboundMessage, since: datetime.datetime
    ) -> SendResult | None:
        return None


def serve_worker(database_url: str, notes: Path) -> None:
    """One dispatch worker until SIGTERM (the `doorstep worker` loop, fake provider)."""
    from bot.dispatch.worker import run_worker

    async def work() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        database = Database(database_url)
        senders = {"sms": NotingProvider(notes)}
        await run_worker(database, senders, stop, name=f"bench-{os.getpid()}")  # type: ignore[arg-type]

    asyncio.run(work())


def start_worker(script: str, database_url: str, notes: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, script, "--serve", "worker", "--database-url", database_url]
    return subprocess.Popen([*command, "--notes", str(notes)])


@dataclass
class Audit:
    webhooks: int  # distinct MessageSids the load generator sent
    inbound: int
    answers_twice: int  # (session, question) pairs with more than one current answer
    outbox: int
    unsent: int
    sends: int
    sent_twice: int

    @property
    def clean(self) -> bool:
        return (
            self.inbound == self.webhooks
            and self.answers_twice == 0
            and self.unsent == 0
            and self.sends == self.outbox
            and self.sent_twice == 0
        )


def audit(database_url: str, notes: Path, webhooks: int) -> Audit:
    """Wait for the worker to empty the outbox, then count what was recorded and sent."""
    database = Database(database_url)
    try:
        deadline = time.monotonic() + DRAIN_SECONDS
        while True:
            with database.engine.connect() as connection:
                unsent = connection.scalar(
                    select(func.count()).where(OUTBOUND.c.status != OutboundStatus.SENT.value)
                )
            if not unsent or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        with database.engine.connect() as connection:
            inbound = connection.scalar(select(func.count()).select_from(INBOUND)) or 0
            outbox = connection.scalar(select(func.count()).select_from(OUTBOUND)) or 0
            doubled = (
                select(ANSWERS.c.session_id)
                .where(ANSWERS.c.status == AnswerStatus.CURRENT.value)
                .group_by(ANSWERS.c.session_id, ANSWERS.c.question)
                .having(func.count() > 1)
                .subquery()
            )
            answers_twice = connection.scalar(select(func.count()).select_from(doubled)) or 0
    finally:
        database.dispose()
    sends = Counter(notes.read_text().split()) if notes.exists() else Counter()
    return Audit(
        webhooks=webhooks,
        inbound=inbound,
        answers_twice=answers_twice,
        outbox=outbox,
        unsent=unsent or 0,
        sends=len(sends),
        sent_twice=sum(1 for count in sends.values() if count > 1),
    )
