"""The audit log: every export and every view of a tenant's personal data, written down.

Contract for callers (exports, tenant views, subject access, erasure):

    from bot.access.audit import audit
    audit(connection, principal, "export", "responses", {"format": "sav", ...}, row_count)

- Call it in the same transaction that reads the data, so the record and the read stand or
  fall together. A streamed export reads after the request handler returns: call `audit`
  from the stream's own `engine.begin()` once the last row is out, with the final count.
- `principal` is `bot.access.users.Principal` (also `api.auth.deps.Principal`): its kind, id, name
  and role are recorded, never a password, token or key.
- `action`: a short verb-like code (`export`, `view_tenant`, `subject_access`, `erasure`).
- `target`: what was touched (`responses`, `tenant:T-10042`, `codebook`).
- `filters`: the request's filters as JSON-ready values (dates as ISO strings); keep
  personal data out of it (a tenant reference is fine, a name or phone number is not).
- `row_count`: rows that left the system, or None where there is no such count.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from bot.access.users import Principal
from bot.storage.models import utcnow
from bot.storage.tables import AUDIT

MAX_PAGE = 500


# Each action as the audit log page says it; an unknown one is shown with spaces.
ACTION_WORDS = {
    "export": "Exported responses",
    "export_refused": "Was refused an identifiable export",
    "codebook": "Downloaded a codebook",
    "view_tenant": "Viewed a tenant",
    "search_tenants": "Searched tenants",
    "view_concerns": "Viewed concerns",
    "view_repairs": "Viewed repairs",
    "subject_access": "Exported a tenant's data (subject access)",
    "erasure": "Erased a tenant's personal data",
    "campaign_create": "Created a campaign",
    "campaign_edit": "Changed a draft campaign",
    "campaign_schedule": "Scheduled a campaign",
    "campaign_pause": "Paused a campaign",
    "campaign_resume": "Resumed a campaign",
    "campaign_cancel": "Cancelled a campaign",
    "campaign_letter_list": "Downloaded a campaign's letter and call list",
    "concern_acknowledge": "Acknowledged a concern",
    "concern_note": "Added a note to a concern",
    "concern_close": "Closed a concern",
    "concern_reopen": "Reopened a concern",
    "record_case_step": "Recorded a step on a case (investigated, summary sent, work done, closed)",
    "reclassify_case": "Changed a case's category or severity",
    "letter_list": "Listed a campaign's tenants to write to or call",
}


def action_words(action: str) -> str:
    """An audit action in plain words ("campaign_schedule" -> "Scheduled a campaign")."""
    return ACTION_WORDS.get(action) or action.replace("_", " ").capitalize()


def filter_words(filters: dict[str, Any]) -> str:
    """Filters (or any settings) as "name: value; name: value" rather than JSON."""
    parts = []
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, dict):
            shown = filter_words(value)
        elif isinstance(value, list):
            shown = ", ".join(map(str, value))
        else:
            shown = str(value)
        parts.append(f"{name.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


def _jsonable(filters: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so dates, enums and sets are stored as plain strings and lists.
    return dict(json.loads(json.dumps(filters or {}, default=_plain, sort_keys=True)))


def _plain(value: object) -> object:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)


def audit(
    connection: Connection,
    principal: Principal,
    action: str,
    target: str,
    filters: dict[str, Any] | None = None,
    row_count: int | None = None,
    *,
    at: datetime.datetime | None = None,
) -> int:
    """Record one access; returns the entry's id."""
    entry_id = connection.execute(
        insert(AUDIT)
        .values(
            at=at or utcnow(),
            principal_kind=principal.kind,
            principal_id=principal.id,
            principal_name=principal.name[:254],
            role=principal.role.value,
            action=action[:64],
            target=target[:200],
            filters=_jsonable(filters),
            row_count=row_count,
        )
        .returning(AUDIT.c.id)
    ).scalar_one()
    return int(entry_id)


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime.datetime
    principal_kind: str
    principal_id: int
    principal_name: str
    role: str
    action: str
    target: str
    filters: dict[str, Any]
    row_count: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "who": {
                "kind": self.principal_kind,
                "id": self.principal_id,
                "name": self.principal_name,
                "role": self.role,
            },
            "action": self.action,
            "target": self.target,
            "filters": self.filters,
            "row_count": self.row_count,
        }


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditRecord]
    total: int


def list_audit(
    connection: Connection,
    *,
    action: str | None = None,
    who: str | None = None,
    target: str | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AuditPage:
    """Newest first. `who` matches the principal's name exactly; `until` is exclusive."""
    conditions = []
    if action:
        conditions.append(AUDIT.c.action == action)
    if who:
        conditions.append(AUDIT.c.principal_name == who)
    if target:
        conditions.append(AUDIT.c.target == target)
    if since is not None:
        conditions.append(AUDIT.c.at >= since)
    if until is not None:
        conditions.append(AUDIT.c.at < until)
    total = connection.execute(
        select(func.count()).select_from(AUDIT).where(*conditions)
    ).scalar_one()
    rows = connection.execute(
        select(AUDIT)
        .where(*conditions)
        .order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc())
        .limit(max(1, min(limit, MAX_PAGE)))
        .offset(max(0, offset))
    ).all()
    entries = [
        AuditRecord(
            id=int(row.id),
            at=row.at,
            principal_kind=row.principal_kind,
            principal_id=int(row.principal_id),
            principal_name=row.principal_name,
            role=row.role,
            action=row.action,
            target=row.target,
            filters=dict(row.filters or {}),
            row_count=row.row_count,
        )
        for row in rows
    ]
    return AuditPage(entries, int(total))
