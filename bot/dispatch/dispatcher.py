"""The dispatcher: sends due outbox rows through their channel, within its rate limit.

Each round claims as many due rows per channel as fit in the next couple of seconds of its
rate, books that many send slots in the shared schedule, sends each at its slot time, and
writes each result in its own transaction. A transient error is retried with backoff, a
permanent one is recorded; a provider's "this person refuses messages" opts the address
out. Rows a crashed dispatcher left `sending` are reconciled: resent only when the provider
confirms it never got them. Every database call runs in a worker thread, so a slow commit
never holds up the sends of other rows on the event loop. The loop that runs rounds until
stopped is `bot.dispatch.worker`.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Connection

from bot.dispatch import store as outbox_store
from bot.dispatch.metrics import count_outcome
from bot.dispatch.sending import PermanentSendError, Sender, SendResult, TransientSendError
from bot.engine.messages import OutboundMessage
from bot.outreach.optout import mark_address_failed, opt_out_address
from bot.storage.db import Database
from bot.storage.models import utcnow

logger = logging.getLogger(__name__)
ROUND_SECONDS = 2.0  # how much of the rate one round books
STALE_AFTER = datetime.timedelta(seconds=120)
MAX_BACKOFF = datetime.timedelta(hours=1)
T = TypeVar("T")
Outcome = SendResult | TransientSendError | PermanentSendError


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
    """At most `limit` units (SMS parts) in any one-second window in this process."""

    limit: int
    recent: deque[tuple[float, int]] = field(default_factory=deque)

    async def wait(self, units: int = 1) -> None:
        units = max(1, min(units, self.limit))
        while True:
            now = time.monotonic()
            while self.recent and now - self.recent[0][0] >= 1.0:
                self.recent.popleft()
            if sum(used for _, used in self.recent) + units <= self.limit:
                self.recent.append((now, units))
                return
            await asyncio.sleep(1.0 - (now - self.recent[0][0]) + 0.0005)


def units_of(sender: Sender, message: OutboundMessage) -> int:
    """What one message costs against the channel's rate: SMS parts, otherwise 1."""
    counter = getattr(sender, "units", None)
    if counter is None:
        return 1
    try:
        return max(1, int(counter(message)))
    except Exception:  # a message that cannot be rendered fails at send time instead
        return 1


