"""Concerns: answers an officer should look at (a very poor repair, damp, "I need help").

A concern is run as a case: a category and a severity (set by the rule that raised it, and
changeable by an officer), a clock that starts when the answer arrived, and the steps
Awaab's Law expects, each with who recorded it and when. The property link (area, estate,
postcode) is copied onto the case so that it outlives the tenant's personal data.
"""

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


class Category(enum.StrEnum):
    DAMP_MOULD = "damp_mould"
    SAFETY = "safety"  # gas, electrical or fire safety
    EMERGENCY = "emergency"  # any other emergency hazard
    WELFARE = "welfare"  # vulnerability or welfare
    COMPLAINT = "complaint"


class Severity(enum.StrEnum):
    EMERGENCY = "emergency"
    SIGNIFICANT = "significant"
    OTHER = "other"


class Step(enum.StrEnum):
    """What an officer records on a case, in the order the law expects them."""

    INVESTIGATED = "investigated"
    SUMMARY_SENT = "summary_sent"
    SAFETY_WORK = "safety_work"
    PREVENTIVE_WORK = "preventive_work"


class Concern(Base):
    __tablename__ = "concerns"
    __table_args__ = (Index("ix_concerns_status", "status", "raised_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200))  # what matched, never the whole answer
    raised_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)  # the clock starts
    status: Mapped[str] = mapped_column(String(16), default=ConcernStatus.OPEN)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime.datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime.datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16), default=Category.COMPLAINT)
    severity: Mapped[str] = mapped_column(String(16), default=Severity.OTHER)
    nation: Mapped[str] = mapped_column(String(16), default="england")  # for bank holidays
    property_ref: Mapped[str | None] = mapped_column(String(300))  # estate, area, postcode
    investigated_by: Mapped[str | None] = mapped_column(String(100))
    investigated_at: Mapped[datetime.datetime | None]
    summary_sent_by: Mapped[str | None] = mapped_column(String(100))
    summary_sent_at: Mapped[datetime.datetime | None]
    safety_work_by: Mapped[str | None] = mapped_column(String(100))
    safety_work_at: Mapped[datetime.datetime | None]
    preventive_work_by: Mapped[str | None] = mapped_column(String(100))
    preventive_work_at: Mapped[datetime.datetime | None]
