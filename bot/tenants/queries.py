"""Reading tenants for officers and analysts: search, and one tenant's profile.

Personal data (names, phone numbers, chat ids, e-mail addresses) is only read when the
caller may see it; an analyst's search shows the tenant reference, area and which channels
exist, never an address.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, cast, func, or_, select

from bot.storage.tables import (
    CONCERNS,
    CONSENTS,
    DNC,
    IDENTITIES,
    PROFILE,
    RESPONDENTS,
    SESSIONS,
    VERSIONS,
)
from bot.tenants.lookup import find_respondent_id
from bot.tenants.values import normal_reference

# Profile attributes that identify someone: shown to officers only.
PERSONAL_ATTRIBUTES = frozenset({"email", "address", "postcode", "date_of_birth"})
SUMMARY_ATTRIBUTES = ("area", "estate", "tenure", "preferred_channel")
MAX_RESULTS = 200


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _current_attributes(
    connection: Connection, respondent_ids: list[int], names: tuple[str, ...] | None = None
) -> dict[int, dict[str, Any]]:
    query = select(PROFILE.c.respondent_id, PROFILE.c.name, PROFILE.c.value).where(
        PROFILE.c.respondent_id.in_(respondent_ids), PROFILE.c.superseded_at.is_(None)
    )
    if names is not None:
        query = query.where(PROFILE.c.name.in_(names))
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in connection.execute(query):
        found[row.respondent_id][row.name] = row.value
    return found


def _identities(
    connection: Connection, respondent_ids: list[int], *, addresses: bool
) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = connection.execute(
        select(IDENTITIES)
        .where(IDENTITIES.c.respondent_id.in_(respondent_ids))
        .order_by(IDENTITIES.c.id)
    )
    for row in rows:
        item: dict[str, Any] = {
            "channel": row.channel,
            "opted_out": row.opted_out_at is not None,
            "opted_out_at": _when(row.opted_out_at),
        }
        if addresses:
            item["address"] = row.address
        found[row.respondent_id].append(item)
    return found


@dataclass(frozen=True)
class TenantFilters:
    """The tenants list's filters; empty ones do not narrow it."""

    query: str = ""  # part of a reference, area or estate
    language: str = ""
    channel: str = ""  # has an identity on this channel that has not opted out


def _statement(filters: TenantFilters) -> Any:
    try:  # folded as references are, so a pasted `Ｔ‑1005` finds T-1005
        wanted = normal_reference(filters.query)
    except ValueError:
        wanted = filters.query.replace("\x00", "").strip()
    columns = (
        RESPONDENTS.c.id,
        RESPONDENTS.c.tenant_ref,
        RESPONDENTS.c.name,
        RESPONDENTS.c.language,
    )
    statement = select(*columns).where(RESPONDENTS.c.tenant_ref.is_not(None))
    if wanted:
        pattern = _like(wanted)
        in_area = select(PROFILE.c.respondent_id).where(
            PROFILE.c.name.in_(("area", "estate")),
            PROFILE.c.superseded_at.is_(None),
            func.lower(cast(PROFILE.c.value, String)).like(pattern, escape="\\"),
        )
        statement = statement.where(
            or_(
                func.lower(RESPONDENTS.c.tenant_ref).like(pattern, escape="\\"),
                RESPONDENTS.c.id.in_(in_area),
            )
        )
    if filters.language:
        statement = statement.where(func.lower(RESPONDENTS.c.language) == filters.language)
    if filters.channel:
        on_channel = select(IDENTITIES.c.respondent_id).where(
            IDENTITIES.c.channel == filters.channel, IDENTITIES.c.opted_out_at.is_(None)
        )
        statement = statement.where(RESPONDENTS.c.id.in_(on_channel))
    return statement


def _results(connection: Connection, rows: list[Any], personal: bool) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    attributes = _current_attributes(connection, ids, SUMMARY_ATTRIBUTES)
    identities = _identities(connection, ids, addresses=personal)
    results = []
    for row in rows:
        item: dict[str, Any] = {"tenant_ref": row.tenant_ref, "language": row.language}
        if personal:
            item["name"] = row.name
        item.update({name: attributes[row.id].get(name) for name in SUMMARY_ATTRIBUTES})
        item["channels"] = identities[row.id]
        results.append(item)
    return results


