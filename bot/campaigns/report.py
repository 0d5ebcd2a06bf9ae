"""What a campaign's page says beyond progress by channel: the audience and sample sizes,
why tenants were skipped (in words, with counts), progress by language, responses against
the target, and how many asked for a letter or a call instead of messages (the list itself
is `bot.campaigns.letter_list`).

Before a campaign starts nobody is chosen yet, so the audience and sample are worked out
the way the start will (same filters, same seed) and said to be so.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from bot.campaigns.audience import select_targets
from bot.campaigns.models import TargetStatus
from bot.campaigns.offline import offline_preferences
from bot.campaigns.sampling import sample_size, tsm_margin
from bot.campaigns.spec import Audience, Sample
from bot.campaigns.store import CampaignRow, load_campaign
from bot.storage.models import SessionState
from bot.storage.tables import RESPONDENTS, SESSIONS, TARGETS

LANGUAGE_COUNTS = ("targeted", "skipped", "invited", "completed")


@dataclass
class CampaignReport:
    campaign: CampaignRow
    chosen: bool  # targets exist (the campaign has started)
    population: int = 0
    sample: int = 0
    sample_note: str = ""
    responses_needed: int | None = None
    skip_reasons: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, dict[str, int]] = field(default_factory=dict)
    offline: dict[str, int] = field(default_factory=dict)

    @property
    def target_responses(self) -> int:
        """Responses the campaign aims for: those a margin needs, else everyone invited."""
        return self.responses_needed if self.responses_needed is not None else self.sample


def _responses_needed(sample: Sample | None, population: int) -> int | None:
    if sample is None or sample.margin is None or population == 0:
        return None
    margin = tsm_margin(population) if sample.margin == "tsm" else float(sample.margin)
    return sample_size(population, margin, sample.confidence)


def _sample(campaign: CampaignRow) -> Sample | None:
    return Sample.model_validate(campaign.sample) if campaign.sample else None


def chosen_ids(connection: Connection, campaign: CampaignRow, now: datetime.datetime) -> list[int]:
    """The campaign's tenants: its targets, or before it starts those it would choose."""
    ids = list(
        connection.execute(
            select(TARGETS.c.respondent_id).where(TARGETS.c.campaign_id == campaign.id)
        ).scalars()
    )
    if ids:
        return ids
    audience = Audience.model_validate(campaign.audience)
    selection = select_targets(connection, audience, _sample(campaign), campaign.seed, now)
    return [respondent_id for respondent_id, _ in selection.chosen]


def campaign_report(
    connection: Connection, key: str | int, now: datetime.datetime
) -> CampaignReport:
    campaign = load_campaign(connection, key)
    targets = connection.execute(
        select(func.count()).select_from(TARGETS).where(TARGETS.c.campaign_id == campaign.id)
    ).scalar_one()
    report = CampaignReport(campaign, chosen=bool(targets))
    sample = _sample(campaign)
    if targets:
        report.population = campaign.population or 0
        report.sample = int(targets)
        report.sample_note = "chosen when the campaign started"
        ids = list(
            connection.execute(
                select(TARGETS.c.respondent_id).where(TARGETS.c.campaign_id == campaign.id)
            ).scalars()
        )
    else:
        audience = Audience.model_validate(campaign.audience)
        selection = select_targets(connection, audience, sample, campaign.seed, now)
        report.population = selection.population
        report.sample = len(selection.chosen)
        report.sample_note = f"{selection.sample_note}, if it started now"
        ids = [respondent_id for respondent_id, _ in selection.chosen]
    report.responses_needed = _responses_needed(sample, report.population)
    report.skip_reasons = skipped_by_reason(connection, campaign.id)
    report.by_language = _by_language(connection, campaign.id)
    report.offline = dict(Counter(offline_preferences(connection, ids).values()))
    return report


def skipped_by_reason(connection: Connection, campaign_id: int) -> dict[str, int]:
    """How many tenants were not invited, per reason in words (most frequent first)."""
    rows = connection.execute(
        select(TARGETS.c.skip_reason, func.count())
        .where(
            TARGETS.c.campaign_id == campaign_id,
            TARGETS.c.status == TargetStatus.SKIPPED.value,
        )
        .group_by(TARGETS.c.skip_reason)
    ).all()
    counts = Counter({reason or "No reason was recorded.": int(number) for reason, number in rows})
    return dict(counts.most_common())


def _by_language(connection: Connection, campaign_id: int) -> dict[str, dict[str, int]]:
    """Targets by the tenant's language (a conversation's completion counts where it is
    linked to the target; web chat link conversations count under invited)."""
    rows = connection.execute(
        select(RESPONDENTS.c.language, TARGETS.c.status, SESSIONS.c.state, func.count())
        .select_from(TARGETS)
        .join(RESPONDENTS, RESPONDENTS.c.id == TARGETS.c.respondent_id)
        .outerjoin(SESSIONS, SESSIONS.c.id == TARGETS.c.session_id)
        .where(TARGETS.c.campaign_id == campaign_id)
        .group_by(RESPONDENTS.c.language, TARGETS.c.status, SESSIONS.c.state)
    ).all()
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for language, status, state, count in rows:
        counts = found[str(language or "").split("-")[0] or "unknown"]
        counts["targeted"] += count
        if status == TargetStatus.SKIPPED.value:
            counts["skipped"] += count
        elif status in (TargetStatus.INVITED.value, TargetStatus.CLOSED.value):
            counts["invited"] += count
        if state == SessionState.COMPLETED.value:
            counts["completed"] += count
    return {
        language: {name: counts[name] for name in LANGUAGE_COUNTS}
        for language, counts in sorted(found.items())
    }
