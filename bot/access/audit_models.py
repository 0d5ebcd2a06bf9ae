"""The audit log: who looked at or exported tenants' data, and who erased it.

Rows are only ever added. They name the principal (user or API key) by kind, id and name,
never by anything secret; `filters` is the request's filters as given, `row_count` how many
rows left the system (None when that is not a count of rows, e.g. a sign-in).
There is deliberately no `respondent_id` column: subject access and erasure work table by
table from `respondent_id`, and the record of who saw a tenant must survive their erasure.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_action", "action", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    principal_kind: Mapped[str] = mapped_column(String(16))  # "user" or "apikey"
    principal_id: Mapped[int] = mapped_column(BigInteger)
    principal_name: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))  # e.g. "export", "subject_access"
    target: Mapped[str] = mapped_column(String(200))  # e.g. "tenant:T-10042", "responses"
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    row_count: Mapped[int | None] = mapped_column(Integer)
