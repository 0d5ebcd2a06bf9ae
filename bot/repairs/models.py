"""Completed repair jobs and the one follow-up survey each may get.

The job row is the work item: its due times drive the scheduler tick, and its session link
joins the answers to the job, trade and contractor for analysis.
"""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class RepairState(enum.StrEnum):
    SCHEDULED = "scheduled"  # waiting for survey_due_at
    INVITED = "invited"  # the invitation is in the outbox
    REMINDING = "reminding"  # a reminder is being written (see bot.repairs.followup)
    REMINDED = "reminded"
    FINISHED = "finished"  # the conversation ended; `outcome` says how
    EXPIRED = "expired"  # nobody finished before the job's expiry
    SKIPPED = "skipped"  # never surveyed; `skip_reason` says why


class RepairJob(Base):
    __tablename__ = "repair_jobs"
    __table_args__ = (
        Index("ix_repair_jobs_due", "state", "survey_due_at"),
        Index("ix_repair_jobs_session", "session_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64), unique=True)  # the repairs system's id
    tenant_ref: Mapped[str] = mapped_column(String(64))
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id"))
    completed_at: Mapped[datetime.datetime]
    trade: Mapped[str | None] = mapped_column(String(64))
    contractor: Mapped[str | None] = mapped_column(String(128))
    priority: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(128))  # "api:<key name>" or "import:<file>"
    received_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=RepairState.SCHEDULED)
    skip_reason: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(20))  # the session's final state
    survey_due_at: Mapped[datetime.datetime | None]
    channel: Mapped[str | None] = mapped_column(String(16))
    # The address invited, by identity row (the reminder goes there; no personal data here).
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("channel_identities.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    invited_at: Mapped[datetime.datetime | None]
    reminder_due_at: Mapped[datetime.datetime | None]
    reminder_claimed_at: Mapped[datetime.datetime | None]
    reminded_at: Mapped[datetime.datetime | None]
    expires_at: Mapped[datetime.datetime | None]
    updated_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
