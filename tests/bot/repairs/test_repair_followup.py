"""The repair follow-up tick: delay and allowed hours, one reminder, expiry, skip reasons."""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from api.scheduler import start_scheduler
from bot.outreach.contact_policy import record_invitation
from bot.repairs.followup import send_due_repair_surveys
from bot.repairs.models import RepairState
from bot.service import Service
from bot.storage.models import SessionState
from bot.storage.tables import ANSWERS, REPAIR_JOBS
from tests.support.chat import Chat
from tests.support.repairs import (
    at,
    event,
    job,
    outbox,
    report,
    sessions,
    tenant,
    tick,
    with_settings,
)
from tests.support.services import Clock

SMS = "+447700900001"
COMPLETE = ("yes", "2", "no", "yes", "1", "Thanks")


def test_sent_after_the_delay_and_only_inside_allowed_hours(service: Service, clock: Clock) -> None:
    tenant(service, "T-1", sms=SMS)
    clock.now = at("2026-11-02T18:35:00+00:00")  # Monday, GMT
    report(service, clock, event(completed_at="2026-11-02T18:30:00Z"))
    assert job(service).survey_due_at == at("2026-11-02T20:30:00+00:00")  # 2 hours later
    clock.now = at("2026-11-02T20:30:00+00:00")
    assert tick(service, clock).deferred == 1
    assert job(service).survey_due_at == at("2026-11-03T09:00:00+00:00")  # 20:00 has passed
    clock.now = at("2026-11-03T08:59:00+00:00")
    assert tick(service, clock).invited == 0 and outbox(service) == []
    clock.now = at("2026-11-03T09:00:00+00:00")
    assert tick(service, clock).invited == 1
    (message,) = outbox(service)
    assert message.address == SMS and message.channel == "sms"
    assert job(service).state == RepairState.INVITED


@pytest.mark.parametrize(
    ("completed", "days", "expected"),
    [
        # Saturday before the October change (BST): Sunday is not allowed, Monday is GMT.
        ("2026-10-24T17:30:00+00:00", [0, 1, 2, 3, 4, 5], "2026-10-26T09:00:00+00:00"),
        # Every day allowed: Sunday 09:00, already GMT (the clocks went back at 02:00 BST).
        ("2026-10-24T17:30:00+00:00", list(range(7)), "2026-10-25T09:00:00+00:00"),
        # Saturday before the March change (GMT): Sunday 09:00 is BST, so 08:00 UTC.
        ("2027-03-27T19:00:00+00:00", list(range(7)), "2027-03-28T08:00:00+00:00"),
        ("2027-03-27T19:00:00+00:00", [0, 1, 2, 3, 4, 5], "2027-03-29T08:00:00+00:00"),
    ],
)
def test_allowed_hours_hold_across_the_clock_changes(
    service: Service, clock: Clock, completed: str, days: list[int], expected: str
) -> None:
    service = with_settings(service, repair_send_days=days)
    tenant(service, "T-1", sms=SMS)
    clock.now = at(completed) + datetime.timedelta(minutes=5)
    report(service, clock, event(completed_at=completed))
    clock.now = job(service).survey_due_at
    tick(service, clock)
    assert job(service).survey_due_at == at(expected)
    clock.now = at(expected) - datetime.timedelta(minutes=1)
    assert tick(service, clock).invited == 0
    clock.now = at(expected)
    assert tick(service, clock).invited == 1


def test_answers_join_the_job_trade_and_contractor(service: Service, clock: Clock) -> None:
    tenant(service, "T-1", sms=SMS)
    report(service, clock, event(completed_at="2026-11-02T07:00:00Z"))
    tick(service, clock)
    chat = Chat(service.engine, address=SMS)
    for reply in COMPLETE:
        chat.send(reply)
    with service.database.engine.connect() as connection:
        rows = connection.execute(
            select(
                ANSWERS.c.question,
                REPAIR_JOBS.c.job_id,
                REPAIR_JOBS.c.trade,
                REPAIR_JOBS.c.contractor,
            )
            .join(REPAIR_JOBS, REPAIR_JOBS.c.session_id == ANSWERS.c.session_id)
            .order_by(ANSWERS.c.id)
        ).all()
    assert rows[0] == ("repair_overall", "J-1", "plumbing", "Acme Plumbing")
    assert len(rows) == 5
    tick(service, clock)
    finished = job(service)
    assert (finished.state, finished.outcome) == (RepairState.FINISHED, SessionState.COMPLETED)


