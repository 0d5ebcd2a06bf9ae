"""Concerns (answers an officer should look at) and repair jobs.

Analysts may read the concerns list without tenant references or free text (typed answers,
notes); acknowledging and closing is for officers and admins. Closing needs a note saying
what was done. A list with personal data in it is written to the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from api.auth.deps import OfficerUser, SessionDep, StaffUser, service_of
from api.http import no_nul, now_of
from bot.access.audit import audit
from bot.concerns import queries
from bot.concerns.models import ConcernStatus
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
    request: Request,
    user: StaffUser,
    connection: SessionDep,
    status: ConcernStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[dict[str, Any]]:
    return queries.view_concerns(
        connection, service_of(request).registry, user, status=status, limit=limit, via="api"
    )


def act(
    connection: Any, request: Request, concern_id: int, by: str, close: bool, note: str | None
) -> None:
    note = no_nul(note) if note else None
    try:
        if close:
            if not (note or "").strip():
                raise HTTPException(422, "Write a note saying what was done before closing.")
            queries.close(
                connection, concern_id, by=by, note=(note or "").strip(), now=now_of(request)
            )
        else:
            queries.acknowledge(
                connection,
                concern_id,
                by=by,
                note=(note or "").strip() or None,
                now=now_of(request),
            )
    except queries.ConcernError as error:
        raise HTTPException(error.status, str(error)) from None


@router.post("/api/concerns/{concern_id}/acknowledge")
def acknowledge(
    request: Request,
    user: OfficerUser,
    connection: SessionDep,
    concern_id: ConcernId,
    body: AcknowledgeBody | None = None,
) -> dict[str, str]:
    act(connection, request, concern_id, user.name, False, body.note if body else None)
    return {"status": ConcernStatus.ACKNOWLEDGED.value}


@router.post("/api/concerns/{concern_id}/close")
def close(
    request: Request,
    user: OfficerUser,
    connection: SessionDep,
    concern_id: ConcernId,
    body: CloseBody,
) -> dict[str, str]:
    act(connection, request, concern_id, user.name, True, body.note)
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
