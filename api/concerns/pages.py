"""The cases page: open cases by time left (overdue first), with the forms to work them.

An officer records each step (who and when), changes a case's category and severity, and
closes it with a note. The step and classify routes are declared before `{action}` so that
they match first.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from starlette.responses import HTMLResponse, Response

from api.auth.deps import console_roles
from api.console.render import back_to, form_of, page
from api.http import ServiceDep
from bot.access.users import Principal, Role
from bot.concerns import queries, steps
from bot.concerns.case_view import CATEGORY_NAMES, SEVERITY_NAMES
from bot.concerns.models import ConcernStatus, Step
from bot.concerns.steps import STEP_DONE

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
            connection,
            service.registry,
            user,
            status=wanted,
            via="console",
            now=service.engine.clock(),
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
        categories=CATEGORY_NAMES,
        severities=SEVERITY_NAMES,
        step_names=STEP_DONE,
    )


@router.post(PATH + "/{concern_id}/classify")
async def classify(
    request: Request, service: ServiceDep, user: Officer, concern_id: ConcernId
) -> Response:
    form = await form_of(request)
    back = _back(form)
    try:
        with service.database.engine.begin() as connection:
            done = steps.reclassify(
                connection, user, concern_id, form.get("category", ""), form.get("severity", "")
            )
    except queries.ConcernError as problem:
        return back_to(PATH, status=back, error=str(problem))
    return back_to(PATH, status=back, message=done)


@router.post(PATH + "/{concern_id}/steps/{step}")
async def record_step(
    request: Request, service: ServiceDep, user: Officer, concern_id: ConcernId, step: str
) -> Response:
    form = await form_of(request)
    back = _back(form)
    if step not in set(Step):
        return back_to(PATH, status=back, error="That is not a step a case has.")
    try:
        with service.database.engine.begin() as connection:
            done = steps.record_step(
                connection, user, concern_id, Step(step), service.engine.clock()
            )
    except queries.ConcernError as problem:
        return back_to(PATH, status=back, error=str(problem))
    return back_to(PATH, status=back, message=done)


def _back(form: dict[str, str]) -> str:
    back = form.get("status", "open")
    return back if back in ("all", *ConcernStatus) else "open"


@router.post(PATH + "/{concern_id}/{action}")
async def concern_action(
    request: Request, service: ServiceDep, user: Officer, concern_id: ConcernId, action: str
) -> Response:
    form = await form_of(request)
    note = form.get("note", "").strip()
    back = _back(form)
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
