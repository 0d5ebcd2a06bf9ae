"""Web chat: the page shows the outbox itself, so this channel never sends anything.

A browser is known by a random session token in a cookie; the engine's address for it is
the token's SHA-256, so the database never holds a usable cookie. The page reads the
outbox rows for that address (with the tenant's message each one answers) and marks them
`displayed`. The HTTP side (pages, CSRF, rate limit) lives in `api/webchat/`.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Connection, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.engine.contacts import extend_conversation, find_contact, switch_language
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.engine.render import Button
from bot.settings import Settings
from bot.storage.models import (
    OPEN_STATES,
    OutboundStatus,
)
from bot.storage.tables import IDENTITIES, INBOUND, OUTBOUND, SESSIONS, WEBCHAT_SESSIONS
from channels.base import Channel, RateLimit, SendResult

CHANNEL = "webchat"
TOKEN_BYTES = 32
TRANSCRIPT_LIMIT = 200  # the page shows the latest messages of a long conversation


class WebChatChannel(Channel):
    name: ClassVar[str] = CHANNEL
    shows_itself: ClassVar[bool] = True

    def __init__(self) -> None:
        self.rate_limit = RateLimit(per_second=0)

    async def send(self, message: OutboundMessage) -> SendResult:
        # Never called by the dispatcher (`shows_itself`); the page displays the row.
        return SendResult(provider_id=f"webchat:{message.id}")

    @classmethod
    def from_settings(cls, settings: Settings) -> WebChatChannel:
        del settings  # the web chat needs no provider account: it is always on
        return cls()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def address_for(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def inbound(
    address: str, text: str, after: int, now: datetime.datetime, locale_hint: str | None
) -> InboundMessage:
    """A reply typed or tapped in the page.

    The provider id is the message it answers plus a digest of the text, so a form posted
    twice (double click, reload, back and resend) is recorded once.
    """
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return InboundMessage(
        channel=CHANNEL,
        address=address,
        provider_id=f"{address[:24]}:{after}:{digest}",
        text=text,
        received_at=now,
        locale_hint=locale_hint,
    )


@dataclass(frozen=True)
class ChatLine:
    """One message from the landlord, after what the tenant said to get it (if anything)."""

    id: int
    body: str
    language: str
    buttons: tuple[Button, ...]
    multiple: bool
    said: str | None


@dataclass(frozen=True)
class ChatStatus:
    """Where this browser's conversation is: open (answer controls) or not (chooser)."""

    open: bool
    opted_out: bool
    language: str | None  # the open conversation's language
    version_id: int | None
    respondent_id: int | None
    expires_at: datetime.datetime | None = None  # when the open conversation closes


def status(connection: Connection, address: str) -> ChatStatus:
    contact = find_contact(connection, CHANNEL, address)
    if contact is None:
        return ChatStatus(False, False, None, None, None)
    is_open = contact.session_id is not None and not contact.opted_out
    return ChatStatus(
        open=is_open,
        opted_out=contact.opted_out,
        language=contact.session_language if is_open else None,
        version_id=contact.questionnaire_version_id if is_open else None,
        respondent_id=contact.respondent_id,
        expires_at=contact.expires_at if is_open else None,
    )


