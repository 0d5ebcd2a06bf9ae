"""Campaigns for officers, the one place their rules live: create, edit a draft, change
state, list and progress. The API, the console and `doorstep campaign` all call these.

A new campaign and an edited draft pass the same checks (`_check`), so they answer with the
same sentences. An edit turns the stored settings back into a spec, applies the changes and
checks the whole spec again. State changes are `bot.campaigns.lifecycle`'s.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bot.campaigns import lifecycle
from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.models import CampaignState
from bot.campaigns.progress import COUNTS, campaign_progress
from bot.campaigns.spec import CampaignSpec, CampaignSpecError, parse_spec
from bot.campaigns.store import CampaignRow, load_campaign
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.tables import CAMPAIGNS

ACTIONS: dict[str, Callable[[Connection, str | int, datetime.datetime], CampaignRow]] = {
    "schedule": lifecycle.schedule,
    "pause": lifecycle.pause,
    "resume": lifecycle.resume,
    "cancel": lifecycle.cancel,
}
EDITABLE = frozenset({CampaignState.DRAFT})


def _check(
    connection: Connection,
    registry: QuestionnaireRegistry,
    spec: CampaignSpec,
    *,
    current_name: str | None = None,
) -> None:
    """What a spec needs beyond its own fields: a loaded questionnaire, a name not taken."""
    problems = []
    try:
        registry.latest(spec.questionnaire)
    except KeyError:
        known = ", ".join(q.id for q in registry.all()) or "none"
        problems.append(
            f"questionnaire: no questionnaire {spec.questionnaire!r} is loaded (loaded: {known})."
        )
    if spec.name != current_name:
        taken = connection.execute(
            select(CAMPAIGNS.c.id).where(CAMPAIGNS.c.name == spec.name)
        ).first()
        if taken is not None:
            problems.append(f"name: a campaign called {spec.name!r} already exists.")
    if problems:
        raise CampaignSpecError(problems)


def _stored_values(spec: CampaignSpec) -> dict[str, Any]:
    """A spec as the campaign row's columns."""
    start, end = spec.window()
    return {
        "name": spec.name,
        "questionnaire_id": spec.questionnaire,
        "audience": spec.audience.model_dump(exclude_none=True, exclude_defaults=True),
        "sample": spec.sample.model_dump() if spec.sample else None,
        "channel_policy": {"order": spec.channels, "use_preferences": spec.use_preferences},
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "allowed_days": spec.day_numbers(),
        "allowed_from": start,
        "allowed_until": end,
        "timezone": spec.timezone,
        "send_rates": spec.send_rate_per_minute,
        "reminders": spec.reminders,
        "reminder_interval_hours": spec.reminder_interval_hours,
        "session_expiry_days": spec.session_expiry_days,
        "seed": spec.seed,
    }


def create_campaign(
    connection: Connection,
    registry: QuestionnaireRegistry,
    spec: CampaignSpec | dict[str, Any],
    now: datetime.datetime,
) -> int:
    """Store a draft campaign; nothing is sent until it is scheduled and its start comes.

    Raises `CampaignSpecError` with every problem as a sentence naming the field.
    """
    spec = spec if isinstance(spec, CampaignSpec) else parse_spec(spec)
    _check(connection, registry, spec)
    values = {**_stored_values(spec), "state": CampaignState.DRAFT.value, "pacing": {}}
    return int(
        connection.execute(
            insert(CAMPAIGNS)
            .values(**values, created_at=now, updated_at=now)
            .returning(CAMPAIGNS.c.id)
        ).scalar_one()
    )


def _row(connection: Connection, campaign_id: int) -> Any:
    return connection.execute(select(CAMPAIGNS).where(CAMPAIGNS.c.id == campaign_id)).one()


def spec_data(campaign: CampaignRow, row: Any) -> dict[str, Any]:
    """The stored campaign as the spec it was created from (for editing and showing)."""
    data: dict[str, Any] = {
        "name": campaign.name,
        "questionnaire": campaign.questionnaire_id,
        "audience": dict(campaign.audience),
        "sample": campaign.sample,
        "channels": campaign.channel_policy.get("order"),
        "use_preferences": bool(campaign.channel_policy.get("use_preferences", True)),
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat(),
        "days": list(row.allowed_days),
        "hours": f"{row.allowed_from}-{row.allowed_until}",
        "timezone": campaign.timezone,
        "send_rate_per_minute": dict(campaign.send_rates),
        "reminders": campaign.reminders,
        "reminder_interval_hours": row.reminder_interval_hours,
        "session_expiry_days": row.session_expiry_days,
        "seed": campaign.seed,
    }
    return {key: value for key, value in data.items() if value is not None}


def edit_campaign(
    connection: Connection,
    registry: QuestionnaireRegistry,
    key: str | int,
    changes: dict[str, Any],
    now: datetime.datetime,
) -> None:
    """Change a draft; a campaign that has been scheduled keeps the settings it has."""
    campaign = load_campaign(connection, key, lock=True)
    if campaign.state not in EDITABLE:
        raise CampaignStateError(
            f"Campaign {campaign.name!r} is {campaign.state.value}, so it cannot be edited: "
            "only a draft can. Pause or cancel it, or create a new one."
        )
    spec = parse_spec({**spec_data(campaign, _row(connection, campaign.id)), **changes})
    _check(connection, registry, spec, current_name=campaign.name)
    changed = connection.execute(
        update(CAMPAIGNS)
        .where(CAMPAIGNS.c.id == campaign.id, CAMPAIGNS.c.state == CampaignState.DRAFT.value)
        .values(**_stored_values(spec), updated_at=now)
    ).rowcount
    if changed != 1:
        raise lifecycle.changed_meanwhile(campaign)


def change_state(
    connection: Connection, key: str | int, action: str, now: datetime.datetime
) -> CampaignRow:
    """schedule, pause, resume or cancel; `CampaignStateError` when the state forbids it."""
    if action not in ACTIONS:
        raise CampaignStateError("That is not something a campaign can do.")
    return ACTIONS[action](connection, key, now)


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def campaign_json(connection: Connection, key: str | int) -> dict[str, Any]:
    campaign = load_campaign(connection, key)
    row = _row(connection, campaign.id)
    return {
        "id": campaign.id,
        "state": campaign.state.value,
        "created_at": _when(row.created_at),
        "updated_at": _when(row.updated_at),
        "started_at": _when(campaign.started_at),
        "finished_at": _when(campaign.finished_at),
        "population": campaign.population,
        **spec_data(campaign, row),
    }


def list_campaigns(
    connection: Connection, state: CampaignState | None = None
) -> list[dict[str, Any]]:
    query = select(CAMPAIGNS.c.id).order_by(CAMPAIGNS.c.id.desc())
    if state is not None:
        query = query.where(CAMPAIGNS.c.state == state.value)
    return [campaign_json(connection, int(cid)) for cid in connection.execute(query).scalars()]


def progress_json(connection: Connection, key: str | int) -> dict[str, Any]:
    progress = campaign_progress(connection, key)
    campaign = progress.campaign
    return {
        "id": campaign.id,
        "name": campaign.name,
        "state": campaign.state.value,
        "counts": list(COUNTS),
        "channels": progress.as_dict(),
    }
