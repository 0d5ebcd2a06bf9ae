"""Quiet hours in the tenant's timezone, across the March and October clock changes."""

from __future__ import annotations

import datetime

import pytest

from bot.outreach.quiet_hours import BadQuietHours, QuietHours
from bot.service import Service
from tests.support.campaigns import add_tenants, create, outbox, targets, tick
from tests.support.services import Clock

UTC = datetime.UTC
LONDON = "Europe/London"
DAYTIME = QuietHours.parse("09:00", "20:00", "mon-sun")


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_spring_forward_the_morning_opens_at_nine_summer_time() -> None:
    # Saturday 28 March 2026 20:30 GMT; clocks go forward at 01:00 GMT on Sunday.
    assert DAYTIME.next_allowed(utc(2026, 3, 28, 20, 30), LONDON) == utc(2026, 3, 29, 8, 0)
    assert DAYTIME.allows(utc(2026, 3, 29, 8, 0), LONDON)
    assert not DAYTIME.allows(utc(2026, 3, 29, 7, 59), LONDON)
    assert not DAYTIME.allows(utc(2026, 3, 29, 19, 0), LONDON)  # 20:00 BST


def test_fall_back_the_morning_opens_at_nine_winter_time() -> None:
    # Saturday 24 October 2026 19:30 UTC is 20:30 BST; clocks go back at 01:00 UTC Sunday.
    assert not DAYTIME.allows(utc(2026, 10, 24, 19, 30), LONDON)
    assert DAYTIME.next_allowed(utc(2026, 10, 24, 19, 30), LONDON) == utc(2026, 10, 25, 9, 0)
    assert DAYTIME.allows(utc(2026, 10, 25, 19, 59), LONDON)
    assert not DAYTIME.allows(utc(2026, 10, 25, 20, 0), LONDON)


def test_a_window_starting_in_the_skipped_hour_opens_when_the_clocks_change() -> None:
    night = QuietHours.parse("01:30", "03:00", "mon-sun")
    # 01:30 does not exist on 29 March: the first moment after the gap is 02:00 BST.
    opening = night.next_allowed(utc(2026, 3, 28, 23, 0), LONDON)
    assert opening == utc(2026, 3, 29, 1, 0)
    assert night.allows(opening, LONDON)


def test_a_window_starting_in_the_repeated_hour_opens_at_its_first_occurrence() -> None:
    night = QuietHours.parse("01:30", "03:00", "mon-sun")
    assert night.next_allowed(utc(2026, 10, 24, 23, 0), LONDON) == utc(2026, 10, 25, 0, 30)
    # Between the two 01:30s (01:10 GMT, after the change) the local time is 01:10: quiet.
    assert not night.allows(utc(2026, 10, 25, 1, 10), LONDON)


def test_allowed_days_and_other_timezones() -> None:
    weekdays = QuietHours.parse("09:00", "17:00", "mon-fri")
    saturday_evening = utc(2026, 11, 7, 18, 0)
    assert weekdays.next_allowed(saturday_evening, LONDON) == utc(2026, 11, 9, 9, 0)
    assert weekdays.next_allowed(saturday_evening, "Europe/Warsaw") == utc(2026, 11, 9, 8, 0)


def test_impossible_windows_are_refused_with_a_sentence() -> None:
    with pytest.raises(BadQuietHours, match="start before they end"):
        QuietHours.parse("20:00", "09:00", "mon-fri")
    with pytest.raises(BadQuietHours, match="not a day"):
        QuietHours.parse("09:00", "17:00", "mon-funday")
    with pytest.raises(BadQuietHours, match="time of day"):
        QuietHours.parse("9am", "17:00", "mon")


@pytest.mark.parametrize(
    ("start", "local_offset"),
    [(utc(2026, 3, 28, 19, 0), {28: 0, 29: 1}), (utc(2026, 10, 24, 18, 0), {24: 1, 25: 0})],
    ids=["march", "october"],
)
def test_a_campaign_over_the_clock_change_weekend_sends_only_in_local_hours(
    service: Service, clock: Clock, start: datetime.datetime, local_offset: dict[int, int]
) -> None:
    add_tenants(service, 90)
    clock.now = start
    # One invitation a minute: the first hour fits before 20:00 on Saturday, the rest wait.
    create(service, clock, hours="09:00-20:00", send_rate_per_minute={"sms": 1}, reminders=0)
    while clock.now < start + datetime.timedelta(days=2):
        tick(service, clock, horizon=datetime.timedelta(minutes=30))
        clock.advance(minutes=30)
    invitations = outbox(service)
    assert len(invitations) == 90
    for row in invitations:
        local = row.due_at + datetime.timedelta(hours=local_offset[row.due_at.day])
        assert datetime.time(9) <= local.time() < datetime.time(20), row.due_at
    days = sorted({row.due_at.day for row in invitations})
    assert days == sorted(local_offset)
    sunday_first = min(row.due_at for row in invitations if row.due_at.day == days[1])
    assert sunday_first == utc(start.year, start.month, days[1], 9 - local_offset[days[1]], 0)
    assert {target.status for target in targets(service, 1)} == {"invited"}
