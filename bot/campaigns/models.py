"""Campaigns and their targets: the work of a campaign lives here, each row with a due time.

One `campaign_targets` row per campaign and tenant (unique). Marking a target invited and
writing its invitation to the outbox happen in one transaction, so a crash or a restart can
neither lose an invitation nor send one twice.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class CampaignState(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TargetStatus(enum.StrEnum):
    PENDING = "pending"  # to be invited when next_action_at comes (and quiet hours allow)
    HELD = "held"  # invitation written but withdrawn by a pause; re-queued on resume
    INVITED = "invited"  # invitation written; reminders and expiry still to come
    CLOSED = "closed"  # nothing more to do: finished, declined, opted out or expired
    SKIPPED = "skipped"  # never invited; skip_reason says why


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default=CampaignState.DRAFT)
    # Filters on profile attributes, area, tenure, segment, "not surveyed in N days".
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # None: everyone in the audience; else {"method", "size" or "margin", "by", ...}.
    sample: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # {"order": [...fallback channels], "use_preferences": bool}
    channel_policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    starts_at: Mapped[datetime.datetime]
    ends_at: Mapped[datetime.datetime]
    allowed_days: Mapped[list[int]] = mapped_column(JSON)  # 0 = Monday
    allowed_from: Mapped[str] = mapped_column(String(5))  # local "HH:MM"
    allowed_until: Mapped[str] = mapped_column(String(5))  # local "HH:MM", exclusive
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    # Invitations per minute per channel; 0 = no campaign limit (the provider's still holds).
    send_rates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    reminder_interval_hours: Mapped[int] = mapped_column(Integer, default=72)
    session_expiry_days: Mapped[int] = mapped_column(Integer, default=14)
    seed: Mapped[int] = mapped_column(Integer, default=0)  # random sampling is repeatable
    # The next free invitation time per channel ({"sms": iso time}): the campaign's rate.
    pacing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    population: Mapped[int | None] = mapped_column(Integer)  # audience size at the start
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime.datetime | None]
    finished_at: Mapped[datetime.datetime | None]


class CampaignTarget(Base):
    """One tenant in one campaign: what was done, what is next and when."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        UniqueConstraint("campaign_id", "respondent_id"),
        Index("ix_campaign_targets_due", "campaign_id", "status", "next_action_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    stratum: Mapped[str | None] = mapped_column(String(100))  # for a stratified sample
    status: Mapped[str] = mapped_column(String(12), default=TargetStatus.PENDING)
    channel: Mapped[str | None] = mapped_column(String(16))
    # The channel identity used. No foreign key and no address copy here: retention may
    # delete an old identity, and the address is personal data kept in one place only.
    identity_id: Mapped[int | None] = mapped_column(BigId)
    via_link: Mapped[bool] = mapped_column(Boolean, default=False)  # SMS with a web chat link
    next_action_at: Mapped[datetime.datetime | None]
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    outbox_id: Mapped[int | None] = mapped_column(BigId)  # the invitation's outbox row
    skip_reason: Mapped[str | None] = mapped_column(String(300))
    invited_at: Mapped[datetime.datetime | None]
    closed_at: Mapped[datetime.datetime | None]
