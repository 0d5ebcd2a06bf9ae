"""Campaigns end to end through the real engine: reminders, opt-outs, fallback channels,
web chat links and exactly-once invitations, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import threading

from sqlalchemy import select

from bot.outreach.optout import opt_out_address
from bot.service import Service
from bot.storage.models import SessionState
from bot.storage.tables import SESSIONS
from tests.support.campaigns import (
    add_tenant,
    add_tenants,
    create,
    mark_outbox_sent,
    outbox,
    phone,
    progress,
    sent_to,
    targets,
    tick,
)
from tests.support.chat import Chat
from tests.support.services import Clock


def answer_everything(chat: Chat) -> None:
    for reply in ("yes", "2", "no", "yes", "1"):
        chat.send(reply)
    assert "Thank you" in chat.send("Quick and tidy")


def test_reminders_go_only_to_tenants_who_have_not_finished(service: Service, clock: Clock) -> None:
    add_tenants(service, 4)  # finishes, declines, stops halfway, stays silent
    campaign = create(service, clock, reminders=2, reminder_interval_hours=48)
    assert tick(service, clock).invited == 4
    mark_outbox_sent(service)
    answer_everything(Chat(service.engine, address=phone(0)))
    Chat(service.engine, address=phone(1)).send("no")
    halfway_chat = Chat(service.engine, address=phone(2))
    assert "How satisfied" in halfway_chat.send("yes")
    before = len(outbox(service))

    clock.advance(hours=48)
    report = tick(service, clock)
    reminders = outbox(service)[before:]
    assert report.reminded == 2
    assert sorted(row.address for row in reminders) == [phone(2), phone(3)]
    assert "How satisfied" in next(r.body for r in reminders if r.address == phone(2))
    assert "YES" in next(r.body for r in reminders if r.address == phone(3))  # consent again

    answer_everything_after_consent(halfway_chat)
    clock.advance(hours=48)
    before = len(outbox(service))
    tick(service, clock)
    assert [row.address for row in outbox(service)[before:]] == [phone(3)]

    clock.advance(hours=48)  # both reminders used: nothing more, then expiry closes it
    before = len(outbox(service))
    tick(service, clock)
    assert outbox(service)[before:] == []
    clock.advance(days=2)
    tick(service, clock)
    assert {row.status for row in targets(service, campaign)} == {"closed"}
    assert {row.reminders_sent for row in targets(service, campaign)} == {0, 1, 2}


def answer_everything_after_consent(chat: Chat) -> None:
    for reply in ("2", "no", "yes", "1"):
        chat.send(reply)
    assert "Thank you" in chat.send("skip")


def test_an_opt_out_mid_campaign_stops_every_further_send_to_that_identity(
    service: Service, clock: Clock
) -> None:
    add_tenants(service, 4)
    # One invitation a minute: the last two are still waiting in the outbox when their
    # numbers opt out, one at the provider (Twilio error 21610), one by texting STOP.
    create(service, clock, send_rate_per_minute={"sms": 1}, reminders=3, reminder_interval_hours=24)
    tick(service, clock, horizon=datetime.timedelta(minutes=5))
    assert len(outbox(service)) == 4
    assert "START to opt back in" in Chat(service.engine, address=phone(0)).send("STOP")
    with service.database.engine.begin() as connection:
        opt_out_address(connection, "sms", phone(2), clock.now, "21610")
    Chat(service.engine, address=phone(3)).send("STOP")
    (waiting,) = sent_to(service, phone(2))
    assert waiting.status == "cancelled"
    assert sent_to(service, phone(3))[0].status == "cancelled"
    stopped_at = {number: len(sent_to(service, number)) for number in (phone(0), phone(3))}

    for _ in range(4):
        clock.advance(hours=24)
        tick(service, clock)
    assert {number: len(sent_to(service, number)) for number in stopped_at} == stopped_at
    assert [row.status for row in sent_to(service, phone(2))] == ["cancelled"]
    assert len(sent_to(service, phone(1))) == 1 + 3  # the other tenant: three reminders

    # A later campaign does not use the opted-out numbers at all.
    second = create(service, clock, name="Winter check-in")
    tick(service, clock)
    assert {number: len(sent_to(service, number)) for number in stopped_at} == stopped_at
    skipped = [row for row in targets(service, second) if row.status == "skipped"]
    assert len(skipped) == 3
    assert all("sms: no identity that has not opted out" in row.skip_reason for row in skipped)
    assert progress(service, 1)["sms"]["opted_out"] == 3


def test_the_fallback_channel_is_used_when_the_preferred_identity_is_missing_or_opted_out(
    service: Service, clock: Clock
) -> None:
    no_telegram = add_tenant(
        service, "T1", sms=phone(1), attributes={"preferred_channel": "telegram"}
    )
    sms_opted_out = add_tenant(
        service,
        "T2",
        sms=phone(2),
        telegram="2002",
        attributes={"preferred_channel": "sms"},
        opted_out=("sms",),
    )
    on_telegram = add_tenant(
        service, "T3", sms=phone(3), telegram="3003", attributes={"preferred_channel": "telegram"}
    )
    campaign = create(service, clock, channels=["sms", "telegram"])
    tick(service, clock)
    chosen = {row.respondent_id: row.channel for row in targets(service, campaign)}
    assert chosen == {no_telegram: "sms", sms_opted_out: "telegram", on_telegram: "telegram"}
    assert [row.channel for row in sent_to(service, "2002")] == ["telegram"]
    assert sent_to(service, phone(2)) == []
    counts = progress(service, campaign)
    assert (counts["sms"]["targeted"], counts["telegram"]["targeted"]) == (1, 2)


def test_a_questionnaire_not_offered_by_sms_goes_as_a_web_chat_link(
    service: Service, clock: Clock
) -> None:
    add_tenants(service, 1)
    campaign = create(service, clock, questionnaire="tenant_profile", reminders=1)
    tick(service, clock)
    (invitation,) = outbox(service)
    assert invitation.channel == "sms" and invitation.session_id is None
    assert "http://127.0.0.1:8000/chat/" in invitation.body and "STOP" in invitation.body
    (target,) = targets(service, campaign)
    assert target.via_link and target.status == "invited"
    mark_outbox_sent(service)
    clock.advance(hours=72)
    tick(service, clock)
    reminder = outbox(service)[-1]
    assert reminder.body.startswith("A reminder") and reminder.body != invitation.body
    assert progress(service, campaign)["sms (web chat link)"]["sent"] == 1


def test_running_the_tick_again_or_concurrently_never_invites_twice(
    service: Service, clock: Clock
) -> None:
    add_tenants(service, 60)
    create(service, clock, reminders=0)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            tick(service, clock)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tick(service, clock)
    assert errors == []
    rows = outbox(service)
    assert len(rows) == 60
    assert len({row.address for row in rows}) == 60
    with service.database.engine.connect() as connection:
        states = connection.execute(select(SESSIONS.c.state)).scalars().all()
    assert states == [SessionState.INVITED.value] * 60
    assert all(row.outbox_id is not None for row in targets(service, 1))
    assert {row.id for row in rows} == {row.outbox_id for row in targets(service, 1)}
