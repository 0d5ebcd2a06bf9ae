"""Opting an address out (STOP, Twilio 21610, a blocked Telegram bot, an email unsubscribe)
and back in (START); marking an address failed (an email bounce)."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from bot.storage.models import (
    OPEN_STATES,
    OutboundStatus,
    SessionState,
)
from bot.storage.tables import CONSENTS, IDENTITIES, OUTBOUND, SESSIONS


def opt_out_address(
    connection: Connection, channel: str, address: str, now: datetime.datetime, reason: str
) -> int | None:
    """Never contact this address on this channel again until the tenant opts back in.

    Closes the respondent's open conversations and cancels everything still waiting in the
    outbox for the address. Returns the respondent id, or None for an unknown address.
    """
    row = connection.execute(
        select(IDENTITIES.c.id, IDENTITIES.c.respondent_id).where(
            IDENTITIES.c.channel == channel, IDENTITIES.c.address == address
        )
    ).first()
    if row is None:
        return None
    connection.execute(
        update(IDENTITIES)
        .where(IDENTITIES.c.id == row.id, IDENTITIES.c.opted_out_at.is_(None))
        .values(opted_out_at=now)
    )
    cancel_pending(connection, channel, address, f"opted out: {reason}", now)
    open_sessions = [
        SESSIONS.c.respondent_id == row.respondent_id,
        SESSIONS.c.channel == channel,
        SESSIONS.c.state.in_([state.value for state in OPEN_STATES]),
    ]
    record_withdrawals(connection, select(SESSIONS.c.id).where(*open_sessions), channel, now)
    connection.execute(
        update(SESSIONS)
        .where(*open_sessions)
        .values(
            state=SessionState.OPTED_OUT.value,
            updated_at=now,
            current_question=None,
            values={},
            asked=[],
        )
    )
    return int(row.respondent_id)


def mark_address_failed(
    connection: Connection, channel: str, address: str, reason: str, now: datetime.datetime
) -> bool:
    """Never write to this address again: the provider says it cannot be delivered to.

    `reason` is a sentence for officers without the address; the first reason is kept.
    Cancels what still waits in the outbox for it. False for an unknown address.
    """
    result = connection.execute(
        update(IDENTITIES)
        .where(
            IDENTITIES.c.channel == channel,
            IDENTITIES.c.address == address,
            IDENTITIES.c.failed_at.is_(None),
        )
        .values(failed_at=now, failed_reason=reason[:200])
    )
    cancel_pending(connection, channel, address, f"failed: {reason}", now)
    return bool(result.rowcount) or is_failed(connection, channel, address)


def is_failed(connection: Connection, channel: str, address: str) -> bool:
    return _marked(connection, IDENTITIES.c.failed_at, channel, address)


def record_withdrawals(
    connection: Connection, sessions: Select[Any], channel: str, now: datetime.datetime
) -> int:
    """A withdrawn row for every consent granted in these (open) conversations.

    However the tenant withdrew (STOP, Twilio's own block, a blocked bot), the row carries
    the wording version and text hash of the consent they had been shown and granted, so
    each withdrawal names exactly what it withdraws; the channel is where it came from.
    """
    granted = connection.execute(
        select(CONSENTS).where(
            CONSENTS.c.session_id.in_(sessions.scalar_subquery()),
            CONSENTS.c.outcome == "granted",
        )
    ).all()
    rows = [
        {
            **{key: getattr(consent, key) for key in _COPIED},
            "channel": channel,
            "outcome": "withdrawn",
            "recorded_at": now,
        }
        for consent in granted
    ]
    if rows:
        connection.execute(insert(CONSENTS), rows)
    return len(rows)


_COPIED = ("respondent_id", "session_id", "questionnaire_id", "purpose", "scope",
           "wording_version", "text_hash", "language")  # fmt: skip


def cancel_pending(
    connection: Connection, channel: str, address: str, reason: str, now: datetime.datetime
) -> int:
    result = connection.execute(
        update(OUTBOUND)
        .where(
            OUTBOUND.c.channel == channel,
            OUTBOUND.c.address == address,
            OUTBOUND.c.status == OutboundStatus.PENDING.value,
        )
        .values(status=OutboundStatus.CANCELLED.value, error=reason[:200], status_at=now)
    )
    return result.rowcount or 0


def is_opted_out(connection: Connection, channel: str, address: str) -> bool:
    return _marked(connection, IDENTITIES.c.opted_out_at, channel, address)


def _marked(connection: Connection, column: Any, channel: str, address: str) -> bool:
    """Whether the address's identity has this moment (opted out, failed) set."""
    moment = connection.execute(
        select(column).where(IDENTITIES.c.channel == channel, IDENTITIES.c.address == address)
    ).scalar_one_or_none()
    return moment is not None
