"""Best time: a tenant with an evening window is invited in the evening."""

from __future__ import annotations

from bot.service import Service
from tests.support.campaigns import add_tenant, create, outbox, phone, tick
from tests.support.services import Clock


def test_a_tenant_with_an_evening_window_is_invited_in_the_evening(
    service: Service, clock: Clock
) -> None:
    # Monday 2 November 2026, 10:00 in London (GMT): the campaign allows 08:00-21:00.
    add_tenant(service, "T1", sms=phone(1), attributes={"preferred_times": ["evening"]})
    add_tenant(
        service, "T2", sms=phone(2),
        attributes={"recommended_contact_time": {"window": "weekend"}},
    )  # fmt: skip
    add_tenant(service, "T3", sms=phone(3))
    create(service, clock)
    tick(service, clock)
    assert [row.address for row in outbox(service)] == [phone(3)]

    clock.advance(hours=7, minutes=5)  # 17:05: the evening window
    tick(service, clock)
    assert [row.address for row in outbox(service)] == [phone(3), phone(1)]

    clock.advance(days=4)  # Friday 17:05: not yet the weekend window (10:00-16:00)
    tick(service, clock)
    assert phone(2) not in [row.address for row in outbox(service)]
    clock.advance(hours=17)  # Saturday 10:05
    tick(service, clock)
    assert phone(2) in [row.address for row in outbox(service)]


def test_the_window_is_not_a_wall_when_the_campaign_ends_first(
    service: Service, clock: Clock
) -> None:
    add_tenant(service, "T1", sms=phone(1), attributes={"preferred_times": ["weekend"]})
    create(service, clock, ends_at=(clock.now.replace(hour=20)).isoformat(), reminders=0)
    tick(service, clock)
    assert [row.address for row in outbox(service)] == [phone(1)]
