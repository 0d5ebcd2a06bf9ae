"""Reminders and expiry for invited targets: only to tenants who have not finished, never
after an opt-out or a do-not-contact entry, only within quiet hours.

A reminder is claimed (counted, next time set) and committed before the engine writes it,
so a crash in between loses that one reminder rather than ever sending it twice. A web chat
link reminder is written in the claiming transaction itself.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from bot.campaigns.links import write_link_message
from bot.campaigns.models import CampaignState, TargetStatus
from bot.campaigns.store import (
    CampaignRow,
    identity_address,
    let_others_write,
    load_campaign,
    version_ids,
)
from bot.outreach.contact_policy import blocked_reason
from bot.outreach.quiet_hours import BadQuietHours, zone
from bot.service import Service
from bot.storage.models import OPEN_STATES
from bot.storage.tables import RESPONDENTS, SESSIONS, TARGETS
from bot.ticks import TickReport

BATCH = 200


def remind_due(service: Service, campaign_id: int, now: datetime.datetime) -> TickReport:
    stats = TickReport()
    while True:
        to_remind: list[tuple[str, str]] = []
        with service.database.engine.connect() as connection, connection.begin():
            campaign = load_campaign(connection, campaign_id, lock=True)
            if campaign.state is not CampaignState.RUNNING:
                return stats
            rows = connection.execute(
                select(TARGETS, RESPONDENTS.c.timezone)
                .join(RESPONDENTS, RESPONDENTS.c.id == TARGETS.c.respondent_id)
                .where(
                    TARGETS.c.campaign_id == campaign.id,
                    TARGETS.c.status == TargetStatus.INVITED.value,
                    TARGETS.c.next_action_at <= now,
                )
                .order_by(TARGETS.c.next_action_at, TARGETS.c.id)
                .limit(BATCH)
            ).all()
            versions = version_ids(connection, campaign.questionnaire_id)
            for row in rows:
                outcome = _handle(service, connection, campaign, row, versions, now)
                if outcome == "closed":
                    stats.closed += 1
                elif isinstance(outcome, tuple):
                    to_remind.append(outcome)
                elif outcome == "reminded":
                    stats.reminded += 1
        # After the commit: the engine writes the reminder in its own transaction.
        for channel, address in to_remind:
            if service.engine.remind(channel=channel, address=address):
                stats.reminded += 1
        if len(rows) < BATCH:
            return stats
        let_others_write(service.database.url)


def _session_state(
    connection: Connection, row: Any, versions: list[int]
) -> tuple[int | None, str | None]:
    """The target's conversation and its state; a web chat link's is found once opened."""
    if row.session_id is not None:
        state = connection.execute(
            select(SESSIONS.c.state).where(SESSIONS.c.id == row.session_id)
        ).scalar_one_or_none()
        return row.session_id, state
    if not row.via_link or not versions:
        return None, None
    found = connection.execute(
        select(SESSIONS.c.id, SESSIONS.c.state)
        .where(
            SESSIONS.c.respondent_id == row.respondent_id,
            SESSIONS.c.questionnaire_version_id.in_(versions),
            SESSIONS.c.created_at >= row.invited_at,
        )
        .order_by(SESSIONS.c.id.desc())
        .limit(1)
    ).first()
    return (found.id, found.state) if found is not None else (None, None)


def _handle(
    service: Service,
    connection: Connection,
    campaign: CampaignRow,
    row: Any,
    versions: list[int],
    now: datetime.datetime,
) -> str | tuple[str, str] | None:
    def update_target(**values: Any) -> None:
        connection.execute(update(TARGETS).where(TARGETS.c.id == row.id).values(**values))

    session_id, state = _session_state(connection, row, versions)
    if session_id is not None and session_id != row.session_id:
        update_target(session_id=session_id)
    expiry = row.invited_at + campaign.session_expiry
    finished = state is not None and state not in OPEN_STATES
    if finished or now >= expiry:
        update_target(status=TargetStatus.CLOSED.value, next_action_at=None, closed_at=now)
        return "closed"
    started_in_web_chat = row.via_link and state is not None
    if row.reminders_sent >= campaign.reminders or started_in_web_chat:
        update_target(next_action_at=expiry)  # nothing to send; close at expiry
        return None
    address = identity_address(connection, row.identity_id)
    blocked = (
        "The contact address is no longer held."
        if address is None
        else blocked_reason(connection, row.respondent_id, row.channel, address)
    )
    if address is None or blocked is not None:
        update_target(next_action_at=expiry, skip_reason=f"No reminder: {blocked}"[:300])
        return None
    timezone = _timezone(row.timezone, campaign.timezone)
    if not campaign.hours.allows(now, timezone):
        update_target(next_action_at=min(campaign.hours.next_allowed(now, timezone), expiry))
        return None
    sent = row.reminders_sent + 1
    following = now + campaign.reminder_interval if sent < campaign.reminders else expiry
    update_target(reminders_sent=sent, next_action_at=min(following, expiry))
    if row.via_link:
        write_link_message(
            connection,
            service.settings,
            service.registry.latest(campaign.questionnaire_id),
            respondent_id=row.respondent_id,
            address=address,
            due=now,
            expires=expiry,
            now=now,
            reminder=True,
            channel=str(row.channel),
        )
        return "reminded"
    return (str(row.channel), address)


def _timezone(stored: str | None, fallback: str) -> str:
    if stored:
        try:
            zone(stored)
            return stored
        except BadQuietHours:
            pass
    return fallback
