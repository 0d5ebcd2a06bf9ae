"""Personal web chat links: `create_invite` for a campaign's SMS, `open_invite` for the page.

A link is cheaper than a long SMS survey: one short message carries it, and the tenant
answers in the browser. The token is random (128 bits) and only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from bot.settings import Settings
from bot.storage.tables import INVITES

TOKEN_BYTES = 16  # 22 characters in the link: unguessable and short enough for one SMS
MAX_TOKEN_LENGTH = 64


class InviteStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FoundInvite:
    status: InviteStatus
    id: int | None = None
    respondent_id: int | None = None
    questionnaire_id: str | None = None
    used: bool = False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invite(
    connection: Connection,
    respondent_id: int,
    questionnaire_id: str,
    expires_at: datetime.datetime,
    *,
    now: datetime.datetime | None = None,
) -> str:
    """Store a new invite and return its token (shown once: only the hash is kept)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    connection.execute(
        insert(INVITES).values(
            token_hash=token_hash(token),
            respondent_id=respondent_id,
            questionnaire_id=questionnaire_id,
            created_at=now or datetime.datetime.now(datetime.UTC),
            expires_at=expires_at,
        )
    )
    return token


def invite_url(settings: Settings, token: str) -> str:
    """The link to put in the SMS, on the service's public address."""
    return f"{settings.public_base_url.rstrip('/')}/chat/{token}"


def unsubscribe_url(settings: Settings, token: str) -> str:
    """The one-click unsubscribe page of an email address (`List-Unsubscribe`)."""
    return f"{settings.public_base_url.rstrip('/')}/email/unsubscribe/{token}"


def find_invite(connection: Connection, token: str, now: datetime.datetime) -> FoundInvite:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return FoundInvite(InviteStatus.UNKNOWN)
    row = connection.execute(
        select(INVITES).where(INVITES.c.token_hash == token_hash(token))
    ).first()
    if row is None:
        return FoundInvite(InviteStatus.UNKNOWN)
    status = InviteStatus.EXPIRED if row.expires_at <= now else InviteStatus.VALID
    return FoundInvite(
        status, row.id, row.respondent_id, row.questionnaire_id, row.used_at is not None
    )


def mark_used(connection: Connection, invite_id: int, now: datetime.datetime) -> None:
    """Record the first opening; later openings keep the first time."""
    connection.execute(
        update(INVITES)
        .where(INVITES.c.id == invite_id, INVITES.c.used_at.is_(None))
        .values(used_at=now)
    )
