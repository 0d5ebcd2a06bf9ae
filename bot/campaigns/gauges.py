"""Campaign progress for operators' dashboards: targets per status of each live campaign.

Read at scrape time through the `(campaign_id, status, ...)` index; only running and paused
campaigns are counted, so finished ones cost nothing.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from bot.campaigns.models import CampaignState
from bot.storage.tables import CAMPAIGNS, TARGETS

LIVE = (CampaignState.RUNNING.value, CampaignState.PAUSED.value)


def live_target_counts(connection: Connection) -> list[tuple[str, str, int]]:
    """(campaign name, target status, count) for each running or paused campaign."""
    rows = connection.execute(
        select(CAMPAIGNS.c.name, TARGETS.c.status, func.count())
        .join(TARGETS, TARGETS.c.campaign_id == CAMPAIGNS.c.id)
        .where(CAMPAIGNS.c.state.in_(LIVE))
        .group_by(CAMPAIGNS.c.name, TARGETS.c.status)
    ).all()
    return [(str(name), str(status), int(count)) for name, status, count in rows]
