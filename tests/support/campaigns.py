"""What the campaign tests share: tenants, campaigns, ticks and reading the outbox."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import insert, select, update

from bot.campaigns import lifecycle
from bot.campaigns import service as campaign_service
from bot.campaigns.progress import campaign_progress
from bot.campaigns.spec import parse_spec
from bot.campaigns.tick import run_campaigns
from bot.service import Service
from bot.storage.tables import IDENTITIES, OUTBOUND, PROFILE, RESPONDENTS, TARGETS
from bot.ticks import TickReport
from tests.support.services import Clock

CHANNELS = ("sms", "telegram")


def phone(number: int) -> str:
    return f"+44770090{number:04d}"


def add_tenant(
    service: Service,
    ref: str,
    *,
    sms: str | None = None,
    telegram: str | None = None,
    attributes: dict[str, Any] | None = None,
    timezone: str = "Europe/London",
    language: str | None = None,
    opted_out: tuple[str, ...] = (),
) -> int:
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    with service.database.engine.begin() as connection:
        respondent_id = connection.execute(
            insert(RESPONDENTS)
            .values(tenant_ref=ref, name=None, language=language, timezone=timezone, created_at=now)
            .returning(RESPONDENTS.c.id)
        ).scalar_one()
        for channel, address in (("sms", sms), ("telegram", telegram)):
            if address:
                connection.execute(
                    insert(IDENTITIES).values(
                        respondent_id=respondent_id,
                        channel=channel,
                        address=address,
                        created_at=now,
                        opted_out_at=now if channel in opted_out else None,
                    )
                )
        for name, value in (attributes or {}).items():
            connection.execute(
                insert(PROFILE).values(
                    respondent_id=respondent_id,
                    name=name,
                    value=value,
                    source="import",
                    recorded_at=now,
                )
            )
    return int(respondent_id)


def add_tenants(service: Service, count: int, **options: Any) -> list[int]:
    return [add_tenant(service, f"T{n:05d}", sms=phone(n), **options) for n in range(count)]


def spec(clock: Clock, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Autumn check-in",
        "questionnaire": "post_repair",
        "starts_at": clock.now.isoformat(),
        "ends_at": (clock.now + datetime.timedelta(days=20)).isoformat(),
        "days": "mon-sun",
        "hours": "08:00-21:00",
        "reminders": 1,
        "reminder_interval_hours": 48,
        "session_expiry_days": 7,
        "send_rate_per_minute": {"sms": 0, "telegram": 0},
    }
    data.update(overrides)
    return data


def create(service: Service, clock: Clock, *, scheduled: bool = True, **overrides: Any) -> int:
    with service.database.engine.begin() as connection:
        campaign_id = campaign_service.create_campaign(
            connection, service.registry, parse_spec(spec(clock, **overrides)), clock.now
        )
        if scheduled:
            lifecycle.schedule(connection, campaign_id, clock.now)
    return campaign_id


def tick(service: Service, clock: Clock, **options: Any) -> TickReport:
    options.setdefault("available", CHANNELS)
    return run_campaigns(service, clock.now, **options)


def outbox(service: Service, *where: Any) -> list[Any]:
    with service.database.engine.connect() as connection:
        return list(
            connection.execute(select(OUTBOUND).where(*where).order_by(OUTBOUND.c.id)).all()
        )


def sent_to(service: Service, address: str) -> list[Any]:
    return outbox(service, OUTBOUND.c.address == address)


def mark_outbox_sent(service: Service) -> None:
    """What a dispatcher would do: everything pending goes out."""
    with service.database.engine.begin() as connection:
        connection.execute(
            update(OUTBOUND).where(OUTBOUND.c.status == "pending").values(status="sent")
        )


def targets(service: Service, campaign_id: int) -> list[Any]:
    with service.database.engine.connect() as connection:
        return list(
            connection.execute(
                select(TARGETS).where(TARGETS.c.campaign_id == campaign_id).order_by(TARGETS.c.id)
            ).all()
        )


def progress(service: Service, campaign_id: int) -> dict[str, dict[str, int]]:
    with service.database.engine.connect() as connection:
        return campaign_progress(connection, campaign_id).as_dict()
