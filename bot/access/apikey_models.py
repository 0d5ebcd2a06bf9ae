"""API keys for systems that call Doorstep (the landlord's repairs system).

Only a SHA-256 of the secret is kept; the short prefix is not secret and finds the row.
"""

from __future__ import annotations

import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the whole key, hex
    # What the key may do (bot.access.users.Role); the default only posts repair events.
    role: Mapped[str] = mapped_column(String(16), default="repairs", server_default="repairs")
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime.datetime | None]
    last_used_at: Mapped[datetime.datetime | None]
