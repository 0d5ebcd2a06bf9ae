"""Tenants who asked to be contacted by letter or phone rather than by message.

Counted for the campaign estimate and report; the list officers post or call from is
`bot.campaigns.letter_list`. The stored `preferred_channel` value is read through
`offline_preference` alone, so a change in how preferences are stored touches one function.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from bot.storage.tables import PROFILE

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
