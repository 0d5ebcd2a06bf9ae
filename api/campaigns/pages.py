"""Campaign pages: the list, the create form, and a campaign's page with live progress.

The progress table is rendered on the server; `progress.js` refreshes it from
`/api/campaigns/{id}/progress` every few seconds, and a plain link reloads the page when
JavaScript is off.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from starlette.responses import HTMLResponse, Response

from api.auth.deps import console_roles, service_of
from api.campaigns import work as campaign_work
from api.console.render import back_to, form_of, page
from api.http import CAMPAIGN_ERRORS, campaign_http_error
from bot.access.users import Principal, Role
from bot.campaigns.spec import CampaignSpecError

router = APIRouter(include_in_schema=False)
Staff = Annotated[Principal, Depends(console_roles(Role.OFFICER, Role.ANALYST))]
Officer = Annotated[Principal, Depends(console_roles(Role.OFFICER))]
CampaignId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
Message = Annotated[str | None, Query(max_length=300)]
DEFAULTS = {
    "days": "mon-sat",
    "hours": "09:00-20:00",
    "timezone": "Europe/London",
    "reminders": "1",
    "reminder_interval_hours": "72",
}
# Which buttons a campaign in each state offers.
BUTTONS = {
    "draft": ("schedule", "cancel"),
    "scheduled": ("pause", "cancel"),
    "running": ("pause", "cancel"),
    "paused": ("resume", "cancel"),
}


@router.get("/console/campaigns")
def campaigns(request: Request, user: Staff, message: Message = None) -> HTMLResponse:
    with service_of(request).database.engine.connect() as connection:
        found = campaign_work.list_campaigns(connection, None)
    return page(
        request, "campaigns.html", user, "/console/campaigns", campaigns=found, message=message
    )


def _new_form(
    request: Request, user: Principal, form: dict[str, str], problems: list[str], status: int
) -> HTMLResponse:
    questionnaires = service_of(request).registry.all()
    return page(
        request,
        "campaign_new.html",
        user,
        "/console/campaigns",
        status_code=status,
        form={**DEFAULTS, **form},
        problems=problems,
        questionnaires=questionnaires,
    )


@router.get("/console/campaigns/new")
def new_campaign(request: Request, user: Officer) -> HTMLResponse:
    return _new_form(request, user, {}, [], 200)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def spec_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as campaign settings; blank fields keep their defaults."""
    data: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "questionnaire": form.get("questionnaire", "").strip(),
        "starts_at": form.get("starts_at", "").strip(),
    }
    for name in ("ends_at", "days", "hours", "timezone"):
        if form.get(name, "").strip():
            data[name] = form[name].strip()
    for name in ("reminders", "reminder_interval_hours"):
        if form.get(name, "").strip():
            data[name] = form[name].strip()
    if form.get("channels", "").strip():
        data["channels"] = _split(form["channels"])
    audience: dict[str, Any] = {}
    if form.get("area", "").strip():
        audience["area"] = _split(form["area"])
    if form.get("tenant_refs", "").strip():
        audience["tenant_refs"] = _split(form["tenant_refs"].replace(" ", ","))
    if audience:
        data["audience"] = audience
    return data


@router.post("/console/campaigns")
async def create_campaign(request: Request, user: Officer) -> Response:
    form = await form_of(request)
    service = service_of(request)
    try:
        with service.database.engine.begin() as connection:
            campaign_id = campaign_work.create(
                connection, service.registry, spec_from_form(form), service.engine.clock()
            )
    except CampaignSpecError as error:
        return _new_form(request, user, form, error.problems, 422)
    except OverflowError:
        return _new_form(request, user, form, ["starts_at: the date is out of range."], 422)
    return back_to(
        f"/console/campaigns/{campaign_id}",
        message="The campaign was created as a draft. Schedule it when it is ready.",
    )


@router.get("/console/campaigns/{campaign_id}")
def campaign(
    request: Request,
    user: Staff,
    campaign_id: CampaignId,
    message: Message = None,
    error: Message = None,
) -> HTMLResponse:
    try:
        with service_of(request).database.engine.connect() as connection:
            details = campaign_work.campaign_json(connection, campaign_id)
            progress = campaign_work.progress_json(connection, campaign_id)
    except CAMPAIGN_ERRORS as problem:
        raise campaign_http_error(problem) from None
    may_act = user.role in (Role.OFFICER, Role.ADMIN)
    buttons = BUTTONS.get(details["state"], ()) if may_act else ()
    return page(
        request,
        "campaign.html",
        user,
        "/console/campaigns",
        campaign=details,
        progress=progress,
        buttons=buttons,
        message=message,
        error=error,
    )


@router.post("/console/campaigns/{campaign_id}/{action}")
def campaign_action(
    request: Request, user: Officer, campaign_id: CampaignId, action: str
) -> Response:
    path = f"/console/campaigns/{campaign_id}"
    if action not in campaign_work.ACTIONS:
        return back_to(path, error="That is not something a campaign can do.")
    service = service_of(request)
    try:
        with service.database.engine.begin() as connection:
            changed = campaign_work.ACTIONS[action](connection, campaign_id, service.engine.clock())
    except CAMPAIGN_ERRORS as problem:
        return back_to(path, error=str(problem))
    return back_to(path, message=f"The campaign is now {changed.state.value}.")