def transcript(
    connection: Connection,
    address: str,
    *,
    after: int = 0,
    now: datetime.datetime,
) -> list[ChatLine]:
    """The messages for this address after `after` (all of them for 0), marked displayed."""
    query = (
        select(
            OUTBOUND.c.id,
            OUTBOUND.c.body,
            OUTBOUND.c.language,
            OUTBOUND.c.buttons,
            OUTBOUND.c.multiple,
            INBOUND.c.text.label("said"),
        )
        .select_from(OUTBOUND)
        .outerjoin(INBOUND, INBOUND.c.id == OUTBOUND.c.in_reply_to)
        .where(OUTBOUND.c.channel == CHANNEL, OUTBOUND.c.address == address)
        .order_by(OUTBOUND.c.id.desc())
        .limit(TRANSCRIPT_LIMIT + 1)
    )
    if after:
        # The message `after` itself comes too: its buttons turn a tapped "2" into its label.
        query = query.where(OUTBOUND.c.id >= after)
    rows = list(reversed(connection.execute(query).all()))
    lines: list[ChatLine] = []
    previous: tuple[Button, ...] = ()
    for row in rows:
        buttons = tuple(Button.from_stored(item) for item in row.buttons or [])
        if not (after and row.id == after):
            lines.append(
                ChatLine(
                    row.id,
                    row.body,
                    row.language,
                    buttons,
                    bool(row.multiple),
                    _as_said(row.said, previous),
                )
            )
        previous = buttons
    if len(lines) > TRANSCRIPT_LIMIT:
        lines = lines[-TRANSCRIPT_LIMIT:]
    mark_displayed(connection, address, now)
    return lines


def _as_said(text: str | None, buttons: tuple[Button, ...]) -> str | None:
    """What the tenant sent, as they saw it: a tapped "2" reads as the option's label."""
    if text is None:
        return None
    labels = {button.reply: button.label for button in buttons}
    parts = [part.strip() for part in text.split(",")]  # ticked boxes arrive as "1,3"
    if labels and all(part in labels for part in parts):
        return ", ".join(labels[part] for part in parts)
    return text


def mark_displayed(connection: Connection, address: str, now: datetime.datetime) -> None:
    connection.execute(
        update(OUTBOUND)
        .where(
            OUTBOUND.c.channel == CHANNEL,
            OUTBOUND.c.address == address,
            OUTBOUND.c.status == OutboundStatus.PENDING.value,
        )
        .values(status=OutboundStatus.DISPLAYED.value, status_at=now)
    )


def last_line_id(connection: Connection, address: str) -> int:
    found = connection.execute(
        select(func.max(OUTBOUND.c.id)).where(
            OUTBOUND.c.channel == CHANNEL, OUTBOUND.c.address == address
        )
    ).scalar_one_or_none()
    return int(found or 0)


def change_language(
    connection: Connection, address: str, language: str, now: datetime.datetime
) -> bool:
    """Switch the open conversation's language (the page's language menu); the caller then
    asks the current step again through `Engine.remind`."""
    return switch_language(connection, CHANNEL, address, language, now)


def more_time(connection: Connection, address: str, until: datetime.datetime) -> bool:
    """The tenant asked for more time: keep their conversation open until `until`."""
    return extend_conversation(connection, CHANNEL, address, until)


def has_open_session(connection: Connection, respondent_id: int) -> bool:
    found = connection.execute(
        select(SESSIONS.c.id)
        .where(
            and_(
                SESSIONS.c.respondent_id == respondent_id,
                SESSIONS.c.state.in_([state.value for state in OPEN_STATES]),
            )
        )
        .limit(1)
    ).first()
    return found is not None


def address_respondent(connection: Connection, address: str) -> int | None:
    found = connection.execute(
        select(IDENTITIES.c.respondent_id).where(
            IDENTITIES.c.channel == CHANNEL, IDENTITIES.c.address == address
        )
    ).scalar_one_or_none()
    return None if found is None else int(found)


def session_language(connection: Connection, address: str) -> str | None:
    found = connection.execute(
        select(WEBCHAT_SESSIONS.c.language).where(WEBCHAT_SESSIONS.c.address == address)
    ).scalar_one_or_none()
    return None if found is None else str(found)


def touch_session(
    connection: Connection,
    address: str,
    now: datetime.datetime,
    *,
    language: str | None = None,
) -> None:
    """Create this browser's session row on its first post; remember a chosen language."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    changes: dict[str, Any] = {"last_seen_at": now}
    if language is not None:
        changes["language"] = language
    connection.execute(
        dialect.insert(WEBCHAT_SESSIONS)
        .values(address=address, language=language, created_at=now, last_seen_at=now)
        .on_conflict_do_update(index_elements=["address"], set_=changes)
    )
