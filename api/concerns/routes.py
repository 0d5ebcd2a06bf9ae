"""Concerns (answers an officer should look at) and repair jobs.

Analysts may read the concerns list without tenant references or free text (typed answers,
notes); acknowledging and closing is for officers and admins. Closing needs a note saying
what was done. A list with personal data in it is written to the audit log.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from api.auth.deps import OfficerUser, SessionDep, StaffUser
from api.http import NowDep, ServiceDep, no_nul
from bot.access.audit import audit
from bot.concerns import queries, steps
from bot.concerns.models import Category, ConcernStatus, Severity, Step
from bot.repairs.models import RepairState

router = APIRouter(tags=["concerns"])
ConcernId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
MAX_NOTE = 2000


class AcknowledgeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=MAX_NOTE)


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=MAX_NOTE, description="What was done")


@router.get("/api/concerns")
def concerns(
    service: ServiceDep,
    user: StaffUser,
    connection: SessionDep,
    now: NowDep,
    status: ConcernStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[dict[str, Any]]:
    """Cases not yet closed come by time left, overdue first, with their deadlines."""
    return queries.view_concerns(
        connection, service.registry, user, status=status, limit=limit, via="api", now=now
    )


class ClassifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: Category
    severity: Severity


@router.post("/api/concerns/{concern_id}/steps/{step}")
def record_step(
    now: NowDep, user: OfficerUser, connection: SessionDep, concern_id: ConcernId, step: Step
) -> dict[str, str]:
    """Record that a step of the case was done, by the caller, now."""
    return {"message": steps.record_step(connection, user, concern_id, step, now)}


@router.post("/api/concerns/{concern_id}/classify")
def classify(
    user: OfficerUser, connection: SessionDep, concern_id: ConcernId, body: ClassifyBody
) -> dict[str, str]:
    """Change the case's category and severity (an officer's judgement over the rule's)."""
    message = steps.reclassify(connection, user, concern_id, body.category, body.severity)
    return {"message": message}


def act(
    connection: Any, now: datetime.datetime, concern_id: int, by: str, close: bool, note: str | None
) -> None:
    note = no_nul(note).strip() if note else ""
    if close:
        if not note:
            raise HTTPException(422, "Write a note saying what was done before closing.")
        queries.close(connection, concern_id, by=by, note=note, now=now)
    else:
        queries.acknowledge(connection, concern_id, by=by, note=note or None, now=now)


@router.post("/api/concerns/{concern_id}/acknowledge")
def acknowledge(
    now: NowDep,
    user: OfficerUser,
    connection: SessionDep,
    concern_id: ConcernId,
    body: AcknowledgeBody | None = None,
) -> dict[str, str]:
    act(connection, now, concern_id, user.name, False, body.note if body else None)
    return {"status": ConcernStatus.ACKNOWLEDGED.value}


@router.post("/api/concerns/{concern_id}/close")
def close(
    now: NowDep,
    user: OfficerUser,
    connection: SessionDep,
    concern_id: ConcernId,
    body: CloseBody,
) -> dict[str, str]:
    act(connection, now, concern_id, user.name, True, body.note)
    return {"status": ConcernStatus.CLOSED.value}


@router.get("/api/repairs")
def repairs(
    user: OfficerUser,
    connection: SessionDep,
    state: RepairState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[dict[str, Any]]:
    found = queries.list_repairs(connection, state=state.value if state else None, limit=limit)
    shown = sorted({str(job["tenant_ref"]) for job in found if job["tenant_ref"]})
    details = {"via": "api", "state": state.value if state else "all", "tenants": shown}
    audit(connection, user, "view_repairs", "repairs", details, len(found))
    return found
