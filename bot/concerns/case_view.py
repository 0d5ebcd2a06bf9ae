"""A case as officers read it: category, severity, deadlines, steps done, time left."""

from __future__ import annotations

import datetime
from typing import Any

from bot.concerns.deadlines import Deadline, deadlines, next_due
from bot.concerns.models import Category, ConcernStatus, Severity, Step

CATEGORY_NAMES = {
    Category.DAMP_MOULD: "Damp and mould",
    Category.SAFETY: "Gas, electrical or fire safety",
    Category.EMERGENCY: "Other emergency hazard",
    Category.WELFARE: "Vulnerability or welfare",
    Category.COMPLAINT: "Complaint",
}
SEVERITY_NAMES = {
    Severity.EMERGENCY: "Emergency",
    Severity.SIGNIFICANT: "Significant",
    Severity.OTHER: "Other",
}
NATION_NAMES = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}
FAR_AWAY = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _name(names: dict[Any, str], value: str) -> str:
    return next((name for key, name in names.items() if key == value), value)


def tenant_label(tenant_ref: str | None, erased_at: datetime.datetime | None) -> str:
    """Who raised it, as the list shows it: the reference, or why there is none."""
    if tenant_ref:
        return tenant_ref
    if erased_at is not None:
        return "personal data erased at the tenant's request; the case is kept, anonymised"
    return "anonymous"


def steps_done(row: Any) -> dict[Step, datetime.datetime | None]:
    return {step: getattr(row, f"{step.value}_at") for step in Step}


def _time_left(due: datetime.datetime | None, now: datetime.datetime) -> str:
    if due is None:
        return "no deadline"
    gap = due - now
    hours = abs(gap.total_seconds()) / 3600
    amount = f"{int(hours)} hours" if hours < 48 else f"{int(hours // 24)} days"  # whole ones
    return f"overdue by {amount}" if gap.total_seconds() < 0 else f"{amount} left"


def _deadline(item: Deadline, row: Any, now: datetime.datetime) -> dict[str, Any]:
    return {
        "step": item.step.value,
        "label": item.label,
        "due": item.due.isoformat() if item.due else None,
        "done_at": item.done_at.isoformat() if item.done_at else None,
        "done_by": getattr(row, f"{item.step.value}_by"),
        "overdue": item.overdue(now),
        "statutory": item.statutory,
    }


def case_fields(row: Any, now: datetime.datetime) -> dict[str, Any]:
    """The case part of a concern row, with deadlines computed from when the answer arrived."""
    found = deadlines(row.severity, row.raised_at, row.nation, steps_done(row))
    closed = row.status == ConcernStatus.CLOSED
    due = None if closed else next_due(found)
    return {
        "category": row.category,
        "category_name": _name(CATEGORY_NAMES, row.category),
        "severity": row.severity,
        "severity_name": _name(SEVERITY_NAMES, row.severity),
        "nation": row.nation,
        "nation_name": _name(NATION_NAMES, row.nation),
        "property": row.property_ref,
        "deadlines": [_deadline(item, row, now) for item in found],
        "next_due": due.isoformat() if due else None,
        "overdue": due is not None and due < now,
        "time_left": "closed" if closed else _time_left(due, now),
        "steps": {
            step.value: {"by": getattr(row, f"{step.value}_by"), "at": _iso(row, step)}
            for step in Step
        },
    }


def _iso(row: Any, step: Step) -> str | None:
    value = getattr(row, f"{step.value}_at")
    return value.isoformat() if value is not None else None


def by_time_left(item: dict[str, Any]) -> tuple[datetime.datetime, int]:
    """Sort key: least time left first (overdue cases lead); cases with no deadline last."""
    due = item.get("next_due")
    return (datetime.datetime.fromisoformat(due) if due else FAR_AWAY, item["id"])
