"""What the repair follow-up steps share: the tables, the row lock, the hours, the counts."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from bot.outreach.quiet_hours import BadQuietHours, QuietHours, zone
from bot.repairs.models import RepairState
from bot.settings import Settings
from bot.storage.tables import REPAIR_JOBS


def repair_hours(settings: Settings) -> QuietHours:
    """When follow-ups may go out, on the tenant's local clock."""
    end = settings.repair_send_until_hour
    return QuietHours(
        datetime.time(settings.repair_send_from_hour),
        datetime.time.max if end >= 24 else datetime.time(end),
        frozenset(settings.repair_send_days),
    )


def tenant_timezone(stored: str | None, settings: Settings) -> str:
    """The tenant's time zone, or the landlord's when none (or a broken one) is stored."""
    if stored:
        try:
            zone(stored)
            return stored
        except BadQuietHours:
            pass
    return settings.timezone


def lock_job(connection: Connection, job_row_id: int, *states: RepairState) -> Any | None:
    """The job row, locked, if it is still in one of `states`; None if taken or moved on."""
    return connection.execute(
        select(REPAIR_JOBS)
        .where(
            REPAIR_JOBS.c.id == job_row_id,
            REPAIR_JOBS.c.state.in_([state.value for state in states]),
        )
        .with_for_update(skip_locked=True)
    ).first()


def set_job(connection: Connection, job_row_id: int, now: datetime.datetime, **values: Any) -> None:
    connection.execute(
        update(REPAIR_JOBS).where(REPAIR_JOBS.c.id == job_row_id).values(updated_at=now, **values)
    )
