"""When each step of a case is due under Awaab's Law, counted in working days.

The Hazards in Social Housing (Prescribed Requirements) (England) Regulations 2025: from
the moment the landlord becomes aware (the answer arrived), an emergency hazard is
investigated and made safe within 24 hours; a significant hazard (damp and mould first) is
investigated within 10 working days, a written summary goes to the tenant within 3 working
days of the investigation, safety work is done within 5 working days of it, and preventive
work begins within 12 weeks of it. Working days skip weekends and the bank holidays of the
nation the home is in (the `holidays` package). Other cases get the landlord's own target:
first contact within 10 working days. A deadline that depends on the investigation is only
known once the investigation is recorded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from bot.concerns.models import Severity, Step

LONDON = ZoneInfo("Europe/London")
NATIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern_ireland": "NIR"}
DEFAULT_NATION = "england"
EMERGENCY_HOURS = 24
INVESTIGATE_DAYS = 10
SUMMARY_DAYS = 3
SAFETY_WORK_DAYS = 5
PREVENTIVE_WEEKS = 12
STEP_NAMES = {
    Step.INVESTIGATED: "Investigate",
    Step.SUMMARY_SENT: "Written summary to the tenant",
    Step.SAFETY_WORK: "Safety work done",
    Step.PREVENTIVE_WORK: "Preventive work started",
}


@dataclass(frozen=True)
class Deadline:
    step: Step
    label: str
    due: datetime.datetime | None  # None: counted from the investigation, not recorded yet
    done_at: datetime.datetime | None
    statutory: bool

    def overdue(self, now: datetime.datetime) -> bool:
        return self.done_at is None and self.due is not None and self.due < now


def nation_of(text: str | None) -> str:
    """A nation name as stored on a case: england, wales, scotland or northern_ireland."""
    folded = (text or "").strip().lower().replace(" ", "_")
    aliases = {"cymru": "wales", "ni": "northern_ireland", "alba": "scotland"}
    folded = aliases.get(folded, folded)
    return folded if folded in NATIONS else DEFAULT_NATION


@cache
def _bank_holidays(nation: str, year: int) -> frozenset[datetime.date]:
    found = holidays.country_holidays("GB", subdiv=NATIONS[nation_of(nation)], years=year)
    return frozenset(found.keys())


def is_working_day(day: datetime.date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(nation, day.year)


def add_working_days(start: datetime.datetime, days: int, nation: str) -> datetime.datetime:
    """The end (23:59 UK time) of the `days`-th working day after the day of `start`."""
    day = start.astimezone(LONDON).date()
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    end = datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=LONDON)
    return end.astimezone(datetime.UTC)


def _later(done: datetime.datetime | None, days: int, nation: str) -> datetime.datetime | None:
    return add_working_days(done, days, nation) if done is not None else None


def deadlines(
    severity: str,
    aware_at: datetime.datetime,
    nation: str,
    done: dict[Step, datetime.datetime | None],
) -> list[Deadline]:
    """Every step's deadline for a case of this severity, with when it was done, if it was."""
    investigated = done.get(Step.INVESTIGATED)
    if severity == Severity.EMERGENCY:
        due = aware_at + datetime.timedelta(hours=EMERGENCY_HOURS)
        return [
            Deadline(Step.INVESTIGATED, "Investigate", due, investigated, True),
            Deadline(Step.SAFETY_WORK, "Make safe", due, done.get(Step.SAFETY_WORK), True),
        ]
    if severity == Severity.SIGNIFICANT:
        preventive = (
            investigated + datetime.timedelta(weeks=PREVENTIVE_WEEKS) if investigated else None
        )
        return [
            Deadline(Step.INVESTIGATED, STEP_NAMES[Step.INVESTIGATED],
                     add_working_days(aware_at, INVESTIGATE_DAYS, nation), investigated, True),
            Deadline(Step.SUMMARY_SENT, STEP_NAMES[Step.SUMMARY_SENT],
                     _later(investigated, SUMMARY_DAYS, nation), done.get(Step.SUMMARY_SENT), True),
            Deadline(Step.SAFETY_WORK, STEP_NAMES[Step.SAFETY_WORK],
                     _later(investigated, SAFETY_WORK_DAYS, nation), done.get(Step.SAFETY_WORK),
                     True),
            Deadline(Step.PREVENTIVE_WORK, STEP_NAMES[Step.PREVENTIVE_WORK], preventive,
                     done.get(Step.PREVENTIVE_WORK), True),
        ]  # fmt: skip
    first_contact = add_working_days(aware_at, INVESTIGATE_DAYS, nation)
    return [Deadline(Step.INVESTIGATED, "First contact", first_contact, investigated, False)]


def next_due(found: list[Deadline]) -> datetime.datetime | None:
    """The earliest deadline not yet met: what the case list sorts by."""
    open_ = [item.due for item in found if item.done_at is None and item.due is not None]
    return min(open_) if open_ else None