def test_one_reminder_only_to_tenants_who_have_not_finished(service: Service, clock: Clock) -> None:
    for number in (1, 2, 3):
        tenant(service, f"T-{number}", sms=f"+44770090000{number}")
    report(
        service,
        clock,
        *(event(f"J-{n}", f"T-{n}", completed_at="2026-11-02T07:00:00Z") for n in (1, 2, 3)),
    )
    assert tick(service, clock).invited == 3
    finisher = Chat(service.engine, address="+447700900002")
    for reply in COMPLETE:
        finisher.send(reply)
    Chat(service.engine, address="+447700900003").send("STOP")
    before = {n: len(outbox(service, f"+44770090000{n}")) for n in (1, 2, 3)}
    clock.advance(hours=47, minutes=59)
    assert tick(service, clock).reminded == 0
    clock.advance(minutes=1)
    assert tick(service, clock).reminded == 1
    after = {n: len(outbox(service, f"+44770090000{n}")) for n in (1, 2, 3)}
    assert after == {1: before[1] + 1, 2: before[2], 3: before[3]}
    assert job(service, "J-1").state == RepairState.REMINDED
    assert (job(service, "J-2").state, job(service, "J-2").outcome) == ("finished", "completed")
    assert (job(service, "J-3").state, job(service, "J-3").outcome) == ("finished", "opted_out")
    for _ in range(3):
        clock.advance(days=1)
        assert tick(service, clock).reminded == 0
    assert len(outbox(service, SMS)) == after[1]


def test_the_job_and_its_conversation_expire_together(service: Service, clock: Clock) -> None:
    service = with_settings(service, repair_expiry_days=3)
    tenant(service, "T-1", sms=SMS)
    report(service, clock, event(completed_at="2026-11-02T07:00:00Z"))
    tick(service, clock)
    (session,) = sessions(service)
    assert session.expires_at == clock.now + datetime.timedelta(days=3)
    clock.advance(days=3)
    assert tick(service, clock).expired == 1
    expired = job(service)
    assert (expired.state, expired.outcome) == (RepairState.EXPIRED, SessionState.EXPIRED)
    assert sessions(service)[0].state == SessionState.EXPIRED
    assert len(outbox(service, SMS)) == 1  # the reminder was due after the expiry: none went


def test_the_fallback_channel_is_used_when_the_preferred_one_opted_out(
    service: Service, clock: Clock
) -> None:
    tenant(
        service, "T-1", sms=SMS, telegram="5550001", opted_out=("telegram",),
        preferred_channel="telegram",
    )  # fmt: skip
    report(service, clock, event(completed_at="2026-11-02T07:00:00Z"))
    tick(service, clock)
    (message,) = outbox(service)
    assert (message.channel, message.address) == ("sms", SMS)
    assert job(service).channel == "sms"


def test_jobs_that_cannot_be_surveyed_are_skipped_with_a_reason(
    service: Service, clock: Clock
) -> None:
    service = with_settings(service, contact_max_invitations=1)
    tenant(service, "T-1", sms=SMS)
    tired = tenant(service, "T-2", sms="+447700900002")
    tenant(service, "T-3", sms="+447700900003", opted_out=("sms",))
    with service.database.engine.begin() as connection:
        record_invitation(connection, tired, "sms", "campaign", 1, clock.now)
    completed = "2026-11-02T07:00:00Z"
    report(
        service,
        clock,
        *(event(f"J-{n}", f"T-{n}", completed_at=completed) for n in (2, 3, 4)),
    )
    assert tick(service, clock).skipped == 3
    reasons = {n: job(service, f"J-{n}").skip_reason for n in (2, 3, 4)}
    assert reasons[2] == (
        "The tenant already had 1 invitation(s) in the last 30 days (the limit is 1)."
    )
    assert reasons[3] is not None and reasons[3].startswith("No usable channel (")
    assert reasons[4] == "No tenant has this reference; import the tenants first."
    assert outbox(service) == []


