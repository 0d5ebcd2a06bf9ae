"""Finding a stored tenant by a reference as a person or another system typed it.

Every lookup (API, console, CLI, repair events, campaign audiences) goes through here, so a
reference is compared in the one form `values.normal_reference` gives it.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from bot.storage.tables import RESPONDENTS
from bot.tenants.values import normal_reference


def lookup_reference(given: str) -> str | None:
    """The normal form of `given`, or None when no stored tenant can have it (NUL, empty)."""
    try:
        normal = normal_reference(given)
    except ValueError:
        return None
    return normal if 0 < len(normal) <= 64 else None


def reference_forms(given: list[str]) -> list[str]:
    """Every stored form the typed references may have: the normal one and the one typed
    (references no tenant can have, such as one with NUL, are left out)."""
    forms: set[str] = set()
    for reference in given:
        normal = lookup_reference(reference)
        if normal is not None:
            forms.update((normal, reference.strip()))
    return sorted(forms)


def find_respondent_id(connection: Connection, given: str) -> int | None:
    """The id of the tenant with this reference, or None.

    Imports store references in normal form, so the exact match is the one that counts. A
    row stored some other way before normalisation existed stays reachable: by the text
    exactly as typed, or case-insensitively.
    """
    normal = lookup_reference(given)
    if normal is None:
        return None
    candidates = {normal, given.strip()}
    found = connection.execute(
        select(RESPONDENTS.c.id)
        .where(RESPONDENTS.c.tenant_ref.in_(sorted(candidates)))
        .order_by((RESPONDENTS.c.tenant_ref != normal), RESPONDENTS.c.id)
        .limit(1)
    ).scalar()
    if found is None:
        found = connection.execute(
            select(RESPONDENTS.c.id)
            .where(func.upper(RESPONDENTS.c.tenant_ref) == normal)
            .order_by(RESPONDENTS.c.id)
            .limit(1)
        ).scalar()
    return None if found is None else int(found)