def search_tenants(
    connection: Connection, query: str, *, personal: bool, limit: int = 50
) -> list[dict[str, Any]]:
    """Tenants whose reference, area or estate contains `query` (case-insensitive)."""
    statement = _statement(TenantFilters(query=query))
    rows = connection.execute(
        statement.order_by(RESPONDENTS.c.tenant_ref).limit(max(1, min(limit, MAX_RESULTS)))
    ).all()
    return _results(connection, list(rows), personal)


def list_tenants(
    connection: Connection, filters: TenantFilters, *, personal: bool, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of tenants by reference, and how many match in all."""
    statement = _statement(filters)
    total = connection.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    rows = connection.execute(
        statement.order_by(RESPONDENTS.c.tenant_ref)
        .limit(max(1, min(limit, MAX_RESULTS)))
        .offset(max(0, offset))
    ).all()
    return _results(connection, list(rows), personal), int(total)


def tenant_profile(connection: Connection, tenant_ref: str) -> dict[str, Any] | None:
    """Everything an officer needs about one tenant; None when the reference is unknown."""
    found = find_respondent_id(connection, tenant_ref)
    if found is None:
        return None
    row = connection.execute(select(RESPONDENTS).where(RESPONDENTS.c.id == found)).one()
    rid = int(row.id)
    return {
        "tenant_ref": row.tenant_ref,
        "name": row.name,
        "language": row.language,
        "timezone": row.timezone,
        "created_at": _when(row.created_at),
        "channels": _identities(connection, [rid], addresses=True)[rid],
        "profile": _profile_history(connection, rid),
        "consents": _consents(connection, rid),
        "do_not_contact": [
            {"reason": item.reason, "added_by": item.added_by, "added_at": _when(item.added_at)}
            for item in connection.execute(select(DNC).where(DNC.c.respondent_id == rid))
        ],
        "sessions": _sessions(connection, rid),
        "concerns": _concerns(connection, rid),
    }


def _profile_history(connection: Connection, rid: int) -> list[dict[str, Any]]:
    history = connection.execute(
        select(PROFILE)
        .where(PROFILE.c.respondent_id == rid)
        .order_by(PROFILE.c.name, PROFILE.c.recorded_at)
    )
    return [
        {
            "name": item.name,
            "value": item.value,
            "source": item.source,
            "recorded_at": _when(item.recorded_at),
            "current": item.superseded_at is None,
        }
        for item in history
    ]


def _consents(connection: Connection, rid: int) -> list[dict[str, Any]]:
    consents = connection.execute(
        select(CONSENTS).where(CONSENTS.c.respondent_id == rid).order_by(CONSENTS.c.recorded_at)
    )
    return [
        {
            "questionnaire": item.questionnaire_id,
            "purpose": item.purpose,
            "scope": item.scope,
            "outcome": item.outcome,
            "wording_version": item.wording_version,
            "language": item.language,
            "channel": item.channel,
            "recorded_at": _when(item.recorded_at),
        }
        for item in consents
    ]


def _sessions(connection: Connection, rid: int) -> list[dict[str, Any]]:
    sessions = connection.execute(
        select(SESSIONS, VERSIONS.c.questionnaire_id, VERSIONS.c.version)
        .join(VERSIONS, VERSIONS.c.id == SESSIONS.c.questionnaire_version_id)
        .where(SESSIONS.c.respondent_id == rid)
        .order_by(SESSIONS.c.created_at)
    )
    return [
        {
            "questionnaire": item.questionnaire_id,
            "version": item.version,
            "channel": item.channel,
            "state": item.state,
            "language": item.language,
            "started_at": _when(item.created_at),
            "completed_at": _when(item.completed_at),
        }
        for item in sessions
    ]


def _concerns(connection: Connection, rid: int) -> list[dict[str, Any]]:
    concerns = connection.execute(
        select(CONCERNS).where(CONCERNS.c.respondent_id == rid).order_by(CONCERNS.c.raised_at)
    )
    return [
        {
            "id": item.id,
            "question": item.question,
            "reason": item.reason,
            "status": item.status,
            "raised_at": _when(item.raised_at),
        }
        for item in concerns
    ]
