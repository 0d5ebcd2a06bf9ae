"""The tenant's best time: a stated or recommended contact window, used as a preference.

Windows come from the tenant's stated `preferred_times` (morning, afternoon, evening,
weekend) or, failing that, the segmentation's `recommended_contact_time`. An invitation is
moved to the next moment inside one of them that the campaign's allowed hours also allow,
but never past `latest`: the window is a preference, not a wall.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, select

from bot.outreach.quiet_hours import QuietHours
from bot.storage.tables import PROFILE

# In the tenant's own time zone; the same windows the segmentation recommends.
WINDOWS = {
    "morning": QuietHours.parse("09:00", "12:00", "mon-fri"),
    "afternoon": QuietHours.parse("12:00", "17:00", "mon-fri"),
    "evening": QuietHours.parse("17:00", "20:00", "mon-fri"),
    "weekend": QuietHours.parse("10:00", "16:00", "sat-sun"),
}
STATED, RECOMMENDED = "preferred_times", "recommended_contact_time"


def _names(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = value.get("window")
    items = value if isinstance(value, list) else [value]
    return [item.strip().casefold() for item in items if isinstance(item, str)]


def tenant_windows(connection: Connection, respondent_id: int) -> list[QuietHours]:
    """The stated windows, else the recommended one; empty when none is known."""
    rows = connection.execute(
        select(PROFILE.c.name, PROFILE.c.value).where(
            PROFILE.c.respondent_id == respondent_id,
            PROFILE.c.name.in_((STATED, RECOMMENDED)),
            PROFILE.c.superseded_at.is_(None),
        )
    ).all()
    found = {row.name: _names(row.value) for row in rows}
    names = found.get(STATED) or found.get(RECOMMENDED) or []
    return [WINDOWS[name] for name in names if name in WINDOWS]


def _next_in_both(
    window: QuietHours, allowed: QuietHours, moment: datetime.datetime, timezone: str
) -> datetime.datetime | None:
    """The first moment from `moment` inside both the window and the allowed hours."""
    for _ in range(30):
        moment = window.next_allowed(moment, timezone)
        if allowed.allows(moment, timezone):
            return moment
        moment = allowed.next_allowed(moment, timezone)
        if window.allows(moment, timezone):
            return moment
    return None


def best_moment(
    windows: list[QuietHours],
    slot: datetime.datetime,
    timezone: str,
    allowed: QuietHours,
    latest: datetime.datetime,
) -> datetime.datetime:
    """`slot` if it is in a window (or none is known), else the next good moment by `latest`."""
    if not windows or any(window.allows(slot, timezone) for window in windows):
        return slot
    found = [_next_in_both(window, allowed, slot, timezone) for window in windows]
    moments = [moment for moment in found if moment is not None and moment <= latest]
    return min(moments, default=slot)
