"""The concerns page: open, acknowledged and closed concerns, with the forms to act on them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from starlette.responses import HTMLResponse, Response

from api.auth.deps import console_roles
from api.console.render import back_to, form_of, page
from api.http import ServiceDep
from bot.access.users import Principal, Role
from bot.concerns import queries
from bot.concerns.models import ConcernStatus

router = APIRouter(include_in_schema=False)
Staff = Annotated[Principal, Depends(console_roles(Role.OFFICER, Role.ANALYST))]
Officer = Annotated[Principal, Depends(console_roles(Role.OFFICER))]
ConcernId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
Message = Annotated[str | None, Query(max_length=300)]
PATH = "/console/concerns"
MAX_NOTE = 2000


@router.get(PATH)
def concerns(
    request: Request,
    service: ServiceDep,
    user: Staff,
    status: Annotated[str, Query(max_length=16)] = "open",
    message: Message = None,
    error: Message = None,
) -> HTMLResponse:
    wanted = (
        None
        if status == "all"
        else ConcernStatus(status)
        if status in set(ConcernStatus)
        else ConcernStatus.OPEN
    )
    with service.database.engine.begin() as connection:
        found = queries.view_concerns(
            connection, service.registry, user, status=wanted, via="console"
        )
    may_act = user.role in (Role.OFFICER, Role.ADMIN)
    return page(
        request,
        "concerns.html",
        user,
        PATH,
        concerns=found,
        may_act=may_act,
        status=wanted.value if wanted else "all",
        message=message,
        error=error,
    )


@router.post(PATH + "/{concern_id}/{action}")
async def concern_action(
    request: Request, service: ServiceDep, user: Officer, concern_id: ConcernId, action: str
) -> Response:
    form = await form_of(request)
    note = form.get("note", "").strip()
    back = form.get("status", "open")
    back = back if back in ("all", *ConcernStatus) else "open"
    if action not in ("acknowledge", "close"):
        return back_to(PATH, status=back, error="That is not something a concern can do.")
    if len(note) > MAX_NOTE:
        return back_to(PATH, status=back, error=f"Keep the note under {MAX_NOTE} characters.")
    if action == "close" and not note:
        return back_to(
            PATH,
            status=back,
            error=f"Write a note saying what was done before closing concern {concern_id}.",
        )
    now = service.engine.clock()
    try:
        with service.database.engine.begin() as connection:
            if action == "close":
                queries.close(connection, concern_id, by=user.name, note=note, now=now)
            else:
                queries.acknowledge(
                    connection, concern_id, by=user.name, note=note or None, now=now
                )
    except queries.ConcernError as problem:
        return back_to(PATH, status=back, error=str(problem))
    done = "closed" if action == "close" else "acknowledged"
    return back_to(PATH, status=back, message=f"Concern {concern_id} was {done}.")
