"""The dispatcher: sends due outbox rows through their channel, within its rate limit.

Each round claims as many due rows per channel as fit in the next couple of seconds of its
rate, books that many send slots in the shared schedule, sends each at its slot time, and
writes each result in its own transaction. A transient error is retried with backoff, a
permanent one is recorded; a provider's "this person refuses messages" opts the address
out. Rows a crashed dispatcher left `sending` are reconciled: resent only when the provider
confirms it never got them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from bot.dispatch import store as outbox_store
from bot.dispatch.sending import PermanentSendError, Sender, SendResult, TransientSendError
from bot.engine.messages import OutboundMessage
from bot.outreach.optout import opt_out_address
from bot.storage.db import Database
from bot.storage.health import OutageLog, is_unavailable
from bot.storage.models import utcnow
from bot.storage.tables import OUTBOUND

logger = logging.getLogger(__name__)
ROUND_SECONDS = 2.0  # how much of the rate one round books
STALE_AFTER = datetime.timedelta(seconds=120)
MAX_BACKOFF = datetime.timedelta(hours=1)


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    opted_out: int = 0
    reconciled: int = 0

    def add(self, other: DispatchStats) -> None:
        for name in ("sent", "retried", "failed", "opted_out", "reconciled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.opted_out


@dataclass
class _WindowGuard:
    """At most `limit` sends in any one-second window in this process, whatever the timing."""

    limit: int
    recent: deque[float] = field(default_factory=deque)

    async def wait(self) -> None:
        while True:
            now = time.monotonic()
            while self.recent and now - self.recent[0] >= 1.0:
                self.recent.popleft()
            if len(self.recent) < self.limit:
                self.recent.append(now)
                return
            await asyncio.sleep(1.0 - (now - self.recent[0]) + 0.0005)


class Dispatcher:
    def __init__(
        self,
        database: Database,
        senders: Mapping[str, Sender],
        *,
        clock: Callable[[], datetime.datetime] = utcnow,
        max_attempts: int = 5,
        concurrency: int = 32,
        worker: str | None = None,
        stale_after: datetime.timedelta = STALE_AFTER,
    ) -> None:
        self.database = database
        self.senders = dict(senders)
        self.clock = clock
        self.max_attempts = max_attempts
        self.stale_after = stale_after
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self._concurrency = asyncio.Semaphore(concurrency)
        self._guards = {
            name: _WindowGuard(max(1, int(sender.rate_limit.per_second)))
            for name, sender in self.senders.items()
            if sender.rate_limit.per_second > 0
        }
        self._last_to_address: dict[tuple[str, str], float] = {}
        self.outage = OutageLog(logger, "the dispatcher")

    async def run_once(self) -> DispatchStats:
        """One round over every channel; returns what happened."""
        stats = DispatchStats(reconciled=await self.reconcile())
        rounds = [self._channel_round(name, sender) for name, sender in self.senders.items()]
        for result in await asyncio.gather(*rounds):
            stats.add(result)
        return stats

    async def run(self, stop: asyncio.Event, idle_seconds: float = 0.5) -> None:
        """Keep sending until `stop` is set; rest briefly when nothing is due."""
        while not stop.is_set():
            try:
                stats = await self.run_once()
            except Exception as error:
                if isinstance(error, DBAPIError) and is_unavailable(error):
                    # A read-only or unreachable database: said once a minute, not each round.
                    self.outage.failed(error, self.database.url, self.clock())
                else:
                    logger.exception("dispatch round failed; retrying shortly")
                stats = DispatchStats()
            else:
                self.outage.recovered(self.clock())
            if stats.handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=idle_seconds)

    async def drain(self, timeout: float = 60.0) -> DispatchStats:
        """Send everything due now (tests, CLI); stops when a round finds nothing."""
        total = DispatchStats()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = await self.run_once()
            total.add(stats)
            if stats.handled == 0:
                break
        return total

    async def _channel_round(self, name: str, sender: Sender) -> DispatchStats:
        rate = sender.rate_limit.per_second
        batch = max(1, int(rate * ROUND_SECONDS)) if rate > 0 else 100
        now = self.clock()
        with self.database.transaction() as session:
            connection = session.connection()
            messages = outbox_store.claim_due(connection, name, batch, self.worker, now)
            start = (
                outbox_store.reserve_slots(connection, name, len(messages), rate, now)
                if messages and rate > 0
                else now
            )
        if not messages:
            return DispatchStats()
        loop_start = time.monotonic()
        offset = max(0.0, (start - now).total_seconds())
        tasks = [
            self._send_at(sender, message, loop_start + offset + index / rate if rate else 0.0)
            for index, message in enumerate(messages)
        ]
        stats = DispatchStats()
        for result in await asyncio.gather(*tasks):
            stats.add(result)
        return stats

    async def _send_at(self, sender: Sender, message: OutboundMessage, at: float) -> DispatchStats:
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await self._respect_address_interval(sender, message)
        guard = self._guards.get(sender.name)
        async with self._concurrency:
            if guard is not None:
                # Last thing before the call, so the window counts real send moments.
                await guard.wait()
            try:
                result = await sender.send(message)
            except TransientSendError as error:
                return self._retry(sender, message, error)
            except PermanentSendError as error:
                return self._fail(sender, message, error)
            except Exception as error:  # a bug or an unexpected provider answer
                logger.exception("unexpected error sending outbox row %s", message.id)
                return self._retry(sender, message, TransientSendError(type(error).__name__))
        self._record_sent(message, result)
        return DispatchStats(sent=1)

    async def _respect_address_interval(self, sender: Sender, message: OutboundMessage) -> None:
        interval = sender.rate_limit.per_address_interval
        if interval <= 0:
            return
        key = (sender.name, message.address)
        wait = self._last_to_address.get(key, 0.0) + interval - time.monotonic()
        self._last_to_address[key] = time.monotonic() + max(0.0, wait)
        if wait > 0:
            await asyncio.sleep(wait)

    def _record_sent(self, message: OutboundMessage, result: SendResult) -> None:
        with self.database.transaction() as session:
            outbox_store.mark_sent(
                session.connection(), message.id, result.provider_id, result.segments, self.clock()
            )

    def _attempts(self, message_id: int) -> int:
        with self.database.sessions() as session:
            found = session.execute(
                select(OUTBOUND.c.attempts).where(OUTBOUND.c.id == message_id)
            ).scalar_one()
        return int(found)

    def _retry(
        self, sender: Sender, message: OutboundMessage, error: TransientSendError
    ) -> DispatchStats:
        now = self.clock()
        attempts = self._attempts(message.id)
        reason = f"{error.code or 'transient'}: {error.reason}"
        with self.database.transaction() as session:
            connection = session.connection()
            if attempts >= self.max_attempts:
                outbox_store.mark_failed(connection, message.id, f"gave up: {reason}", now)
                return DispatchStats(failed=1)
            backoff = datetime.timedelta(seconds=5 * 2 ** (attempts - 1))
            if error.retry_after is not None:
                backoff = datetime.timedelta(seconds=error.retry_after)
                outbox_store.pause_channel(connection, sender.name, now + backoff)
            outbox_store.reschedule(connection, message.id, now + min(backoff, MAX_BACKOFF), reason)
        return DispatchStats(retried=1)

    def _fail(
        self, sender: Sender, message: OutboundMessage, error: PermanentSendError
    ) -> DispatchStats:
        now = self.clock()
        reason = f"{error.code or 'permanent'}: {error.reason}"
        with self.database.transaction() as session:
            connection = session.connection()
            outbox_store.mark_failed(connection, message.id, reason, now)
            if error.opted_out:
                opt_out_address(connection, sender.name, message.address, now, reason)
        if error.opted_out:
            return DispatchStats(opted_out=1)
        return DispatchStats(failed=1)

    async def reconcile(self) -> int:
        """Settle rows a dead dispatcher left `sending`: ask the provider, never guess."""
        now = self.clock()
        with self.database.sessions() as session:
            stale = outbox_store.stale_claims(
                session.connection(), now - self.stale_after, self.senders
            )
        for message, claimed_at in stale:
            with self.database.transaction() as session:
                # Another dispatcher may be settling the same row: only the winner goes on.
                if not outbox_store.take_over(
                    session.connection(), message.id, claimed_at, self.worker, now
                ):
                    continue
            sender = self.senders[message.channel]
            found: SendResult | None = None
            if sender.can_find_sent:
                try:
                    found = await sender.find_sent(
                        message, claimed_at - datetime.timedelta(seconds=5)
                    )
                except Exception as error:  # provider unreachable: ask again next round
                    logger.warning(
                        "could not check outbox row %s with %s (%s); will retry",
                        message.id,
                        sender.name,
                        type(error).__name__,
                    )
                    continue
            with self.database.transaction() as session:
                connection = session.connection()
                if found is not None:
                    outbox_store.mark_sent(
                        connection, message.id, found.provider_id, found.segments, now
                    )
                elif sender.can_find_sent:
                    outbox_store.reschedule(connection, message.id, now, "resent after a crash")
                else:
                    outbox_store.mark_failed(
                        connection,
                        message.id,
                        "interrupted: delivery unknown, not resent to avoid a duplicate",
                        now,
                    )
        return len(stale)
