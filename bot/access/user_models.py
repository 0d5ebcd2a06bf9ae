"""Console users (admins, officers, analysts) and their signed-in browser sessions.

Only an argon2 hash of each password is kept, and only a SHA-256 of each session token
(the token is 256 random bits, so a fast hash gives nothing away).
"""

from __future__ import annotations

import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin, officer, analyst
    # Officers only when granted; admins always (whatever this says); analysts never.
    can_export_identifiable: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime.datetime | None]
    disabled_at: Mapped[datetime.datetime | None]
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime.datetime | None]


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the cookie
    csrf_secret: Mapped[str] = mapped_column(String(64))  # sent back in X-CSRF-Token / forms
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime.datetime]


class SetupToken(Base):
    """A one-time link that lets the first administrator be created in the browser.

    Only a SHA-256 of the token is kept; the token itself appears once, in `doorstep serve`'s
    own output. Every token goes when the first user is created.
    """

    __tablename__ = "setup_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime.datetime]
