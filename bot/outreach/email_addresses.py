"""Email addresses as contact addresses: found in the profile, unsubscribed, failed.

An email address becomes a channel identity (`email`, the address in lower case) when the
first invitation is written to it, so opting out, the do-not-contact list and reminders work
as for any channel. Unsubscribing opts the ADDRESS out; a bounce marks it failed, with a
sentence for officers. Unsubscribe links carry the identity id signed with the secret key,
never the address.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re

from sqlalchemy import Connection, insert, select

from bot.outreach.optout import opt_out_address
from bot.settings import Settings
from bot.storage.tables import DNC, IDENTITIES, PROFILE

EMAIL = "email"
MAX_ADDRESS = 128  # what a channel identity holds
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_TOKEN = re.compile(r"(\d{1,18})\.([0-9a-f]{32})")
UNSUBSCRIBED = "The tenant unsubscribed this email address from survey emails."


def normal_address(value: object) -> str | None:
    """The address as stored (trimmed, lower case), or None when it is not one."""
    if not isinstance(value, str):
        return None
    address = value.strip().lower()
    if len(address) > MAX_ADDRESS or not _ADDRESS.fullmatch(address):
        return None
    return address


def profile_address(connection: Connection, respondent_id: int) -> str | None:
    """The tenant's current email address from their profile (import or survey)."""
    value = connection.execute(
        select(PROFILE.c.value).where(
            PROFILE.c.respondent_id == respondent_id,
            PROFILE.c.name == EMAIL,
            PROFILE.c.superseded_at.is_(None),
        )
    ).scalar_one_or_none()
    return normal_address(value)


def usable_email(connection: Connection, respondent_id: int) -> tuple[str | None, str]:
    """The address to email this tenant at, or None and why not (a phrase for officers).

    The profile's current address comes first, then addresses the tenant was emailed at
    before; an unsubscribed, failed or do-not-contact address is passed over.
    """
    known = connection.execute(
        select(IDENTITIES.c.address)
        .where(IDENTITIES.c.respondent_id == respondent_id, IDENTITIES.c.channel == EMAIL)
        .order_by(IDENTITIES.c.id)
    ).scalars()
    current = profile_address(connection, respondent_id)
    candidates = list(dict.fromkeys([*([current] if current else []), *known]))
    problem = "no email address is known"
    for address in candidates:
        problem = _address_problem(connection, address) or ""
        if not problem:
            return address, ""
    return None, problem


def _address_problem(connection: Connection, address: str) -> str | None:
    row = connection.execute(
        select(IDENTITIES.c.opted_out_at, IDENTITIES.c.failed_at, IDENTITIES.c.failed_reason).where(
            IDENTITIES.c.channel == EMAIL, IDENTITIES.c.address == address
        )
    ).first()
    if row is not None and row.failed_at is not None:
        return f"the email address failed ({row.failed_reason or 'mail to it was refused'})"
    if row is not None and row.opted_out_at is not None:
        return "the email address was unsubscribed from survey emails"
    listed = connection.execute(
        select(DNC.c.id).where(DNC.c.channel == EMAIL, DNC.c.address == address).limit(1)
    ).first()
    return "the email address is on the do-not-contact list" if listed else None


def ensure_identity(
    connection: Connection, respondent_id: int, address: str, now: datetime.datetime
) -> int:
    """The address's identity, made for this tenant if nobody holds it yet."""
    found = connection.execute(
        select(IDENTITIES.c.id).where(
            IDENTITIES.c.channel == EMAIL, IDENTITIES.c.address == address
        )
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    return int(
        connection.execute(
            insert(IDENTITIES)
            .values(respondent_id=respondent_id, channel=EMAIL, address=address, created_at=now)
            .returning(IDENTITIES.c.id)
        ).scalar_one()
    )


def unsubscribe(connection: Connection, identity_id: int, now: datetime.datetime) -> bool:
    """Opt the address behind this identity out of survey emails; False if unknown."""
    address = connection.execute(
        select(IDENTITIES.c.address).where(
            IDENTITIES.c.id == identity_id, IDENTITIES.c.channel == EMAIL
        )
    ).scalar_one_or_none()
    if address is None:
        return False
    opt_out_address(connection, EMAIL, address, now, "unsubscribed from email")
    return True


def unsubscribe_token(settings: Settings, identity_id: int) -> str:
    return f"{identity_id}.{_signature(settings, identity_id)}"


def identity_of_token(settings: Settings, token: str) -> int | None:
    """The identity an unsubscribe token names, or None for a forged or mangled one."""
    found = _TOKEN.fullmatch(token)
    if found is None:
        return None
    identity_id = int(found[1])
    if not hmac.compare_digest(found[2], _signature(settings, identity_id)):
        return None
    return identity_id


def _signature(settings: Settings, identity_id: int) -> str:
    key = settings.secret_key.get_secret_value().encode("utf-8")
    message = f"email-unsubscribe:{identity_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
