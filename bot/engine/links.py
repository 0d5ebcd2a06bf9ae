"""Linking a Telegram chat to a tenant, and the engine's replies outside a conversation.

A bot cannot message anyone first, so the landlord gives the tenant a deep link holding a
single-use token (see `channels/telegram/links.py`, which issues them); when the tenant
presses Start, Telegram sends `/start <token>` and `link_telegram_chat` makes the chat that
tenant's. `reply_text_only` answers a photo, sticker or voice note with a request for text.

Each is one transaction written like `Engine.handle`: the inbound update is recorded once (a
retried update gets the first reply back), then the link and the reply.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from bot.engine import conversation_load, store
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.i18n import texts
from bot.i18n.languages import base_language, is_supported
from bot.i18n.translate import translator
from bot.settings import Settings
from bot.storage.models import OutboundStatus
from bot.storage.tables import LINK_TOKENS, RESPONDENTS

if TYPE_CHECKING:
    from bot.engine.engine import Engine

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def hash_token(token: str) -> str:
    """What is stored of a link token: its SHA-256, so a database copy links nobody."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_telegram_chat(
    engine: Engine, inbound: InboundMessage, token: str
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
                connection, inbound.channel, inbound.address, int(claimed.respondent_id), now
            )
            # Pressing Start on the landlord's link is asking to hear from them again.
            store.set_opted_out(connection, identity_id, None)
            connection.execute(
                update(LINK_TOKENS)
                .where(LINK_TOKENS.c.id == claimed.id)
                .values(identity_id=identity_id)
            )
            key = texts.TELEGRAM_LINKED
        contact = _contact(connection, inbound, now)
        store.link_inbound(connection, inbound_id, contact.respondent_id)
        if contact.opted_out:
            return []
        reply = _Reply(inbound, inbound_id, contact, key, session=False)
        return _write(connection, reply, engine.settings, now)


def reply_text_only(engine: Engine, inbound: InboundMessage) -> list[OutboundMessage]:
    """A message without text: ask for text (once per update, however often it is sent)."""
    inbound = inbound.cleaned()
    now = engine.clock()
    with engine.database.engine.connect() as connection, connection.begin():
        inbound_id = store.record_inbound(connection, inbound, None)
        if inbound_id is None:
            return store.previous_replies(connection, inbound)
        contact = _contact(connection, inbound, now)
        store.link_inbound(connection, inbound_id, contact.respondent_id)
        if contact.opted_out:
            return []
        reply = _Reply(inbound, inbound_id, contact, texts.TELEGRAM_TEXT_ONLY, session=True)
        return _write(connection, reply, engine.settings, now)


@dataclass(frozen=True)
class _Contact:
    identity_id: int
    respondent_id: int
    session_id: int | None
    opted_out: bool
    language: str | None  # the open conversation's, else the tenant's


@dataclass(frozen=True)
class _Reply:
    inbound: InboundMessage
    inbound_id: int
    contact: _Contact
    key: str  # the text to say
    session: bool  # whether it belongs to the open conversation


def _contact(connection: Connection, inbound: InboundMessage, now: datetime.datetime) -> _Contact:
    channel, address = inbound.channel, inbound.address
    row: Any = conversation_load.load_conversation(connection, channel, address)
    if row is None:
        respondent_id, identity_id = store.create_contact(connection, channel, address, None, now)
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


def _write(
    connection: Connection, reply: _Reply, settings: Settings, now: datetime.datetime
) -> list[OutboundMessage]:
    inbound, contact = reply.inbound, reply.contact
    tr = translator(_language(contact, inbound, settings)).for_channel(inbound.channel)
    body = tr(reply.key, landlord=settings.landlord_name)
    outbound_id = store.insert_outbound(
        connection,
        {
            "respondent_id": contact.respondent_id,
            "session_id": contact.session_id if reply.session else None,
            "in_reply_to": reply.inbound_id,
            "channel": inbound.channel,
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
    store.set_reply(connection, reply.inbound_id, outbound_id)
    return [
        OutboundMessage(outbound_id, inbound.channel, inbound.address, body, tr.language, (), False)
    ]
