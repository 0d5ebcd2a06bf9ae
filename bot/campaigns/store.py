"""Campaign rows as the rest of the package reads them."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from bot.campaigns.models import CampaignState
from bot.outreach.quiet_hours import QuietHours
from bot.storage.tables import CAMPAIGNS, IDENTITIES, VERSIONS

# On SQLite every transaction takes the one write lock; between two batches the tick leaves
# it free this long, so webhooks waiting for it (busy timeout) get their turn.
SQLITE_BREATHER = 0.02


def let_others_write(connection_url: str) -> None:
    if connection_url.startswith("sqlite"):
        time.sleep(SQLITE_BREATHER)


class UnknownCampaign(LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(f"No campaign is called {key!r} (or has that number).")


@dataclass(frozen=True)
class CampaignRow:
    """A campaign as loaded for one piece of work."""

    id: int
    name: str
    questionnaire_id: str
    state: CampaignState
    audience: dict[str, Any]
    sample: dict[str, Any] | None
    channel_policy: dict[str, Any]
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    hours: QuietHours
    timezone: str
    send_rates: dict[str, float]
    reminders: int
    reminder_interval: datetime.timedelta
    session_expiry: datetime.timedelta
    seed: int
    pacing: dict[str, str]
    population: int | None
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None

    @classmethod
    def from_row(cls, row: Any) -> CampaignRow:
        return cls(
            id=row.id,
            name=row.name,
            questionnaire_id=row.questionnaire_id,
            state=CampaignState(row.state),
            audience=dict(row.audience or {}),
            sample=row.sample,
            channel_policy=dict(row.channel_policy or {}),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            hours=QuietHours.parse(row.allowed_from, row.allowed_until, list(row.allowed_days)),
            timezone=row.timezone,
            send_rates={name: float(rate) for name, rate in (row.send_rates or {}).items()},
            reminders=row.reminders,
            reminder_interval=datetime.timedelta(hours=row.reminder_interval_hours),
            session_expiry=datetime.timedelta(days=row.session_expiry_days),
            seed=row.seed,
            pacing=dict(row.pacing or {}),
            population=row.population,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


def load_campaign(connection: Connection, key: str | int, *, lock: bool = False) -> CampaignRow:
    """By id or by name; `lock` takes the row lock on PostgreSQL (one ticker at a time)."""
    query = select(CAMPAIGNS)
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        query = query.where(CAMPAIGNS.c.id == int(key))
    else:
        query = query.where(CAMPAIGNS.c.name == key)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        raise UnknownCampaign(str(key))
    return CampaignRow.from_row(row)


def campaign_ids(connection: Connection, states: list[CampaignState]) -> list[int]:
    return list(
        connection.execute(
            select(CAMPAIGNS.c.id)
            .where(CAMPAIGNS.c.state.in_([state.value for state in states]))
            .order_by(CAMPAIGNS.c.id)
        ).scalars()
    )


def version_ids(connection: Connection, questionnaire_id: str) -> list[int]:
    """Every stored version of a questionnaire (a session may be on an older one)."""
    return list(
        connection.execute(
            select(VERSIONS.c.id).where(VERSIONS.c.questionnaire_id == questionnaire_id)
        ).scalars()
    )


def identity_address(connection: Connection, identity_id: int | None) -> str | None:
    if identity_id is None:
        return None
    found = connection.execute(
        select(IDENTITIES.c.address).where(IDENTITIES.c.id == identity_id)
    ).scalar_one_or_none()
    return None if found is None else str(found)
