"""What the demo remembers about each tenant between rounds, and when their replies arrive."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from analysis.demo.population import DemoTenant

ZONE = ZoneInfo("Europe/London")
UTC = datetime.UTC
# When replies land, in the tenant's local time: (first hour, last hour, weekend?).
BANDS = {
    "morning": (8, 12, False),
    "afternoon": (12, 17, False),
    "evening": (17, 22, False),
    "weekend": (10, 20, True),
}
# Some surveys are answered more readily than others.
QUESTIONNAIRE_APPEAL = {
    "communication_preferences": 1.05,
    "post_repair": 1.0,
    "tsm_perception": 0.9,
    "tenant_profile": 0.85,
}
ACTIVE_BAND = 0.15  # a band the tenant replies in at least this often is one of their usual times
SMS_FAILURE = 0.02
STOP_CHANCE = 0.01
DECLINE_CHANCE = 0.04
REMINDER_AFTER = datetime.timedelta(hours=48)
CONSENT_WORDING = "demo consent wording"  # what the consent rows hash


@dataclass
class TenantState:
    respondent_id: int
    opted_out: set[str] = field(default_factory=set)
    known: dict[str, tuple[Any, datetime.datetime]] = field(default_factory=dict)
    stored_profile: set[str] = field(default_factory=set)  # values written by an earlier run
    stated_channel: str | None = None


def address(tenant: DemoTenant, channel: str) -> str:
    # Never a real phone number or chat id: nothing can be sent to a demo tenant by mistake.
    return f"demo-{channel}-{tenant.index:06d}"


def band_of(moment: datetime.datetime) -> str | None:
    local = moment.astimezone(ZONE)
    for name, (start_hour, end_hour, weekend) in BANDS.items():
        if (local.weekday() >= 5) == weekend and start_hour <= local.hour < end_hour:
            return name
    return None


def reply_time(
    moment: datetime.datetime, window: Mapping[str, float], band: str, draw: float
) -> datetime.datetime:
    """When a reply due at `moment` is sent: then, if that falls in one of the tenant's
    usual times; otherwise at their next usual time (`band`, drawn from their habits)."""
    current = band_of(moment)
    if current is not None and window.get(current, 0.0) >= ACTIVE_BAND:
        return moment
    return into_band(moment, band, draw)


def into_band(moment: datetime.datetime, band: str, draw: float) -> datetime.datetime:
    """The first time at or after `moment` inside the band, spread by `draw` across it."""
    start_hour, end_hour, weekend = BANDS[band]
    local = moment.astimezone(ZONE)
    for offset in range(8):
        day = local.date() + datetime.timedelta(days=offset)
        if (day.weekday() >= 5) != weekend:
            continue
        start = datetime.datetime.combine(day, datetime.time(start_hour), ZONE)
        end = datetime.datetime.combine(day, datetime.time(end_hour), ZONE)
        if end <= local:
            continue
        low = max(start, local)
        return (low + (end - low) * draw).astimezone(UTC)
    return moment
