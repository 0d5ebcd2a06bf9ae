""" "Repair completed" events: validated, then stored once per job id.

The same job posted twice, or by two requests at once, leaves one row: the insert is
`ON CONFLICT (job_id) DO NOTHING`, so the database's unique key decides, not a read first.
An event completed longer ago than `repair_backdate_days` is kept as skipped, with the reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from bot.fields.errors import DATE_TIME_EXAMPLE, Named, sentences
from bot.fields.iso import IsoDateTime
from bot.repairs.models import RepairState
from bot.settings import Settings
from bot.storage.tables import REPAIR_JOBS
from bot.tenants.lookup import find_respondent_id
from bot.tenants.values import normal_reference

FUTURE_TOLERANCE = datetime.timedelta(minutes=10)  # clocks of two systems never agree exactly


class RepairEvent(BaseModel):
    """One completed repair, as the repairs system reports it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    job_id: str = Field(min_length=1, max_length=64)
    tenant_ref: str = Field(
        min_length=1, max_length=64, validation_alias=AliasChoices("tenant_ref", "tenant_reference")
    )
    completed_at: IsoDateTime
    trade: str | None = Field(default=None, max_length=64)
    contractor: str | None = Field(default=None, max_length=128)
    priority: str | None = Field(default=None, max_length=32)

    @field_validator("job_id", "tenant_ref", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("trade", "contractor", "priority", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("job_id", "tenant_ref", "trade", "contractor", "priority")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and any(ord(character) < 32 for character in value):
            raise ValueError("must not contain control characters")
        return value

    @field_validator("tenant_ref")
    @classmethod
    def _normal_reference(cls, value: str) -> str:
        """Stored as the tenant importer stores references, so the two always match."""
        normal = normal_reference(value)
        if not normal:
            raise ValueError("must not be empty")
        return normal


FIELDS = {
    "job_id": Named("job id", "J-10042"),
    "tenant_ref": Named("tenant reference", "T-10042"),
    "completed_at": Named("completion time", f"{DATE_TIME_EXAMPLE} or 2027-03-02T09:00:00Z"),
    "trade": Named("trade"),
    "contractor": Named("contractor"),
    "priority": Named("priority"),
}


def problems_of(error: ValidationError) -> list[str]:
    """Every bad field of an event, each as a sentence naming it as people do."""
    return sentences(error, FIELDS, "repair")


def parse_event(data: Any, settings: Settings, now: datetime.datetime) -> RepairEvent:
    """A checked event, with `completed_at` in UTC; `ValueError` lists what is wrong."""
    try:
        event = RepairEvent.model_validate(data)
    except ValidationError as error:
        raise ValueError(" ".join(problems_of(error))) from None
    completed = event.completed_at
    if completed.tzinfo is None:  # local time of the landlord, like the housing system's
        completed = completed.replace(tzinfo=ZoneInfo(settings.timezone))
    try:
        completed = completed.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise ValueError("The completion time is out of range.") from None
    if completed > now + FUTURE_TOLERANCE:
        raise ValueError("The completion time is in the future: a repair cannot be completed yet.")
    return event.model_copy(update={"completed_at": completed})


@dataclass(frozen=True)
class Accepted:
    job_id: str
    status: Literal["scheduled", "skipped", "duplicate"]
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"job_id": self.job_id, "status": self.status}
        if self.reason:
            found["reason"] = self.reason
        return found


def record_event(
    connection: Connection,
    event: RepairEvent,
    *,
    settings: Settings,
    now: datetime.datetime,
    source: str,
) -> Accepted:
    """Store the job unless it is known; skipped (with the reason) if reported too late."""
    respondent_id = find_respondent_id(connection, event.tenant_ref)
    window = datetime.timedelta(days=settings.repair_backdate_days)
    age = now - event.completed_at
    values: dict[str, Any] = {
        "job_id": event.job_id,
        "tenant_ref": event.tenant_ref,
        "respondent_id": respondent_id,
        "completed_at": event.completed_at,
        "trade": event.trade,
        "contractor": event.contractor,
        "priority": event.priority,
        "source": source[:128],
        "received_at": now,
        "updated_at": now,
    }
    reason = None
    if age > window:
        reason = (
            f"Completed {age.days} day(s) before it was reported; only repairs reported "
            f"within {settings.repair_backdate_days} day(s) are surveyed."
        )
        values.update(state=RepairState.SKIPPED.value, skip_reason=reason)
    else:
        delay = datetime.timedelta(minutes=settings.repair_delay_minutes)
        values.update(
            state=RepairState.SCHEDULED.value,
            survey_due_at=max(event.completed_at + delay, now),
        )
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # RETURNING, not rowcount: psycopg reports -1 for an insert SQLAlchemy added RETURNING to.
    inserted = connection.execute(
        dialect.insert(REPAIR_JOBS)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["job_id"])
        .returning(REPAIR_JOBS.c.id)
    ).first()
    if inserted is None:
        return Accepted(event.job_id, "duplicate", "This job was already received.")
    if reason is not None:
        return Accepted(event.job_id, "skipped", reason)
    return Accepted(event.job_id, "scheduled")