def test_a_tenant_in_another_survey_is_asked_later(service: Service, clock: Clock) -> None:
    tenant(service, "T-1", sms=SMS)
    Chat(service.engine, address=SMS).start("tsm_perception")
    report(service, clock, event(completed_at="2026-11-02T07:00:00Z"))
    assert tick(service, clock).deferred == 1
    assert job(service).survey_due_at == clock.now + datetime.timedelta(hours=6)
    clock.now = at("2026-11-09T09:00:00+00:00")  # Monday, past the 7-day window
    tick(service, clock)
    assert job(service).skip_reason == (
        "The tenant was answering another survey until the window closed."
    )
    assert len(outbox(service, SMS)) == 1  # only the other survey's invitation


@pytest.mark.parametrize("written_before_the_crash", [True, False])
def test_a_reminder_interrupted_by_a_crash_goes_exactly_once(
    service: Service, clock: Clock, written_before_the_crash: bool
) -> None:
    tenant(service, "T-1", sms=SMS)
    report(service, clock, event(completed_at="2026-11-02T07:00:00Z"))
    tick(service, clock)
    clock.advance(hours=48)
    # The process claimed the reminder, maybe wrote it, and died before marking it.
    with service.database.engine.begin() as connection:
        connection.execute(
            update(REPAIR_JOBS).values(
                state=RepairState.REMINDING.value, reminder_claimed_at=clock.now
            )
        )
    if written_before_the_crash:
        service.engine.remind(channel="sms", address=SMS)
    clock.advance(minutes=1)
    assert tick(service, clock).reminded == 0  # the claim may still be in progress
    clock.advance(minutes=2)
    tick(service, clock)
    assert job(service).state == RepairState.REMINDED
    assert len(outbox(service, SMS)) == 2  # the invitation and one reminder


def test_the_scheduler_ticks_repair_follow_ups_every_minute(service: Service) -> None:
    scheduler = start_scheduler(service)
    try:
        job_ = scheduler.get_job("repair-followups")
        assert job_ is not None
        assert job_.func.__name__ == "send_due_repair_surveys"
        assert job_.trigger.interval == datetime.timedelta(minutes=1)
    finally:
        scheduler.shutdown(wait=False)


def test_only_channels_with_a_sender_are_used(service: Service, clock: Clock) -> None:
    tenant(service, "T-1", sms=SMS)
    report(service, clock, event(completed_at="2026-11-02T07:00:00Z"))
    send_due_repair_surveys(service, clock.now)  # no Twilio account in these settings
    assert job(service).skip_reason == (
        "No usable channel (sms: no sender is configured; telegram: no sender is configured; "
        "webchat: web chat links are not sent here)."
    )


def test_two_ticks_at_once_invite_each_job_once(service: Service, clock: Clock) -> None:
    numbers = [f"+4477009{n:05d}" for n in range(30)]
    for n, number in enumerate(numbers):
        tenant(service, f"T-{n}", sms=number)
    report(
        service,
        clock,
        *(event(f"J-{n}", f"T-{n}", completed_at="2026-11-02T07:00:00Z") for n in range(30)),
    )
    start = threading.Barrier(2)

    def run(_: int) -> int:
        start.wait()
        return tick(service, clock).invited

    with ThreadPoolExecutor(2) as pool:
        invited = sum(pool.map(run, range(2)))
    # A job whose transaction failed is rolled back whole and retried: never sent twice.
    invited += tick(service, clock).invited
    assert invited == 30
    messages = outbox(service)
    assert sorted(message.address for message in messages) == sorted(numbers)
    assert len(sessions(service)) == 30


def test_a_follow_up_waits_for_the_tenants_evening_window(service: Service, clock: Clock) -> None:
    tenant(service, "T-1", sms=SMS, preferred_times=["evening"])
    clock.now = at("2026-11-02T09:00:00+00:00")  # Monday, GMT
    report(service, clock, event(completed_at="2026-11-02T07:00:00Z"))
    clock.now = at("2026-11-02T09:05:00+00:00")
    assert tick(service, clock).deferred == 1
    assert job(service).survey_due_at == at("2026-11-02T17:00:00+00:00")
    clock.now = at("2026-11-02T17:00:00+00:00")
    assert tick(service, clock).invited == 1
    assert [row.address for row in outbox(service)] == [SMS]
