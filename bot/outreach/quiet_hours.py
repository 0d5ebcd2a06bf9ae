"""Quiet hours: when a tenant may be messaged, in their own timezone, across clock changes.

A window is local wall-clock time (e.g. 09:00 to 20:00, Monday to Saturday). Whether a UTC
moment is allowed is read on the tenant's local clock. The next allowed moment is searched
day by day; a window start that does not exist (the hour skipped in March) becomes the
first moment after the gap, and one that happens twice (the hour repeated in October)
becomes its first occurrence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = datetime.UTC
ALL_DAYS = frozenset(range(7))
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BadQuietHours(ValueError):
    """A window or timezone an officer wrote that cannot be used."""


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadQuietHours(f"{name!r} is not a known timezone (e.g. Europe/London).") from None


def parse_clock(text: str) -> datetime.time:
    """ "09:00" -> 09:00; "24:00" is accepted as the end of the day."""
    try:
        hours, minutes = (int(part) for part in text.strip().split(":"))
    except ValueError:
        raise BadQuietHours(f"{text!r} is not a time of day like 09:00.") from None
    if (hours, minutes) == (24, 0):
        return datetime.time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise BadQuietHours(f"{text!r} is not a time of day like 09:00.")
    return datetime.time(hours, minutes)


def parse_days(days: list[int] | list[str] | str) -> frozenset[int]:
    """[0, 1, 2] or ["mon", "tue"] or "mon-fri" -> weekday numbers (0 = Monday)."""
    if isinstance(days, str):
        found: set[int] = set()
        for part in days.replace(" ", "").lower().split(","):
            if "-" in part:
                first, last = (_day(piece) for piece in part.split("-", 1))
                found.update(range(first, last + 1))
            elif part:
                found.add(_day(part))
    else:
        found = {_day(day) for day in days}
    if not found:
        raise BadQuietHours("At least one day must be allowed.")
    return frozenset(found)


def _day(value: int | str) -> int:
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower()[:3] in DAY_NAMES:
        return DAY_NAMES.index(value.strip().lower()[:3])
    raise BadQuietHours(f"{value!r} is not a day: use mon..sun or 0 (Monday) to 6 (Sunday).")


@dataclass(frozen=True)
class QuietHours:
    """Messages may go out on `days` between `start` (inclusive) and `end` (exclusive)."""

    start: datetime.time
    end: datetime.time
    days: frozenset[int] = ALL_DAYS

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise BadQuietHours(
                f"The allowed hours must start before they end ({self.start:%H:%M} is not "
                f"before {self.end:%H:%M})."
            )

    @classmethod
    def parse(cls, start: str, end: str, days: list[int] | list[str] | str) -> QuietHours:
        return cls(parse_clock(start), parse_clock(end), parse_days(days))

    def allows(self, moment: datetime.datetime, timezone: str) -> bool:
        local = moment.astimezone(zone(timezone))
        clock = local.time().replace(tzinfo=None)
        return local.weekday() in self.days and self.start <= clock < self.end

    def next_allowed(self, moment: datetime.datetime, timezone: str) -> datetime.datetime:
        """`moment` if it is allowed, else the first allowed moment after it (in UTC)."""
        if self.allows(moment, timezone):
            return moment.astimezone(UTC)
        tz = zone(timezone)
        today = moment.astimezone(tz).date()
        for offset in range(9):
            day = today + datetime.timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            opening = _first_instant_at_or_after(day, self.start, tz)
            if opening >= moment and self.allows(opening, timezone):
                return opening
        raise BadQuietHours("The allowed hours never occur.")  # unreachable with a valid window


def _first_instant_at_or_after(
    day: datetime.date, clock: datetime.time, tz: ZoneInfo
) -> datetime.datetime:
    """The earliest UTC instant whose local time on `day` is `clock` or later.

    Both readings of the wall time (fold 0 and 1) are converted; in a repeated hour the
    earlier one is the first occurrence; in a skipped hour neither reads back as `clock`,
    so the clock change itself (found by bisection) is the first instant after the gap.
    """
    readings = sorted(
        datetime.datetime.combine(day, clock, tzinfo=tz).replace(fold=fold).astimezone(UTC)
        for fold in (0, 1)
    )
    wall = datetime.datetime.combine(day, clock)
    for instant in readings:
        if instant.astimezone(tz).replace(tzinfo=None) == wall:
            return instant
    low, high = readings[0], readings[-1]  # local(low) is before the gap, local(high) after
    while high - low > datetime.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)
