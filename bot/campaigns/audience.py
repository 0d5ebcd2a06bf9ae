"""Who a campaign reaches: tenants whose current profile matches the audience, then a sample.

Profile values are JSON (a string, a number, a list for a multiple choice), so matching is
done here rather than in SQL, the same way on SQLite and PostgreSQL: values are compared as
case-insensitive text, and a list matches when any of its items does.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from bot.campaigns.sampling import (
    invitations_for,
    random_sample,
    sample_size,
    stratified_sample,
    tsm_margin,
)
from bot.campaigns.spec import Audience, Sample
from bot.storage.tables import INVITATIONS, MEMBERSHIPS, PROFILE, RESPONDENTS, SESSIONS
from bot.tenants.lookup import reference_forms
from bot.tenants.vocabulary import canonical

UNKNOWN_STRATUM = "(not known)"


@dataclass(frozen=True)
class Selection:
    population: int  # tenants matching the audience
    chosen: list[tuple[int, str | None]]  # (respondent id, stratum) to invite
    sample_note: str  # how the number was reached, for the officer


def _text(value: Any) -> str:
    return str(value).strip().casefold()


def matches(value: Any, wanted: Iterable[Any]) -> bool:
    wanted_texts = {_text(item) for item in wanted}
    values = value if isinstance(value, list) else [value]
    return any(item is not None and _text(item) in wanted_texts for item in values)


def _profiles(connection: Connection, names: set[str]) -> dict[int, dict[str, Any]]:
    profiles: dict[int, dict[str, Any]] = defaultdict(dict)
    if not names:
        return profiles
    rows = connection.execute(
        select(PROFILE.c.respondent_id, PROFILE.c.name, PROFILE.c.value).where(
            PROFILE.c.name.in_(sorted(names)), PROFILE.c.superseded_at.is_(None)
        )
    )
    for respondent_id, name, value in rows:
        profiles[respondent_id][name] = value
    return profiles


def _latest_segments(connection: Connection) -> dict[int, list[str]]:
    """Segment code and label per tenant from the latest segmentation run."""
    latest = select(func.max(MEMBERSHIPS.c.run_id)).scalar_subquery()
    rows = connection.execute(
        select(MEMBERSHIPS.c.respondent_id, MEMBERSHIPS.c.code, MEMBERSHIPS.c.label).where(
            MEMBERSHIPS.c.run_id == latest
        )
    )
    return {respondent_id: [code, label] for respondent_id, code, label in rows}


def _recently_surveyed(connection: Connection, since: datetime.datetime) -> set[int]:
    sessions = select(SESSIONS.c.respondent_id).where(SESSIONS.c.created_at >= since)
    invited = select(INVITATIONS.c.respondent_id).where(INVITATIONS.c.sent_at >= since)
    return set(connection.execute(sessions.union(invited)).scalars())


def audience_members(
    connection: Connection, audience: Audience, now: datetime.datetime, stratify_by: str | None
) -> dict[int, str | None]:
    """Matching tenants (known by a tenant reference, not erased) -> their stratum value."""
    query = select(RESPONDENTS.c.id).where(
        RESPONDENTS.c.erased_at.is_(None), RESPONDENTS.c.tenant_ref.is_not(None)
    )
    if audience.tenant_refs:
        wanted = reference_forms(audience.tenant_refs)
        query = query.where(RESPONDENTS.c.tenant_ref.in_(wanted))
    candidates = list(connection.execute(query.order_by(RESPONDENTS.c.id)).scalars())
    # Filters and stored values compared in the one stored form ("Web chat" is web_chat).
    filters = {name: canonical(name, wanted) for name, wanted in audience.filters().items()}
    names = set(filters) | ({"segment"} if audience.segment else set())
    if stratify_by:
        names.add(stratify_by)
    profiles = _profiles(connection, names)
    segments = _latest_segments(connection) if audience.segment else {}
    excluded: set[int] = set()
    if audience.not_surveyed_days:
        since = now - datetime.timedelta(days=audience.not_surveyed_days)
        excluded = _recently_surveyed(connection, since)
    members: dict[int, str | None] = {}
    for respondent_id in candidates:
        if respondent_id in excluded:
            continue
        profile = profiles.get(respondent_id, {})
        if not all(
            matches(canonical(name, profile.get(name)), wanted) for name, wanted in filters.items()
        ):
            continue
        if audience.segment:
            segment = profile.get("segment", segments.get(respondent_id))
            if not matches(segment, audience.segment):
                continue
        stratum = None
        if stratify_by:
            value = profile.get(stratify_by)
            stratum = UNKNOWN_STRATUM if value is None else str(value)[:100]
        members[respondent_id] = stratum
    return members


def select_targets(
    connection: Connection,
    audience: Audience,
    sample: Sample | None,
    seed: int,
    now: datetime.datetime,
) -> Selection:
    """The audience, sampled as the campaign asks (repeatably: the seed is stored)."""
    by = sample.by if sample is not None and sample.method == "stratified" else None
    members = audience_members(connection, audience, now, by)
    population = len(members)
    if sample is None:
        return Selection(population, list(members.items()), "everyone in the audience")
    if sample.size is not None:
        size = min(sample.size, population)
        note = f"a {sample.method} sample of {size}"
    else:
        margin = tsm_margin(population) if sample.margin == "tsm" else float(sample.margin or 0)
        responses = sample_size(population, margin, sample.confidence)
        size = invitations_for(responses, sample.response_rate, population)
        note = (
            f"{responses} responses needed for ±{margin:.0%} at {sample.confidence:.0%} "
            f"confidence; {size} invited at an expected response rate of "
            f"{sample.response_rate:.0%}"
        )
    if sample.method == "stratified":
        groups: dict[str, list[int]] = defaultdict(list)
        for respondent_id, stratum in members.items():
            groups[stratum or UNKNOWN_STRATUM].append(respondent_id)
        chosen_ids = stratified_sample(groups, size, seed)
    else:
        chosen_ids = random_sample(list(members), size, seed)
    chosen = [(respondent_id, members[respondent_id]) for respondent_id in sorted(chosen_ids)]
    return Selection(population, chosen, note)
