"""Who may be contacted: the do-not-contact list and every invitation sent.

Campaigns and post-repair follow-ups both write to `invitations`, so the contact-fatigue
guard (`bot.outreach.contact_policy`) counts them together.
"""

from __future__ import annotations

import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class DoNotContact(Base):
    """A tenant (respondent) or one channel address that must never be invited.

    Either `respondent_id` or (`channel`, `address`) is set. Unlike an opt-out this is
    recorded by an officer (a complaint, a bereavement, a legal hold), not by the tenant.
    """

    __tablename__ = "do_not_contact"
    __table_args__ = (
        # NULLs are distinct in both databases, so each key is unique only where it is set.
        UniqueConstraint("respondent_id"),
        UniqueConstraint("channel", "address"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id"))
    channel: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(128))  # personal
    reason: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[str] = mapped_column(String(100), default="cli")
    added_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    """One survey invitation written to the outbox (not reminders, not replies)."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_respondent", "respondent_id", "sent_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # "campaign" or "repair"
    reference_id: Mapped[str] = mapped_column(String(64))  # campaign target or repair job id
    sent_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
