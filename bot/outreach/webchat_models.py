"""Web chat: personal invitation links, browser sessions and the reply rate limit.

Tokens are never stored: an invite keeps the SHA-256 of its link token and a browser session
is known by the SHA-256 of its cookie, so a copy of the database cannot be replayed as a link
or a cookie.
"""

from __future__ import annotations

import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class Invite(Base):
    """A personal web chat link for one tenant and one questionnaire (sent in an SMS)."""

    __tablename__ = "webchat_invites"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"), index=True)
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime.datetime]
    used_at: Mapped[datetime.datetime | None]  # first opened


class WebChatSession(Base):
    """One browser's chat, created on its first post; `address` is the engine's address."""

    __tablename__ = "webchat_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    address: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the cookie
    language: Mapped[str | None] = mapped_column(String(16))  # chosen before a conversation
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class WebChatRate(Base):
    """Counts in a key's current window, for every worker: web chat posts per minute per
    session or (hashed) IP address, and failed sign-ins per (hashed) address (`login:`)."""

    __tablename__ = "webchat_rates"
    __table_args__ = (Index("ix_webchat_rates_window", "window_start"),)

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[datetime.datetime]
    count: Mapped[int] = mapped_column(Integer, default=0)
