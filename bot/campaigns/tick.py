"""The campaign tick: start what is due, invite, remind, expire, complete.

The scheduler calls `campaign_tick` every `DOORSTEP_CAMPAIGN_TICK_SECONDS`; everything it
does is read from and written to the tables, so a restart picks up exactly where the last
committed batch left off.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection

from sqlalchemy import func, select

from bot.campaigns import lifecycle
from bot.campaigns.invite import invite_due
from bot.campaigns.models import CampaignState, TargetStatus
from bot.campaigns.reminders import remind_due
from bot.campaigns.store import campaign_ids, load_campaign
from bot.service import Service
from bot.storage.models import utcnow
from bot.storage.tables import TARGETS
from bot.ticks import TickReport

logger = logging.getLogger(__name__)
ACTIVE_TARGETS = [TargetStatus.PENDING.value, TargetStatus.HELD.value, TargetStatus.INVITED.value]


def run_campaigns(
    service: Service,
    now: datetime.datetime | None = None,
    *,
    available: Collection[str] | None = None,
    horizon: datetime.timedelta | None = None,
) -> TickReport:
    """One tick over every campaign. `available`: the channels with a sender (default: the
    configured ones); `horizon`: how far ahead invitations may be booked."""
    moment = now or utcnow()
    settings = service.settings
    senders = settings.sending_channels if available is None else available
    ahead = horizon or datetime.timedelta(seconds=settings.campaign_tick_seconds)
    report = TickReport()
    _start_due(service, moment, report)
    with service.database.engine.connect() as connection:
        running = campaign_ids(connection, [CampaignState.RUNNING])
    for campaign_id in running:
        try:
            _run_one(service, campaign_id, moment, senders, ahead, report)
        except Exception:  # one broken campaign must not stop the others
            logger.exception("campaign %s: tick failed; it will be retried", campaign_id)
    return report


def _start_due(service: Service, now: datetime.datetime, report: TickReport) -> None:
    with service.database.engine.connect() as connection:
        scheduled = campaign_ids(connection, [CampaignState.SCHEDULED])
    for campaign_id in scheduled:
        with service.database.engine.connect() as connection, connection.begin():
            campaign = load_campaign(connection, campaign_id, lock=True)
            if campaign.state is not CampaignState.SCHEDULED or campaign.starts_at > now:
                continue
            chosen = lifecycle.start(connection, campaign, now)
            report.started += 1
            logger.info("campaign %s started with %d tenant(s)", campaign.id, chosen)


def _run_one(
    service: Service,
    campaign_id: int,
    now: datetime.datetime,
    available: Collection[str],
    horizon: datetime.timedelta,
    report: TickReport,
) -> None:
    if _complete_if_over(service, campaign_id, now, ended_only=True):
        report.completed += 1
        return
    report.add(invite_due(service, campaign_id, now, available=available, horizon=horizon))
    report.add(remind_due(service, campaign_id, now))
    if _complete_if_over(service, campaign_id, now, ended_only=False):
        report.completed += 1


def _complete_if_over(
    service: Service, campaign_id: int, now: datetime.datetime, *, ended_only: bool
) -> bool:
    """Complete a running campaign after its end, or once no target has anything left."""
    with service.database.engine.connect() as connection, connection.begin():
        campaign = load_campaign(connection, campaign_id, lock=True)
        if campaign.state is not CampaignState.RUNNING:
            return False
        over = now >= campaign.ends_at
        if not over and not ended_only:
            active = connection.execute(
                select(func.count())
                .select_from(TARGETS)
                .where(TARGETS.c.campaign_id == campaign_id, TARGETS.c.status.in_(ACTIVE_TARGETS))
            ).scalar_one()
            over = active == 0
        if over:
            lifecycle.complete(connection, campaign, now)
            logger.info("campaign %s completed", campaign_id)
        return over


def campaign_tick(service: Service) -> None:
    """The scheduler's job."""
    report = run_campaigns(service)
    if report.anything:
        logger.info("campaigns: %s", report.summary())
