"""Working a case: record a step (who and when), or change its category and severity.

Each change is one conditional UPDATE, so two officers acting at once cannot both record the
same step; the first step recorded also acknowledges an open case. Both are audited.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from bot.access.audit import audit
from bot.access.users import Principal
from bot.concerns.case_view import CATEGORY_NAMES, SEVERITY_NAMES
from bot.concerns.models import Category, ConcernStatus, Severity, Step
from bot.concerns.queries import ConcernError
from bot.storage.tables import CONCERNS

STEP_DONE = {
    Step.INVESTIGATED: "investigated",
    Step.SUMMARY_SENT: "the written summary sent",
    Step.SAFETY_WORK: "the safety work done",
    Step.PREVENTIVE_WORK: "the preventive work started",
}


def _case(connection: Connection, concern_id: int) -> Any:
    row = connection.execute(select(CONCERNS).where(CONCERNS.c.id == concern_id)).first()
    if row is None:
        raise ConcernError(404, f"No case has the number {concern_id}.")
    if row.status == ConcernStatus.CLOSED:
        raise ConcernError(409, f"Case {concern_id} is closed.")
    return row


def record_step(
    connection: Connection,
    principal: Principal,
    concern_id: int,
    step: Step,
    now: datetime.datetime,
) -> str:
    """Mark `step` done by `principal` now; returns the sentence saying so."""
    row = _case(connection, concern_id)
    by_column, at_column = CONCERNS.c[f"{step.value}_by"], CONCERNS.c[f"{step.value}_at"]
    if getattr(row, f"{step.value}_at") is not None:
        raise ConcernError(409, f"Case {concern_id} already has {STEP_DONE[step]} recorded.")
    values: dict[str, Any] = {by_column.key: principal.name[:100], at_column.key: now}
    if row.status == ConcernStatus.OPEN:
        values |= {"status": ConcernStatus.ACKNOWLEDGED.value,
                   "acknowledged_by": principal.name[:100], "acknowledged_at": now}  # fmt: skip
    changed = connection.execute(
        update(CONCERNS)
        .where(CONCERNS.c.id == concern_id, at_column.is_(None), CONCERNS.c.status == row.status)
        .values(**values)
    ).rowcount
    if changed != 1:
        raise ConcernError(409, f"Case {concern_id} changed meanwhile; look again.")
    audit(connection, principal, "record_case_step", f"concern:{concern_id}", {"step": step.value})
    return f"Case {concern_id}: {STEP_DONE[step]}, recorded."


def reclassify(
    connection: Connection,
    principal: Principal,
    concern_id: int,
    category: str,
    severity: str,
) -> str:
    """An officer's judgement replaces the rule's: a new category and severity."""
    if category not in set(Category) or severity not in set(Severity):
        raise ConcernError(422, "Choose a category and a severity from the lists.")
    row = _case(connection, concern_id)
    connection.execute(
        update(CONCERNS)
        .where(CONCERNS.c.id == concern_id)
        .values(category=category, severity=severity)
    )
    details = {"from": [row.category, row.severity], "to": [category, severity]}
    audit(connection, principal, "reclassify_case", f"concern:{concern_id}", details)
    return (
        f"Case {concern_id} is now {CATEGORY_NAMES[Category(category)].lower()}, "
        f"{SEVERITY_NAMES[Severity(severity)].lower()}."
    )
