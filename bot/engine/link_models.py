"""Telegram link tokens: how a tenant's Telegram chat gets tied to their record.

A bot cannot message anyone first, so the landlord sends the tenant a deep link
(`https://t.me/<bot>?start=<token>`); when the tenant presses Start, Telegram sends
`/start <token>` and the chat becomes that tenant's. Only a hash of the token is kept, so a
copy of the database cannot be used to link someone else's chat.
"""

from __future__ import annotations

import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class TelegramLinkToken(Base):
    """One single-use, expiring link token issued for one tenant."""

    __tablename__ = "telegram_link_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime.datetime]
    used_at: Mapped[datetime.datetime | None]
    # The chat it linked, by identity row rather than chat id (no personal data here);
    # erasure and retention may delete the identity, which leaves the token's record.
    identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_identities.id", ondelete="SET NULL")
    )