@dataclass
class AddressSpacing:
    """When each address of one channel may next get a message.

    An address is forgotten once its spacing has passed (swept at most once an interval),
    so the map holds the addresses of the last interval or two, not every address ever sent to.
    """

    interval: float
    free_at: dict[str, float] = field(default_factory=dict)
    swept_at: float = float("-inf")

    def book(self, address: str, now: float) -> float:
        """Seconds to wait before sending to `address`; the send after that is booked."""
        if now - self.swept_at >= self.interval:
            self.free_at = {key: moment for key, moment in self.free_at.items() if moment > now}
            self.swept_at = now
        start = max(now, self.free_at.get(address, now))
        self.free_at[address] = start + self.interval
        return start - now


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
        self._spacing = {
            name: AddressSpacing(sender.rate_limit.per_address_interval)
            for name, sender in self.senders.items()
            if sender.rate_limit.per_address_interval > 0
        }
        self._reconciling = asyncio.Lock()

    async def run_once(self) -> DispatchStats:
        """One round over every channel; returns what happened."""
        stats = DispatchStats(reconciled=await self.reconcile())
        rounds = [self._channel_round(name, sender) for name, sender in self.senders.items()]
        for result in await asyncio.gather(*rounds):
            stats.add(result)
        return stats

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

    async def _in_transaction(self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction, in a worker thread: the event loop keeps sending."""

        def run() -> T:
            with self.database.transaction() as session:
                return work(session.connection())

        return await asyncio.to_thread(run)

    async def _channel_round(self, name: str, sender: Sender) -> DispatchStats:
        rate = sender.rate_limit.per_second
        batch = max(1, int(rate * ROUND_SECONDS)) if rate > 0 else 100
        now = self.clock()

        def claim(
            connection: Connection,
        ) -> tuple[list[OutboundMessage], list[datetime.datetime]]:
            messages = outbox_store.claim_due(connection, name, batch, self.worker, now)
            if not messages or rate <= 0:
                return messages, [now] * len(messages)
            units = [units_of(sender, message) for message in messages]
            # Booked from the moment of booking: the claim may have waited for a lock.
            return messages, outbox_store.reserve_slots(connection, name, units, rate, self.clock())

        messages, slots = await self._in_transaction(claim)
        if not messages:
            return DispatchStats()
        # Slots are moments on the schedule every dispatcher shares, so each is turned into
        # this loop's time against the clock read now. Against the clock read before the
        # claim, every slot went out late by the claim's length: two dispatchers whose claims
        # took different times sent more than the rate in one second between them.
        loop_now, clock_now = time.monotonic(), self.clock()
        tasks = [
            self._send_at(sender, message, loop_now + max(0.0, (slot - clock_now).total_seconds()))
            for message, slot in zip(messages, slots, strict=True)
        ]
        stats = DispatchStats()
        for result in await asyncio.gather(*tasks):
            stats.add(result)
        return stats

    async def _send_at(self, sender: Sender, message: OutboundMessage, at: float) -> DispatchStats:
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        spacing = self._spacing.get(sender.name)
        if spacing is not None:
            wait = spacing.book(message.address, time.monotonic())
            if wait > 0:
                await asyncio.sleep(wait)
        outcome = await self._call(sender, message)
        count_outcome(sender.name, outcome)
        return await self._in_transaction(
            lambda connection: self._record(connection, sender, message, outcome)
        )

    async def _call(self, sender: Sender, message: OutboundMessage) -> Outcome:
        guard = self._guards.get(sender.name)
        async with self._concurrency:
            if guard is not None:
                # Last thing before the call, so the window counts real send moments.
                await guard.wait(units_of(sender, message))
            try:
                return await sender.send(message)
            except (TransientSendError, PermanentSendError) as error:
                return error
            except Exception as error:  # a bug or an unexpected provider answer
                logger.exception("unexpected error sending outbox row %s", message.id)
                return TransientSendError(type(error).__name__)

    def _record(
        self, connection: Connection, sender: Sender, message: OutboundMessage, outcome: Outcome
    ) -> DispatchStats:
        """Write what the provider said about one row."""
        now = self.clock()
        if isinstance(outcome, SendResult):
            outbox_store.mark_sent(
                connection, message.id, outcome.provider_id, outcome.segments, now
            )
            return DispatchStats(sent=1)
        if isinstance(outcome, PermanentSendError):
            reason = f"{outcome.code or 'permanent'}: {outcome.reason}"
            outbox_store.mark_failed(connection, message.id, reason, now)
            if outcome.address_failed:
                mark_address_failed(connection, sender.name, message.address, outcome.reason, now)
            if not outcome.opted_out:
                return DispatchStats(failed=1)
            opt_out_address(connection, sender.name, message.address, now, reason)
            return DispatchStats(opted_out=1)
        return self._retry(connection, sender, message, outcome, now)

    def _retry(
        self,
        connection: Connection,
        sender: Sender,
        message: OutboundMessage,
        error: TransientSendError,
        now: datetime.datetime,
    ) -> DispatchStats:
        attempts = outbox_store.attempts(connection, message.id)
        reason = f"{error.code or 'transient'}: {error.reason}"
        if attempts >= self.max_attempts:
            outbox_store.mark_failed(connection, message.id, f"gave up: {reason}", now)
            return DispatchStats(failed=1)
        backoff = datetime.timedelta(seconds=5 * 2 ** (attempts - 1))
        if error.retry_after is not None:
            backoff = datetime.timedelta(seconds=error.retry_after)
            outbox_store.pause_channel(connection, sender.name, now + backoff)
        outbox_store.reschedule(connection, message.id, now + min(backoff, MAX_BACKOFF), reason)
        return DispatchStats(retried=1)

    async def reconcile(self) -> int:
        """Settle rows a dead dispatcher left `sending`: ask the provider, never guess.

        One reconciler at a time: two could each find a row "not sent yet", and one put it
        back in the queue while the other is already resending it. An asyncio lock covers
        this dispatcher's lanes, an advisory lock the other PostgreSQL workers; a reconciler
        that finds either held skips its turn, and its next round finds the rows settled.
        """
        if self._reconciling.locked():
            return 0
        async with self._reconciling:
            lock = await asyncio.to_thread(outbox_store.lock_reconciliation, self.database.engine)
            if lock is None:
                return 0
            try:
                return await self._settle_stale()
            finally:
                await asyncio.to_thread(lock.release)

    async def _settle_stale(self) -> int:
        now = self.clock()
        stale = await self._in_transaction(
            lambda connection: outbox_store.stale_claims(
                connection, now - self.stale_after, self.senders
            )
        )
        for message, claimed_at in stale:
            await self._settle_one(message, claimed_at, now)
        return len(stale)

    async def _settle_one(
        self, message: OutboundMessage, claimed_at: datetime.datetime, now: datetime.datetime
    ) -> None:
        # Another dispatcher may be settling the same row: only the winner goes on.
        if not await self._in_transaction(
            lambda connection: outbox_store.take_over(
                connection, message.id, claimed_at, self.worker, now
            )
        ):
            return
        sender = self.senders[message.channel]
        found: SendResult | None = None
        if sender.can_find_sent:
            try:
                found = await sender.find_sent(message, claimed_at - datetime.timedelta(seconds=5))
            except Exception as error:  # provider unreachable: ask again next round
                logger.warning(
                    "could not check outbox row %s with %s (%s); will retry",
                    message.id,
                    sender.name,
                    type(error).__name__,
                )
                return
        await self._in_transaction(
            lambda connection: _settle_row(connection, message, sender, found, now)
        )


def _settle_row(
    connection: Connection,
    message: OutboundMessage,
    sender: Sender,
    found: SendResult | None,
    now: datetime.datetime,
) -> None:
    """What the provider said about a stale row: sent, never got it, or nobody can tell."""
    if found is not None:
        outbox_store.mark_sent(connection, message.id, found.provider_id, found.segments, now)
    elif sender.can_find_sent:
        outbox_store.reschedule(connection, message.id, now, "resent after a crash")
    else:
        outbox_store.mark_failed(
            connection,
            message.id,
            "interrupted: delivery unknown, not resent to avoid a duplicate",
            now,
        )
