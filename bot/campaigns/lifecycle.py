"""A campaign's states: draft → scheduled → running ⇄ paused → completed, or cancelled.

Each change is a conditional UPDATE on the state the change starts from, inside the
caller's transaction, so two officers (or an officer and the scheduler) cannot both move
the same campaign. A change that is not allowed raises `CampaignStateError` with a sentence.
Creating and editing a campaign are `bot.campaigns.service`'s.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bot.campaigns.audience import select_targets
from bot.campaigns.models import CampaignState, TargetStatus
from bot.campaigns.spec import Audience, Sample
from bot.campaigns.store import CampaignRow, load_campaign
from bot.storage.models import OutboundStatus, SessionState
from bot.storage.tables import CAMPAIGNS, OUTBOUND, SESSIONS, TARGETS

S = CampaignState
# action -> (states it may start from, what the action is called in an error)
ALLOWED: dict[str, tuple[frozenset[CampaignState], str]] = {
    "schedule": (frozenset({S.DRAFT}), "scheduled"),
    "start": (frozenset({S.SCHEDULED}), "started"),
    "pause": (frozenset({S.SCHEDULED, S.RUNNING}), "paused"),
    "resume": (frozenset({S.PAUSED}), "resumed"),
    "complete": (frozenset({S.RUNNING}), "completed"),
    "cancel": (frozenset({S.DRAFT, S.SCHEDULED, S.RUNNING, S.PAUSED}), "cancelled"),
}
INSERT_CHUNK = 1000


class CampaignStateError(Exception):
    """The campaign is not in a state that allows the change asked for."""


def _check(campaign: CampaignRow, action: str) -> None:
    states, done = ALLOWED[action]
    if campaign.state in states:
        return
    allowed = " or ".join(state.value for state in CampaignState if state in states)
    raise CampaignStateError(
        f"Campaign {campaign.name!r} is {campaign.state.value}, so it cannot be {done}: "
        f"only a {allowed} campaign can."
    )


def _move(
    connection: Connection,
    campaign: CampaignRow,
    action: str,
    to: CampaignState,
    now: datetime.datetime,
    **values: Any,
) -> None:
    _check(campaign, action)
    result = connection.execute(
        update(CAMPAIGNS)
        .where(CAMPAIGNS.c.id == campaign.id, CAMPAIGNS.c.state == campaign.state.value)
        .values(state=to.value, updated_at=now, **values)
    )
    if result.rowcount != 1:
        raise changed_meanwhile(campaign)


def changed_meanwhile(campaign: CampaignRow) -> CampaignStateError:
    """Someone else moved or changed the campaign between loading it and changing it."""
    return CampaignStateError(
        f"Campaign {campaign.name!r} changed while this was being done; look at its "
        "status and try again."
    )


def schedule(connection: Connection, key: str | int, now: datetime.datetime) -> CampaignRow:
    campaign = load_campaign(connection, key, lock=True)
    _move(connection, campaign, "schedule", S.SCHEDULED, now)
    return load_campaign(connection, campaign.id)


def start(connection: Connection, campaign: CampaignRow, now: datetime.datetime) -> int:
    """Choose the tenants (audience, then sample) and start; returns how many were chosen."""
    sample = Sample.model_validate(campaign.sample) if campaign.sample else None
    selection = select_targets(
        connection, Audience.model_validate(campaign.audience), sample, campaign.seed, now
    )
    first = max(campaign.starts_at, now)
    rows = [
        {
            "campaign_id": campaign.id,
            "respondent_id": respondent_id,
            "stratum": stratum,
            "status": TargetStatus.PENDING.value,
            "next_action_at": first,
            "reminders_sent": 0,
            "via_link": False,
        }
        for respondent_id, stratum in selection.chosen
    ]
    for index in range(0, len(rows), INSERT_CHUNK):
        connection.execute(insert(TARGETS), rows[index : index + INSERT_CHUNK])
    _move(
        connection,
        campaign,
        "start",
        S.RUNNING,
        now,
        started_at=now,
        population=selection.population,
    )
    return len(rows)


def _withdraw_unsent(
    connection: Connection, campaign_id: int, reason: str, now: datetime.datetime
) -> list[int]:
    """Cancel invitations still waiting in the outbox; returns their target ids.

    Only `pending` rows change: a row a dispatcher has already claimed goes out as planned.
    """
    waiting = select(TARGETS.c.outbox_id).where(
        TARGETS.c.campaign_id == campaign_id,
        TARGETS.c.status == TargetStatus.INVITED.value,
        TARGETS.c.reminders_sent == 0,
        TARGETS.c.outbox_id.is_not(None),
    )
    withdrawn = list(
        connection.execute(
            update(OUTBOUND)
            .where(
                OUTBOUND.c.id.in_(waiting.scalar_subquery()),
                OUTBOUND.c.status == OutboundStatus.PENDING.value,
            )
            .values(status=OutboundStatus.CANCELLED.value, error=reason, status_at=now)
            .returning(OUTBOUND.c.id)
        ).scalars()
    )
    return withdrawn


def pause(connection: Connection, key: str | int, now: datetime.datetime) -> CampaignRow:
    """Stop sending at once: invitations not yet handed to a provider are held back."""
    campaign = load_campaign(connection, key, lock=True)
    _move(connection, campaign, "pause", S.PAUSED, now)
    withdrawn = _withdraw_unsent(connection, campaign.id, "campaign paused", now)
    for index in range(0, len(withdrawn), INSERT_CHUNK):
        connection.execute(
            update(TARGETS)
            .where(
                TARGETS.c.campaign_id == campaign.id,
                TARGETS.c.outbox_id.in_(withdrawn[index : index + INSERT_CHUNK]),
            )
            .values(status=TargetStatus.HELD.value, next_action_at=now)
        )
    return load_campaign(connection, campaign.id)


def resume(connection: Connection, key: str | int, now: datetime.datetime) -> CampaignRow:
    """Carry on: held invitations are queued again, paced and within quiet hours."""
    campaign = load_campaign(connection, key, lock=True)
    to = S.RUNNING if campaign.started_at is not None else S.SCHEDULED
    _move(connection, campaign, "resume", to, now)
    return load_campaign(connection, campaign.id)


def _close_targets(
    connection: Connection, campaign_id: int, skip_reason: str, now: datetime.datetime
) -> None:
    connection.execute(
        update(TARGETS)
        .where(
            TARGETS.c.campaign_id == campaign_id,
            TARGETS.c.status.in_([TargetStatus.PENDING.value, TargetStatus.HELD.value]),
        )
        .values(
            status=TargetStatus.SKIPPED.value,
            skip_reason=skip_reason,
            next_action_at=None,
            closed_at=now,
        )
    )
    connection.execute(
        update(TARGETS)
        .where(TARGETS.c.campaign_id == campaign_id, TARGETS.c.status == TargetStatus.INVITED.value)
        .values(status=TargetStatus.CLOSED.value, next_action_at=None, closed_at=now)
    )


def cancel(connection: Connection, key: str | int, now: datetime.datetime) -> CampaignRow:
    """Stop for good: nothing more is sent; unsent invitations are withdrawn."""
    campaign = load_campaign(connection, key, lock=True)
    _move(connection, campaign, "cancel", S.CANCELLED, now, finished_at=now)
    withdrawn = _withdraw_unsent(connection, campaign.id, "campaign cancelled", now)
    for index in range(0, len(withdrawn), INSERT_CHUNK):
        connection.execute(
            update(TARGETS)
            .where(
                TARGETS.c.campaign_id == campaign.id,
                TARGETS.c.outbox_id.in_(withdrawn[index : index + INSERT_CHUNK]),
            )
            .values(status=TargetStatus.HELD.value)
        )
    # Their conversations were opened for an invitation that never left: close them, or
    # the next survey for these tenants would find them "busy".
    never_sent = select(TARGETS.c.session_id).where(
        TARGETS.c.campaign_id == campaign.id,
        TARGETS.c.status == TargetStatus.HELD.value,
        TARGETS.c.session_id.is_not(None),
    )
    connection.execute(
        update(SESSIONS)
        .where(
            SESSIONS.c.id.in_(never_sent.scalar_subquery()),
            SESSIONS.c.state == SessionState.INVITED.value,
        )
        .values(state=SessionState.EXPIRED.value, updated_at=now)
    )
    _close_targets(connection, campaign.id, "The campaign was cancelled.", now)
    return load_campaign(connection, campaign.id)


def complete(connection: Connection, campaign: CampaignRow, now: datetime.datetime) -> None:
    """The end has come (or nothing is left to do): no more invitations or reminders."""
    _move(connection, campaign, "complete", S.COMPLETED, now, finished_at=now)
    _close_targets(
        connection, campaign.id, "The campaign ended before this tenant could be invited.", now
    )
