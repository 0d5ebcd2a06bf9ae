"""What the repair, contact-policy and channel-choice tests share."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from sqlalchemy import insert, select

from bot.repairs.events import parse_event, record_event
from bot.repairs.followup import send_due_repair_surveys
from bot.service import Service
from bot.storage.tables import IDENTITIES, OUTBOUND, PROFILE, REPAIR_JOBS, RESPONDENTS, SESSIONS
from bot.ticks import TickReport
from tests.support.services import Clock

UTC = datetime.UTC


def tenant(
    service: Service,
    ref: str,
    *,
    sms: str | None = None,
    telegram: str | None = None,
    opted_out: tuple[str, ...] = (),
    timezone: str = "Europe/London",
    **attributes: Any,
) -> int:
    """A tenant with identities and current profile attributes, as an import leaves them."""
    with service.database.engine.begin() as connection:
        respondent_id = int(
            connection.execute(
                insert(RESPONDENTS)
                .values(tenant_ref=ref, timezone=timezone)
                .returning(RESPONDENTS.c.id)
            ).scalar_one()
        )
        for channel, address in (("sms", sms), ("telegram", telegram)):
            if address is not None:
                connection.execute(
                    insert(IDENTITIES).values(
                        respondent_id=respondent_id,
                        channel=channel,
                        address=address,
                        opted_out_at=(
                            datetime.datetime(2026, 1, 1, tzinfo=UTC)
                            if channel in opted_out
                            else None
                        ),
                    )
                )
        for name, value in attributes.items():
            connection.execute(
                insert(PROFILE).values(
                    respondent_id=respondent_id, name=name, value=value, source="test"
                )
            )
    return respondent_id


def with_settings(service: Service, **changes: Any) -> Service:
    return dataclasses.replace(service, settings=service.settings.model_copy(update=changes))


def event(job_id: str = "J-1", tenant_ref: str = "T-1", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "job_id": job_id,
        "tenant_ref": tenant_ref,
        "completed_at": "2026-11-02T09:00:00Z",
        "trade": "plumbing",
        "contractor": "Acme Plumbing",
        "priority": "routine",
    }
    data.update(fields)
    return data


def report(service: Service, clock: Clock, *events: dict[str, Any]) -> list[str]:
    with service.database.engine.begin() as connection:
        return [
            record_event(
                connection,
                parse_event(data, service.settings, clock.now),
                settings=service.settings,
                now=clock.now,
                source="test",
            ).status
            for data in events
        ]


def tick(service: Service, clock: Clock) -> TickReport:
    return send_due_repair_surveys(service, clock.now, available=("sms", "telegram"))


def job(service: Service, job_id: str = "J-1") -> Any:
    with service.database.engine.connect() as connection:
        return connection.execute(select(REPAIR_JOBS).where(REPAIR_JOBS.c.job_id == job_id)).one()


def jobs(service: Service) -> list[Any]:
    with service.database.engine.connect() as connection:
        return list(connection.execute(select(REPAIR_JOBS).order_by(REPAIR_JOBS.c.id)).all())


def outbox(service: Service, address: str | None = None) -> list[Any]:
    query = select(OUTBOUND).order_by(OUTBOUND.c.id)
    if address is not None:
        query = query.where(OUTBOUND.c.address == address)
    with service.database.engine.connect() as connection:
        return list(connection.execute(query).all())


def sessions(service: Service) -> list[Any]:
    with service.database.engine.connect() as connection:
        return list(connection.execute(select(SESSIONS).order_by(SESSIONS.c.id)).all())


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(UTC)
