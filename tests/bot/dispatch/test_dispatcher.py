"""The outbox dispatcher with a fake sender, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from bot.dispatch import store as outbox_store
from bot.dispatch.dispatcher import AddressSpacing, Dispatcher
from bot.dispatch.sending import (
    PermanentSendError,
    RateLimit,
    SendResult,
    TransientSendError,
)
from bot.dispatch.store import record_delivery
from bot.engine.messages import OutboundMessage as Message
from bot.service import Service
from bot.storage.models import ChannelIdentity, OutboundRecord, OutboundStatus, Session
from tests.support.chat import Chat
from tests.support.services import Clock

_ids = itertools.count(1)


@dataclass
class FakeSender:
    name: str = "sms"
    rate_limit: RateLimit = field(default_factory=lambda: RateLimit(per_second=1000))
    sent: list[tuple[float, Message]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    provider_log: dict[int, str] = field(default_factory=dict)
    findable: bool = True

    async def send(self, message: Message) -> SendResult:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((time.monotonic(), message))
        provider_id = f"SM{next(_ids)}"
        self.provider_log[message.id] = provider_id
        return SendResult(provider_id, segments=1)

    @property
    def can_find_sent(self) -> bool:
        return self.findable

    async def find_sent(self, message: Message, since: datetime.datetime) -> SendResult | None:
        found = self.provider_log.get(message.id)
        return SendResult(found) if found else None


def outbox(service: Service) -> list[OutboundRecord]:
    with service.database.sessions() as session:
        return list(session.scalars(select(OutboundRecord).order_by(OutboundRecord.id)))


def start_many(service: Service, count: int) -> None:
    for number in range(count):
        Chat(service.engine, address=f"+44770090{number:04d}").start("post_repair")


def dispatcher(service: Service, sender: FakeSender, clock: Clock, **options: object) -> Dispatcher:
    return Dispatcher(service.database, {sender.name: sender}, clock=clock, **options)  # type: ignore[arg-type]


def test_due_rows_are_sent_once_with_the_provider_id(service: Service, clock: Clock) -> None:
    start_many(service, 3)
    sender = FakeSender()
    stats = asyncio.run(dispatcher(service, sender, clock).drain())
    assert stats.sent == 3
    rows = outbox(service)
    assert {row.status for row in rows} == {OutboundStatus.SENT}
    assert [row.provider_id for row in rows] == [sender.provider_log[row.id] for row in rows]
    assert asyncio.run(dispatcher(service, sender, clock).drain()).sent == 0
    assert len(sender.sent) == 3


def test_transient_errors_back_off_then_give_up(service: Service, clock: Clock) -> None:
    start_many(service, 1)
    sender = FakeSender(failures=[TransientSendError("provider busy", code="503")] * 5)
    worker = dispatcher(service, sender, clock, max_attempts=3)
    assert asyncio.run(worker.drain()).retried == 1
    (row,) = outbox(service)
    assert row.status == OutboundStatus.PENDING and row.attempts == 1
    assert row.due_at == clock.now + datetime.timedelta(seconds=5)
    assert "provider busy" in (row.error or "")
    clock.advance(seconds=5)
    asyncio.run(worker.drain())
    clock.advance(seconds=10)
    assert asyncio.run(worker.drain()).failed == 1
    (row,) = outbox(service)
    assert row.status == OutboundStatus.FAILED and row.attempts == 3


def test_refusal_from_the_provider_opts_the_address_out(service: Service, clock: Clock) -> None:
    start_many(service, 1)
    sender = FakeSender(failures=[PermanentSendError("unsubscribed", code="21610", opted_out=True)])
    assert asyncio.run(dispatcher(service, sender, clock).drain()).opted_out == 1
    with service.database.sessions() as session:
        identity = session.scalars(select(ChannelIdentity)).one()
        state = session.scalars(select(Session.state)).one()
    assert identity.opted_out_at is not None
    assert state == "opted_out"
    (row,) = outbox(service)
    assert row.status == OutboundStatus.FAILED and (row.error or "").startswith("21610")


def test_no_one_second_window_exceeds_the_rate(service: Service, clock: Clock) -> None:
    start_many(service, 30)
    sender = FakeSender(rate_limit=RateLimit(per_second=10))
    asyncio.run(dispatcher(service, sender, clock).drain())
    times = sorted(moment for moment, _ in sender.sent)
    assert len(times) == 30
    for index, moment in enumerate(times):
        in_window = [other for other in times[index:] if other - moment < 1.0]
        assert len(in_window) <= 10


def test_messages_to_one_address_keep_their_spacing_and_old_addresses_are_forgotten() -> None:
    spacing = AddressSpacing(interval=1.0)
    assert spacing.book("+447700900001", now=100.0) == 0.0
    assert spacing.book("+447700900001", now=100.25) == 0.75  # one second after the first
    assert spacing.book("+447700900001", now=100.5) == 1.5  # and one after the booked one
    for number in range(1000):
        spacing.book(f"+4477009{number:05d}", now=102.0 + number / 1000)
    spacing.book("+447700999999", now=105.0)  # seconds later: only this address matters
    assert list(spacing.free_at) == ["+447700999999"]


def test_a_slow_commit_does_not_hold_up_other_sends(
    service: Service, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_many(service, 5)
    real_mark_sent = outbox_store.mark_sent
    slowed: list[int] = []

    def slow_mark_sent(*args: Any, **options: Any) -> None:
        if not slowed:
            slowed.append(1)
            time.sleep(0.6)  # a commit stuck behind a busy disk, in its worker thread
        real_mark_sent(*args, **options)

    monkeypatch.setattr(outbox_store, "mark_sent", slow_mark_sent)
    sender = FakeSender(rate_limit=RateLimit(per_second=100))
    assert asyncio.run(dispatcher(service, sender, clock).drain()).sent == 5
    times = [moment for moment, _ in sender.sent]
    assert max(times) - min(times) < 0.3  # the five slots span 40 ms; a blocked loop waits 0.6 s
    assert {row.status for row in outbox(service)} == {OutboundStatus.SENT}


def test_stale_claims_are_reconciled_not_resent(service: Service, clock: Clock) -> None:
    start_many(service, 2)
    sender = FakeSender()
    first, second = outbox(service)
    sender.provider_log[first.id] = "SMalready"  # the provider got it before the crash
    with service.database.transaction() as session:
        session.execute(
            OutboundRecord.__table__.update().values(  # type: ignore[attr-defined]
                status="sending", claimed_at=clock.now, claimed_by="dead:1", attempts=1
            )
        )
    clock.advance(minutes=5)
    stats = asyncio.run(dispatcher(service, sender, clock).drain())
    assert stats.reconciled == 2
    rows = {row.id: row for row in outbox(service)}
    assert rows[first.id].provider_id == "SMalready"
    assert [message.id for _, message in sender.sent] == [second.id]


def test_statuses_only_move_forward(service: Service, clock: Clock) -> None:
    start_many(service, 1)
    sender = FakeSender()
    asyncio.run(dispatcher(service, sender, clock).drain())
    (row,) = outbox(service)
    provider_id = row.provider_id or ""
    with service.database.transaction() as session:
        connection = session.connection()
        assert (
            record_delivery(
                connection, "sms", provider_id, OutboundStatus.DELIVERED, None, clock.now
            )
            is not None
        )
        assert (
            record_delivery(connection, "sms", provider_id, OutboundStatus.SENT, None, clock.now)
            is None
        )
    assert outbox(service)[0].status == OutboundStatus.DELIVERED


def test_each_message_goes_at_its_booked_moment_however_long_the_claim_took(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slots are moments on the schedule every dispatcher shares. They used to be counted
    from the clock read before the claim, so a claim that waited for a lock sent every slot
    late by the wait, and another dispatcher's slots, on time, crowded the same second."""
    start_many(service, 5)
    real_claim, real_reserve = outbox_store.claim_due, outbox_store.reserve_slots
    booked: list[datetime.datetime] = []

    def claim_behind_a_lock(*args: Any, **options: Any) -> list[Message]:
        claimed = real_claim(*args, **options)
        time.sleep(0.4)  # another dispatcher holds the schedule's lock
        return claimed

    def reserve(*args: Any, **options: Any) -> list[datetime.datetime]:
        slots = real_reserve(*args, **options)
        booked.extend(slots)
        return slots

    monkeypatch.setattr(outbox_store, "claim_due", claim_behind_a_lock)
    monkeypatch.setattr(outbox_store, "reserve_slots", reserve)
    sent_at: list[datetime.datetime] = []

    class Recording(FakeSender):
        async def send(self, message: Message) -> SendResult:
            sent_at.append(datetime.datetime.now(datetime.UTC))
            return await super().send(message)

    sender = Recording(rate_limit=RateLimit(per_second=10))
    utc = lambda: datetime.datetime.now(datetime.UTC)  # noqa: E731
    assert asyncio.run(Dispatcher(service.database, {"sms": sender}, clock=utc).drain()).sent == 5
    assert len(booked) == 5
    lateness = [(sent - slot).total_seconds() for sent, slot in zip(sent_at, booked, strict=True)]
    assert all(-0.02 < late < 0.2 for late in lateness), lateness
