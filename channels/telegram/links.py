"""Linking a tenant's Telegram chat with a deep-link token, and the replies the engine
does not write itself (link confirmations, "I can only read text").

A token is issued for one tenant (`respondents.tenant_ref`), is random (192 bits), is kept
only as a SHA-256 hash, works once and expires after `DOORSTEP_TELEGRAM_LINK_DAYS`. Each
reply here is written like the engine's: the inbound update is recorded once (a retried
update gets the first reply back), the link and the reply are one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from bot.engine import store
from bot.engine.engine import Engine
from bot.engine.link_models import TelegramLinkToken
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.i18n import texts
from bot.i18n.languages import base_language, is_supported
from bot.i18n.translate import translator
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import OutboundStatus
from bot.storage.tables import LINK_TOKENS, RESPONDENTS
from bot.tenants.lookup import find_respondent_id

NAME = "telegram"
TOKEN_BYTES = 24  # 32 URL-safe characters; Telegram allows up to 64
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class UnknownTenant(LookupError):
    """No tenant has this reference."""


@dataclass(frozen=True)
class IssuedLink:
    token: str
    expires_at: datetime.datetime

    def url(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username.removeprefix('@')}?start={self.token}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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


@dataclass(frozen=True)
class _Contact:
    identity_id: int
    respondent_id: int
    session_id: int | None
    opted_out: bool
    language: str | None  # the open conversation's, else the tenant's


def _contact(connection: Connection, address: str, now: datetime.datetime) -> _Contact:
    row: Any = store.load_conversation(connection, NAME, address)
    if row is None:
        respondent_id, identity_id = store.create_contact(connection, NAME, address, None, now)
        return _Contact(identity_id, respondent_id, None, False, None)
    return _Contact(
        identity_id=int(row.identity_id),
        respondent_id=int(row.respondent_id),
        session_id=row.id,
        opted_out=row.opted_out_at is not None,
        language=row.language or row.respondent_language,
    )


def _language(contact: _Contact, inbound: InboundMessage, settings: Settings) -> str:
    hint = base_language(inbound.locale_hint or "")
    for candidate in (contact.language, hint if is_supported(hint) else None):
        if candidate:
            return candidate
    return settings.default_language


def _claim(connection: Connection, token: str, now: datetime.datetime) -> Any | None:
    """Use the token up (once, even with two deliveries racing); its row or None."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    row = connection.execute(
        select(LINK_TOKENS.c.id, LINK_TOKENS.c.respondent_id)
        .join(RESPONDENTS, RESPONDENTS.c.id == LINK_TOKENS.c.respondent_id)
        .where(
            LINK_TOKENS.c.token_hash == hash_token(token),
            LINK_TOKENS.c.used_at.is_(None),
            LINK_TOKENS.c.expires_at > now,
            RESPONDENTS.c.erased_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    claimed = connection.execute(
        update(LINK_TOKENS)
        .where(LINK_TOKENS.c.id == row.id, LINK_TOKENS.c.used_at.is_(None))
        .values(used_at=now)
    )
    return row if claimed.rowcount == 1 else None


def redeem(
    engine: Engine, settings: Settings, inbound: InboundMessage, token: str
) -> list[OutboundMessage]:
    """`/start <token>`: link the chat to the token's tenant, or say politely why not."""
    inbound = inbound.cleaned()
    now = engine.clock()
    with engine.database.engine.connect() as connection, connection.begin():
        inbound_id = store.record_inbound(connection, inbound, None)
        if inbound_id is None:
            return store.previous_replies(connection, inbound)
        claimed = _claim(connection, token, now)
        if claimed is None:
            key = texts.TELEGRAM_LINK_INVALID
        else:
            identity_id = store.link_address(
                connection, NAME, inbound.address, int(claimed.respondent_id), now
            )
            # Pressing Start on the landlord's link is asking to hear from them again.
            store.set_opted_out(connection, identity_id, None)
            connection.execute(
                update(LINK_TOKENS)
                .where(LINK_TOKENS.c.id == claimed.id)
                .values(identity_id=identity_id)
            )
            key = texts.TELEGRAM_LINKED
        contact = _contact(connection, inbound.address, now)
        store.link_inbound(connection, inbound_id, contact.respondent_id)
        if contact.opted_out:
            return []
        return _write(connection, inbound, inbound_id, contact, key, settings, now, session=False)


def text_only_reply(
    engine: Engine, settings: Settings, inbound: InboundMessage
) -> list[OutboundMessage]:
    """A photo, sticker or voice note: ask for text (once per update, however often sent)."""
    inbound = inbound.cleaned()
    now = engine.clock()
    with engine.database.engine.connect() as connection, connection.begin():
        inbound_id = store.record_inbound(connection, inbound, None)
        if inbound_id is None:
            return store.previous_replies(connection, inbound)
        contact = _contact(connection, inbound.address, now)
        store.link_inbound(connection, inbound_id, contact.respondent_id)
        if contact.opted_out:
            return []
        key = texts.TELEGRAM_TEXT_ONLY
        return _write(connection, inbound, inbound_id, contact, key, settings, now, session=True)


def _write(
    connection: Connection,
    inbound: InboundMessage,
    inbound_id: int,
    contact: _Contact,
    key: str,
    settings: Settings,
    now: datetime.datetime,
    *,
    session: bool,
) -> list[OutboundMessage]:
    tr = translator(_language(contact, inbound, settings))
    body = tr(key, landlord=settings.landlord_name)
    session_id = contact.session_id if session else None
    outbound_id = store.insert_outbound(
        connection,
        {
            "respondent_id": contact.respondent_id,
            "session_id": session_id,
            "in_reply_to": inbound_id,
            "channel": NAME,
            "address": inbound.address,
            "body": body,
            "buttons": [],
            "multiple": False,
            "language": tr.language,
            "status": OutboundStatus.PENDING.value,
            "attempts": 0,
            "due_at": now,
            "created_at": now,
        },
    )
    store.set_reply(connection, inbound_id, outbound_id)
    return [OutboundMessage(outbound_id, NAME, inbound.address, body, tr.language, (), False)]
