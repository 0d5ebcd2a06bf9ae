"""Concerns: answers an officer should look at (a very poor repair, damp, "I need help")."""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class ConcernStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class Concern(Base):
    __tablename__ = "concerns"
    __table_args__ = (Index("ix_concerns_status", "status", "raised_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200))  # what matched, never the whole answer
    raised_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=ConcernStatus.OPEN)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime.datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime.datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
