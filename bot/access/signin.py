"""Signing in to the console: password checks with lockout, and browser sessions.

A session is a random cookie token; only its SHA-256 is stored, with an expiry and a CSRF
secret that state-changing requests must send back. Everything is in the database, so any
worker can check any session and signing out ends it everywhere.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from bot.access.users import (
    UserInfo,
    needs_rehash,
    normalise_email,
    rehash,
    user_info,
    verify_password,
)
from bot.storage.tables import CONSOLE_SESSIONS, USERS

MAX_TOKEN_LENGTH = 100


class SignInError(Exception):
    """A refused sign-in, with a sentence the person can act on and the HTTP status."""

    def __init__(self, message: str, *, status: int = 401, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds, for a 429


def refused_message(lockout: datetime.timedelta) -> str:
    """One answer for a wrong password, an unknown email and a locked account alike, so the
    answer never tells whether an account exists or is locked."""
    minutes = max(1, int(lockout.total_seconds() + 59) // 60)
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "That email address and password do not match, or the account is locked for a while "
        f"after too many wrong passwords. Try again in {minutes} {unit}, "
        "or ask an administrator to reset the password."
    )


DISABLED = "This account has been disabled. Ask an administrator if you still need it."


def authenticate(
    connection: Connection,
    *,
    email: str,
    password: str,
    now: datetime.datetime,
    max_failures: int,
    lockout: datetime.timedelta,
) -> UserInfo:
    """The user if the password is right and the account usable; SignInError otherwise.

    Every refusal costs one password hash (a dummy one for an unknown or locked account) and
    says the same sentence. The caller must commit even when this raises: the failure count
    is part of the answer.
    """
    refused = SignInError(refused_message(lockout))
    try:
        email = normalise_email(email)
    except ValueError:
        verify_password(None, password)  # same work as for a real account
        raise refused from None
    row = connection.execute(select(USERS).where(USERS.c.email == email)).first()
    if row is None or (row.locked_until is not None and row.locked_until > now):
        verify_password(None, password)
        raise refused
    if not verify_password(row.password_hash, password):
        failures = int(row.failed_logins or 0) + 1
        values: dict[str, object] = {"failed_logins": failures}
        if failures >= max_failures:
            values = {"failed_logins": 0, "locked_until": now + lockout}
        connection.execute(update(USERS).where(USERS.c.id == row.id).values(**values))
        raise refused
    if row.disabled_at is not None:
        raise SignInError(DISABLED)
    values = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if needs_rehash(row.password_hash):
        values["password_hash"] = rehash(password)
    connection.execute(update(USERS).where(USERS.c.id == row.id).values(**values))
    return user_info(row)


@dataclass(frozen=True)
class NewSession:
    token: str  # the cookie value: shown once, only its hash is stored
    csrf_token: str
    expires_at: datetime.datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(
    connection: Connection, *, user_id: int, now: datetime.datetime, lifetime: datetime.timedelta
) -> NewSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + lifetime
    connection.execute(
        insert(CONSOLE_SESSIONS).values(
            user_id=user_id,
            token_hash=_hash(token),
            csrf_secret=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    # Expired sessions are of no use to anyone; clear them while we are here.
    connection.execute(delete(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.c.expires_at <= now))
    return NewSession(token, csrf, expires)


@dataclass(frozen=True)
class SignedIn:
    user: UserInfo
    csrf_token: str


def session_user(connection: Connection, token: str, now: datetime.datetime) -> SignedIn | None:
    """The enabled user behind a live session cookie, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = connection.execute(
        select(CONSOLE_SESSIONS.c.token_hash, CONSOLE_SESSIONS.c.csrf_secret, USERS)
        .join(USERS, USERS.c.id == CONSOLE_SESSIONS.c.user_id)
        .where(
            CONSOLE_SESSIONS.c.token_hash == _hash(token),
            CONSOLE_SESSIONS.c.expires_at > now,
            USERS.c.disabled_at.is_(None),
        )
    ).first()
    # The lookup is by hash of a random token; the comparison is belt and braces.
    if found is None or not hmac.compare_digest(found.token_hash, _hash(token)):
        return None
    return SignedIn(user_info(found), found.csrf_secret)


def end_session(connection: Connection, token: str) -> None:
    if token and len(token) <= MAX_TOKEN_LENGTH:
        connection.execute(
            delete(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.c.token_hash == _hash(token))
        )


def end_all_sessions(connection: Connection, user_id: int) -> int:
    return (
        connection.execute(
            delete(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.c.user_id == user_id)
        ).rowcount
        or 0
    )
