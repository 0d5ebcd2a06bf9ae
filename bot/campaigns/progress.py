"""A campaign's progress per channel, computed from its targets, the outbox and sessions.

targeted: tenants chosen; skipped: never invited (the reason is on the target); waiting:
not invited yet; sent: accepted by the provider (or shown in web chat); delivered: the
provider confirmed delivery; started: consented and answering, or further; completed,
declined, opted out; failed: the provider could not deliver the invitation.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, case, func, select

from bot.campaigns.models import TargetStatus
from bot.campaigns.store import CampaignRow, load_campaign, version_ids
from bot.storage.models import OutboundStatus, SessionState
from bot.storage.tables import IDENTITIES, OUTBOUND, SESSIONS, TARGETS

COUNTS = (
    "targeted",
    "skipped",
    "waiting",
    "sent",
    "delivered",
    "started",
    "completed",
    "declined",
    "opted_out",
    "failed",
)
LINK = "sms (web chat link)"


def link_key(channel: str | None) -> str:
    """The progress row of web chat links sent by SMS (`LINK`) or by email."""
    return f"{channel or 'sms'} (web chat link)"


_O = OutboundStatus
SENT = {_O.SENT, _O.DELIVERED, _O.READ, _O.UNDELIVERED, _O.DISPLAYED}
DELIVERED = {_O.DELIVERED, _O.READ, _O.DISPLAYED}
FAILED = {_O.FAILED, _O.UNDELIVERED}
STARTED = {SessionState.IN_PROGRESS, SessionState.COMPLETED, SessionState.INCOMPLETE}
# When a web chat link led to several conversations, the furthest one counts.
_RANK = {
    SessionState.COMPLETED: 7,
    SessionState.INCOMPLETE: 6,
    SessionState.DECLINED: 5,
    SessionState.OPTED_OUT: 4,
    SessionState.IN_PROGRESS: 3,
    SessionState.AWAITING_CONSENT: 2,
    SessionState.INVITED: 1,
    SessionState.EXPIRED: 0,
}


@dataclass
class Progress:
    campaign: CampaignRow
    by_channel: dict[str, Counter[str]] = field(default_factory=dict)

    def total(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.by_channel.values():
            total.update(counts)
        return total

    def as_dict(self) -> dict[str, dict[str, int]]:
        rows = {
            name: {key: counts[key] for key in COUNTS} for name, counts in self.by_channel.items()
        }
        rows["all"] = {key: self.total()[key] for key in COUNTS}
        return rows


def _add(
    counts: Counter[str],
    number: int,
    status: str,
    outbox: str | None,
    session: str | None,
    opted_out: bool,
) -> None:
    counts["targeted"] += number
    if status == TargetStatus.SKIPPED:
        counts["skipped"] += number
    elif status in (TargetStatus.PENDING, TargetStatus.HELD):
        counts["waiting"] += number
    if outbox in SENT:
        counts["sent"] += number
    if outbox in DELIVERED:
        counts["delivered"] += number
    if outbox in FAILED:
        counts["failed"] += number
    if session in STARTED:
        counts["started"] += number
    if session == SessionState.COMPLETED:
        counts["completed"] += number
    if session == SessionState.DECLINED:
        counts["declined"] += number
    if session == SessionState.OPTED_OUT or (opted_out and session != SessionState.COMPLETED):
        counts["opted_out"] += number


def campaign_progress(connection: Connection, key: str | int) -> Progress:
    campaign = load_campaign(connection, key)
    progress = Progress(campaign)
    by_channel: dict[str, Counter[str]] = defaultdict(Counter)
    opted = case((IDENTITIES.c.opted_out_at.is_not(None), 1), else_=0).label("opted")
    link_pending = and_(TARGETS.c.via_link.is_(True), TARGETS.c.session_id.is_(None))
    rows = connection.execute(
        select(
            TARGETS.c.channel,
            TARGETS.c.via_link,
            TARGETS.c.status,
            OUTBOUND.c.status.label("outbox"),
            SESSIONS.c.state,
            opted,
            func.count().label("number"),
        )
        .select_from(TARGETS)
        .outerjoin(OUTBOUND, OUTBOUND.c.id == TARGETS.c.outbox_id)
        .outerjoin(SESSIONS, SESSIONS.c.id == TARGETS.c.session_id)
        .outerjoin(IDENTITIES, IDENTITIES.c.id == TARGETS.c.identity_id)
        .where(TARGETS.c.campaign_id == campaign.id, ~link_pending)
        .group_by(
            TARGETS.c.channel,
            TARGETS.c.via_link,
            TARGETS.c.status,
            OUTBOUND.c.status,
            SESSIONS.c.state,
            opted,
        )
    ).all()
    for row in rows:
        key = link_key(row.channel) if row.via_link else row.channel or "none"
        _add(by_channel[key], row.number, row.status, row.outbox, row.state, bool(row.opted))
    _add_link_targets(connection, campaign, by_channel)
    progress.by_channel = dict(sorted(by_channel.items()))
    return progress


def _add_link_targets(
    connection: Connection, campaign: CampaignRow, by_channel: dict[str, Counter[str]]
) -> None:
    """Web chat link targets not yet matched to a conversation: find it by tenant and time."""
    versions = version_ids(connection, campaign.questionnaire_id) or [-1]
    rows = connection.execute(
        select(
            TARGETS.c.id,
            TARGETS.c.channel,
            TARGETS.c.status,
            OUTBOUND.c.status.label("outbox"),
            IDENTITIES.c.opted_out_at,
            SESSIONS.c.state,
        )
        .select_from(TARGETS)
        .outerjoin(OUTBOUND, OUTBOUND.c.id == TARGETS.c.outbox_id)
        .outerjoin(IDENTITIES, IDENTITIES.c.id == TARGETS.c.identity_id)
        .outerjoin(
            SESSIONS,
            and_(
                SESSIONS.c.respondent_id == TARGETS.c.respondent_id,
                SESSIONS.c.questionnaire_version_id.in_(versions),
                SESSIONS.c.created_at >= TARGETS.c.invited_at,
            ),
        )
        .where(
            TARGETS.c.campaign_id == campaign.id,
            TARGETS.c.via_link.is_(True),
            TARGETS.c.session_id.is_(None),
        )
    ).all()
    best: dict[int, tuple[str, str | None, bool, str | None, str]] = {}
    for row in rows:
        current = best.get(row.id)
        if current is None or _rank(row.state) > _rank(current[3]):
            opted_out = row.opted_out_at is not None
            best[row.id] = (row.status, row.outbox, opted_out, row.state, link_key(row.channel))
    for status, outbox, opted_out, state, key in best.values():
        _add(by_channel[key], 1, status, outbox, state, opted_out)


def _rank(state: str | None) -> int:
    return -1 if state is None else _RANK.get(SessionState(state), 0)
