"""The contact-fatigue guard: may this tenant be invited now, on this channel address?

Used by campaigns and post-repair follow-ups alike, inside the caller's transaction:

    decision = may_contact(connection, respondent_id, "sms", "+447700900123", now)
    if decision:                       # Decision is truthy when allowed
        replies = engine.start(..., connection=connection)
        if replies:
            record_invitation(connection, respondent_id, "sms", "repair", job_id, now)

Refused when the tenant or the address is on the do-not-contact list, the address has opted
out, the tenant's record was erased, or the tenant already had `contact_max_invitations`
invitations in the last `contact_period_days` days (campaigns and repairs counted together).
On PostgreSQL the tenant's row is locked first, so two ticks cannot both take the last place.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, func, insert, or_, select

from bot.settings import Settings, get_settings
from bot.storage.tables import DNC, IDENTITIES, INVITATIONS, RESPONDENTS

KINDS = frozenset({"campaign", "repair"})


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | None = None  # a sentence for officers when refused; never personal data

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def blocked_reason(
    connection: Connection, respondent_id: int, channel: str | None, address: str | None
) -> str | None:
    """Why this tenant or address must not be contacted at all (any message), or None.

    Reminders use this directly: they are not new invitations, so only the blocks apply.
    """
    respondent = connection.execute(
        select(RESPONDENTS.c.erased_at).where(RESPONDENTS.c.id == respondent_id)
    ).first()
    if respondent is None:
        return "The tenant is not known."
    if respondent.erased_at is not None:
        return "The tenant's personal data was erased."
    listed = [DNC.c.respondent_id == respondent_id]
    if channel is not None and address is not None:
        listed.append(and_(DNC.c.channel == channel, DNC.c.address == address))
    entry = connection.execute(
        select(DNC.c.respondent_id, DNC.c.reason).where(or_(*listed)).limit(1)
    ).first()
    if entry is not None:
        what = "tenant" if entry.respondent_id is not None else "contact address"
        return f"The {what} is on the do-not-contact list ({entry.reason})."
    if channel is not None and address is not None:
        identity = connection.execute(
            select(
                IDENTITIES.c.opted_out_at, IDENTITIES.c.failed_at, IDENTITIES.c.failed_reason
            ).where(IDENTITIES.c.channel == channel, IDENTITIES.c.address == address)
        ).first()
        if identity is not None and identity.failed_at is not None:
            return f"The {channel} address failed: {identity.failed_reason or 'it was refused'}"
        if identity is not None and identity.opted_out_at is not None:
            return f"The tenant opted out of {channel} messages."
    return None


def invitations_since(connection: Connection, respondent_id: int, since: datetime.datetime) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(INVITATIONS)
            .where(INVITATIONS.c.respondent_id == respondent_id, INVITATIONS.c.sent_at > since)
        ).scalar_one()
    )


def may_contact(
    connection: Connection,
    respondent_id: int,
    channel: str,
    address: str,
    now: datetime.datetime,
    *,
    settings: Settings | None = None,
) -> Decision:
    """Whether a new invitation may go to this tenant on this address now (see the module)."""
    settings = settings or get_settings()
    # Serialise decisions per tenant on PostgreSQL (SQLite already runs one writer at a time).
    connection.execute(
        select(RESPONDENTS.c.id).where(RESPONDENTS.c.id == respondent_id).with_for_update()
    )
    reason = blocked_reason(connection, respondent_id, channel, address)
    if reason is not None:
        return Decision(False, reason)
    since = now - datetime.timedelta(days=settings.contact_period_days)
    count = invitations_since(connection, respondent_id, since)
    if count >= settings.contact_max_invitations:
        return Decision(
            False,
            f"The tenant already had {count} invitation(s) in the last "
            f"{settings.contact_period_days} days (the limit is "
            f"{settings.contact_max_invitations}).",
        )
    return ALLOWED


def record_invitation(
    connection: Connection,
    respondent_id: int,
    channel: str,
    kind: str,
    reference_id: int | str,
    now: datetime.datetime,
) -> None:
    """Count one invitation (kind "campaign" or "repair"; reference: target or job id).

    Call it in the same transaction that wrote the invitation to the outbox.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    connection.execute(
        insert(INVITATIONS).values(
            respondent_id=respondent_id,
            channel=channel,
            kind=kind,
            reference_id=str(reference_id),
            sent_at=now,
        )
    )


def add_do_not_contact(
    connection: Connection,
    *,
    reason: str,
    now: datetime.datetime,
    respondent_id: int | None = None,
    channel: str | None = None,
    address: str | None = None,
    added_by: str = "cli",
) -> bool:
    """List a tenant, or one channel address; False if it was already listed."""
    if (respondent_id is None) == (channel is None or address is None):
        raise ValueError("give either a respondent or a channel and an address")
    if _find_entry(connection, respondent_id, channel, address) is not None:
        return False
    connection.execute(
        insert(DNC).values(
            respondent_id=respondent_id,
            channel=channel,
            address=address,
            reason=reason[:200],
            added_by=added_by[:100],
            added_at=now,
        )
    )
    return True


def remove_do_not_contact(
    connection: Connection,
    *,
    respondent_id: int | None = None,
    channel: str | None = None,
    address: str | None = None,
) -> bool:
    entry = _find_entry(connection, respondent_id, channel, address)
    if entry is None:
        return False
    connection.execute(delete(DNC).where(DNC.c.id == entry))
    return True


def _find_entry(
    connection: Connection, respondent_id: int | None, channel: str | None, address: str | None
) -> int | None:
    if respondent_id is not None:
        condition = DNC.c.respondent_id == respondent_id
    else:
        condition = and_(DNC.c.channel == channel, DNC.c.address == address)
    found = connection.execute(select(DNC.c.id).where(condition)).scalar_one_or_none()
    return None if found is None else int(found)
