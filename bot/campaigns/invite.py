"""Inviting a running campaign's due targets: channel, fatigue guard, quiet hours, pace.

Each batch is one transaction that locks the campaign row (PostgreSQL; SQLite has one
writer anyway): a target is marked invited in the same transaction that writes its
invitation to the outbox and counts it for the fatigue guard. A crash loses the whole batch
or none of it, so every tenant gets exactly one invitation.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from bot.campaigns.links import write_link_message
from bot.campaigns.models import CampaignState, TargetStatus
from bot.campaigns.pacing import Pacer
from bot.campaigns.store import CampaignRow, let_others_write, load_campaign
from bot.engine.engine import SessionAlreadyOpen
from bot.outreach.best_time import best_moment, tenant_windows
from bot.outreach.channel_choice import ChannelChoice, choose_channel
from bot.outreach.contact_policy import blocked_reason, may_contact, record_invitation
from bot.outreach.quiet_hours import BadQuietHours, zone
from bot.questionnaire.model import Questionnaire
from bot.service import Service
from bot.storage.models import OPEN_STATES, OutboundStatus, SessionState
from bot.storage.tables import CAMPAIGNS, IDENTITIES, OUTBOUND, RESPONDENTS, SESSIONS, TARGETS
from bot.ticks import TickReport

logger = logging.getLogger(__name__)
BATCH = 200
BUSY_RETRY = datetime.timedelta(hours=1)  # the tenant is answering another survey
ENDED = "The campaign ended before this tenant could be invited."


def _param(name: str, column: Any) -> Any:
    return bindparam(name, type_=column.type)


# Built once: inviting 100,000 tenants spends more time building statements than running them.
_SET_DUE = (
    update(OUTBOUND)
    .where(OUTBOUND.c.id == bindparam("row_id"))
    .values(due_at=_param("p_due", OUTBOUND.c.due_at))
)
_SET_EXPIRY = (
    update(SESSIONS)
    .where(SESSIONS.c.id == bindparam("row_id"))
    .values(expires_at=_param("p_expires", SESSIONS.c.expires_at))
)
_IDENTITY = select(IDENTITIES.c.id).where(
    IDENTITIES.c.channel == bindparam("p_channel"), IDENTITIES.c.address == bindparam("p_address")
)
_MARK_INVITED = (
    update(TARGETS)
    .where(TARGETS.c.id == bindparam("row_id"))
    .values(
        status=TargetStatus.INVITED.value,
        skip_reason=None,
        invited_at=_param("p_invited", TARGETS.c.invited_at),
        outbox_id=_param("p_outbox", TARGETS.c.outbox_id),
        session_id=_param("p_session", TARGETS.c.session_id),
        next_action_at=_param("p_next", TARGETS.c.next_action_at),
        channel=_param("p_channel", TARGETS.c.channel),
        identity_id=_param("p_identity", TARGETS.c.identity_id),
        via_link=_param("p_via_link", TARGETS.c.via_link),
    )
)


def invite_due(
    service: Service,
    campaign_id: int,
    now: datetime.datetime,
    *,
    available: Collection[str] | None,
    horizon: datetime.timedelta,
) -> TickReport:
    """Invite every target due within `horizon` that quiet hours and the pace allow."""
    total = TickReport()
    while True:
        with service.database.engine.connect() as connection, connection.begin():
            campaign = load_campaign(connection, campaign_id, lock=True)
            if campaign.state is not CampaignState.RUNNING:
                return total
            batch = _Batch(service, connection, campaign, now, available, horizon)
            rows = batch.due_rows()
            for row in rows:
                batch.handle(row)
            batch.save_pacing()
        total.add(batch.stats)
        if len(rows) < BATCH:
            return total
        let_others_write(service.database.url)


class _Batch:
    def __init__(
        self,
        service: Service,
        connection: Connection,
        campaign: CampaignRow,
        now: datetime.datetime,
        available: Collection[str] | None,
        horizon: datetime.timedelta,
    ) -> None:
        self.service = service
        self.connection = connection
        self.campaign = campaign
        self.now = now
        self.available = available
        self.questionnaire: Questionnaire = service.registry.latest(campaign.questionnaire_id)
        self.pacer = Pacer(campaign.pacing, campaign.send_rates, service.settings, now + horizon)
        self.stats = TickReport()

    def due_rows(self) -> list[Any]:
        full = self.pacer.full()
        query = (
            select(TARGETS, RESPONDENTS.c.timezone)
            .join(RESPONDENTS, RESPONDENTS.c.id == TARGETS.c.respondent_id)
            .where(
                TARGETS.c.campaign_id == self.campaign.id,
                TARGETS.c.status.in_([TargetStatus.PENDING.value, TargetStatus.HELD.value]),
                TARGETS.c.next_action_at <= self.pacer.horizon_end,
            )
            .order_by(TARGETS.c.next_action_at, TARGETS.c.id)
            .limit(BATCH)
        )
        if full:
            query = query.where(or_(TARGETS.c.channel.is_(None), TARGETS.c.channel.not_in(full)))
        return list(self.connection.execute(query).all())

    def save_pacing(self) -> None:
        self.connection.execute(
            update(CAMPAIGNS)
            .where(CAMPAIGNS.c.id == self.campaign.id)
            .values(pacing=self.pacer.booked())
        )

    # One target ------------------------------------------------------------------------
    def handle(self, row: Any) -> None:
        timezone = self._timezone(row.timezone)
        earliest = max(self.now, row.next_action_at)
        if row.status == TargetStatus.HELD.value:
            self._requeue(row, timezone, earliest)
            return
        choice = choose_channel(
            self.connection,
            row.respondent_id,
            self.questionnaire.channels,
            policy=self.campaign.channel_policy.get("order"),
            use_preferences=bool(self.campaign.channel_policy.get("use_preferences", True)),
            available=self.available,
            settings=self.service.settings,
        )
        if not isinstance(choice, ChannelChoice):
            self._skip(row, choice.reason)
            return
        slot = self.pacer.slot(choice.channel, earliest)
        if slot is None:  # this channel's pace is used up for this tick
            self._update(row, channel=choice.channel)
            return
        if not self._allowed_at(row, slot, timezone):
            return
        if self._for_best_time(row, slot, timezone):
            return
        decision = may_contact(
            self.connection,
            row.respondent_id,
            choice.channel,
            choice.address,
            self.now,
            settings=self.service.settings,
        )
        if not decision:
            self._skip(row, decision.reason or "The contact policy refused the invitation.")
            return
        # No savepoint needed: the engine raises SessionAlreadyOpen before writing anything
        # (linking an address the tenant already has writes nothing).
        try:
            written = self._write(row, choice, slot)
        except SessionAlreadyOpen:
            self.stats.deferred += 1
            self._update(
                row,
                next_action_at=self.now + BUSY_RETRY,
                skip_reason="Waiting: the tenant is answering another survey.",
            )
            return
        if written is None:
            self._skip(row, f"The tenant opted out of {choice.channel} messages.")
            return
        outbox_id, session_id = written
        record_invitation(
            self.connection, row.respondent_id, choice.channel, "campaign", row.id, self.now
        )
        self.pacer.take(choice.channel, slot)
        self._invited(row, slot, outbox_id, session_id, choice)

    def _timezone(self, stored: str | None) -> str:
        if stored:
            try:
                zone(stored)
                return stored
            except BadQuietHours:
                logger.warning("a tenant has an unknown timezone; using the campaign's")
        return self.campaign.timezone

    def _for_best_time(self, row: Any, slot: datetime.datetime, timezone: str) -> bool:
        """Wait for the tenant's stated or recommended window, leaving time for reminders."""
        campaign = self.campaign
        spare = max(datetime.timedelta(days=1), campaign.reminder_interval * campaign.reminders)
        windows = tenant_windows(self.connection, row.respondent_id)
        moment = best_moment(windows, slot, timezone, campaign.hours, campaign.ends_at - spare)
        if moment <= slot:
            return False
        self.stats.deferred += 1
        self._update(row, next_action_at=moment)
        return True

    def _allowed_at(self, row: Any, slot: datetime.datetime, timezone: str) -> bool:
        """Whether the invitation may go at `slot`; if not, the target waits or is skipped."""
        if slot >= self.campaign.ends_at:
            self._skip(row, ENDED)
            return False
        if self.campaign.hours.allows(slot, timezone):
            return True
        opening = self.campaign.hours.next_allowed(slot, timezone)
        if opening >= self.campaign.ends_at:
            self._skip(row, ENDED)
        else:
            self.stats.deferred += 1
            self._update(row, next_action_at=opening)
        return False

    def _write(
        self, row: Any, choice: ChannelChoice, slot: datetime.datetime
    ) -> tuple[int, int | None] | None:
        expires = slot + self.campaign.session_expiry
        if choice.via_link:
            outbox_id = write_link_message(
                self.connection,
                self.service.settings,
                self.questionnaire,
                respondent_id=row.respondent_id,
                address=choice.address,
                due=slot,
                expires=expires,
                now=self.now,
                channel=choice.channel,
            )
            return outbox_id, None
        replies = self.service.engine.start(
            channel=choice.channel,
            address=choice.address,
            questionnaire_id=self.questionnaire.id,
            respondent_id=row.respondent_id,
            connection=self.connection,
        )
        if not replies:
            return None
        message = replies[0]
        if slot > self.now:  # paced: the engine wrote it due at once
            self.connection.execute(_SET_DUE, {"row_id": message.id, "p_due": slot})
        if message.session_id is not None:
            self.connection.execute(
                _SET_EXPIRY, {"row_id": message.session_id, "p_expires": expires}
            )
        return message.id, message.session_id

    def _requeue(self, row: Any, timezone: str, earliest: datetime.datetime) -> None:
        """A held invitation (the campaign was paused) goes into the outbox again."""
        channel = str(row.channel)
        old = self.connection.execute(
            select(OUTBOUND).where(OUTBOUND.c.id == row.outbox_id)
        ).first()
        state = None
        if row.session_id is not None:
            state = self.connection.execute(
                select(SESSIONS.c.state).where(SESSIONS.c.id == row.session_id)
            ).scalar_one_or_none()
        if old is None or (row.session_id is not None and state not in OPEN_STATES):
            self._skip(row, "The invitation was held back and the conversation has since closed.")
            return
        blocked = blocked_reason(self.connection, row.respondent_id, channel, old.address)
        if blocked is not None:
            self._skip(row, blocked)
            return
        slot = self.pacer.slot(channel, earliest)
        if slot is None or not self._allowed_at(row, slot, timezone):
            return
        copied = {
            name: getattr(old, name)
            for name in ("respondent_id", "session_id", "channel", "address", "body", "buttons")
        }
        outbox_id = self.connection.execute(
            insert(OUTBOUND)
            .values(
                **copied,
                multiple=old.multiple,
                language=old.language,
                status=OutboundStatus.PENDING.value,
                attempts=0,
                due_at=slot,
                created_at=self.now,
            )
            .returning(OUTBOUND.c.id)
        ).scalar_one()
        if row.session_id is not None:
            self.connection.execute(
                _SET_EXPIRY,
                {"row_id": row.session_id, "p_expires": slot + self.campaign.session_expiry},
            )
        self.pacer.take(channel, slot)
        self._invited(row, slot, int(outbox_id), row.session_id, None)

    # Writing the target ----------------------------------------------------------------
    def _invited(
        self,
        row: Any,
        slot: datetime.datetime,
        outbox_id: int,
        session_id: int | None,
        choice: ChannelChoice | None,
    ) -> None:
        expiry = slot + self.campaign.session_expiry
        following = slot + self.campaign.reminder_interval if self.campaign.reminders else expiry
        values = {
            "row_id": row.id,
            "p_invited": slot,
            "p_outbox": outbox_id,
            "p_session": session_id,
            "p_next": min(following, expiry),
            "p_channel": row.channel,
            "p_identity": row.identity_id,
            "p_via_link": row.via_link,
        }
        if choice is not None:
            identity = self.connection.execute(
                _IDENTITY, {"p_channel": choice.channel, "p_address": choice.address}
            ).scalar_one_or_none()
            values.update(p_channel=choice.channel, p_identity=identity, p_via_link=choice.via_link)
        self.connection.execute(_MARK_INVITED, values)
        self.stats.invited += 1

    def _skip(self, row: Any, reason: str) -> None:
        self.stats.skipped += 1
        if row.status == TargetStatus.HELD.value and row.session_id is not None:
            # Its invitation never left: close the conversation it opened.
            self.connection.execute(
                update(SESSIONS)
                .where(
                    SESSIONS.c.id == row.session_id,
                    SESSIONS.c.state == SessionState.INVITED.value,
                )
                .values(state=SessionState.EXPIRED.value, updated_at=self.now)
            )
        self._update(
            row,
            status=TargetStatus.SKIPPED.value,
            skip_reason=reason[:300],
            next_action_at=None,
            closed_at=self.now,
        )

    def _update(self, row: Any, **values: Any) -> None:
        self.connection.execute(update(TARGETS).where(TARGETS.c.id == row.id).values(**values))
