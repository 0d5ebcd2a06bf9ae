"""Tenants who asked to be contacted by letter or phone rather than by message.

The campaign still follows its channel rules for them; officers get a list to post or call.
The stored `preferred_channel` value is read through `offline_preference` alone, so a change
in how preferences are stored touches one function.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from bot.storage.tables import IDENTITIES, PROFILE, RESPONDENTS

PREFERENCE = "preferred_channel"
OFFLINE = {
    "letter": "letter",
    "post": "letter",
    "mail": "letter",
    "paper": "letter",
    "phone": "phone",
    "telephone": "phone",
    "call": "phone",
    "phonecall": "phone",
}
WORDS = {"letter": "a letter", "phone": "a phone call"}


def offline_preference(value: Any) -> str | None:
    """The letter or phone preference a stored value asks for; None for any other value."""
    if not isinstance(value, str):
        return None
    key = "".join(character for character in value.lower() if character.isalnum())
    return OFFLINE.get(key)


@dataclass(frozen=True)
class OfflineTenant:
    tenant_ref: str
    name: str | None
    wants: str  # "letter" or "phone"
    phone: str | None  # personal: shown only to roles allowed the call list


def offline_preferences(connection: Connection, respondent_ids: Iterable[int]) -> dict[int, str]:
    """respondent id -> "letter" / "phone" for those who asked for one."""
    ids = sorted(set(respondent_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists on both databases
        rows = connection.execute(
            select(PROFILE.c.respondent_id, PROFILE.c.value).where(
                PROFILE.c.name == PREFERENCE,
                PROFILE.c.superseded_at.is_(None),
                PROFILE.c.respondent_id.in_(ids[start : start + 500]),
            )
        )
        for respondent_id, value in rows:
            wants = offline_preference(value)
            if wants is not None:
                found[int(respondent_id)] = wants
    return found


def offline_list(connection: Connection, respondent_ids: Iterable[int]) -> list[OfflineTenant]:
    """The letter and call list for these tenants, by tenant reference."""
    wanted = offline_preferences(connection, respondent_ids)
    if not wanted:
        return []
    people = connection.execute(
        select(RESPONDENTS.c.id, RESPONDENTS.c.tenant_ref, RESPONDENTS.c.name).where(
            RESPONDENTS.c.id.in_(sorted(wanted)), RESPONDENTS.c.erased_at.is_(None)
        )
    ).all()
    phones = dict(
        connection.execute(
            select(IDENTITIES.c.respondent_id, IDENTITIES.c.address)
            .where(IDENTITIES.c.respondent_id.in_(sorted(wanted)), IDENTITIES.c.channel == "sms")
            .order_by(IDENTITIES.c.id.desc())
        ).all()
    )
    found = [
        OfflineTenant(str(row.tenant_ref or ""), row.name, wanted[row.id], phones.get(row.id))
        for row in people
    ]
    return sorted(found, key=lambda tenant: tenant.tenant_ref)
