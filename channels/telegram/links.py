"""Issuing the deep-link tokens that tie a tenant's Telegram chat to their record.

A token is issued for one tenant (`respondents.tenant_ref`), is random (192 bits), is kept
only as a SHA-256 hash, works once and expires after `DOORSTEP_TELEGRAM_LINK_DAYS`. The
engine redeems it (`bot.engine.links.link_telegram_chat`) when the tenant presses Start.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from bot.engine.link_models import TelegramLinkToken
from bot.engine.links import hash_token
from bot.storage.db import Database
from bot.tenants.lookup import find_respondent_id

TOKEN_BYTES = 24  # 32 URL-safe characters; Telegram allows up to 64


class UnknownTenant(LookupError):
    """No tenant has this reference."""


@dataclass(frozen=True)
class IssuedLink:
    token: str
    expires_at: datetime.datetime

    def url(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username.removeprefix('@')}?start={self.token}"


def issue_link(
    database: Database, *, tenant_ref: str, now: datetime.datetime, days: int
) -> IssuedLink:
    """A new single-use token for this tenant; earlier unused ones stay valid until they expire
    (a letter with one may still be in the post)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + datetime.timedelta(days=days)
    with database.transaction() as session:
        respondent_id = find_respondent_id(session.connection(), tenant_ref)
        if respondent_id is None:
            raise UnknownTenant(tenant_ref)
        session.add(
            TelegramLinkToken(
                respondent_id=respondent_id,
                token_hash=hash_token(token),
                created_at=now,
                expires_at=expires_at,
            )
        )
    return IssuedLink(token, expires_at)


__all__ = ["IssuedLink", "UnknownTenant", "hash_token", "issue_link"]
