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

from api.auth.deps import console_roles
from api.console.render import back_to, form_of, page
from api.http import ServiceDep, get_service
from bot.access.users import Principal, Role
from bot.campaigns import service as campaign_service
from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.spec import CampaignSpecError
from bot.campaigns.store import UnknownCampaign

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
def campaigns(
    request: Request, service: ServiceDep, user: Staff, message: Message = None
) -> HTMLResponse:
    with service.database.engine.connect() as connection:
        found = campaign_service.list_campaigns(connection)
    return page(
        request, "campaigns.html", user, "/console/campaigns", campaigns=found, message=message
    )


def _new_form(
    request: Request, user: Principal, form: dict[str, str], problems: list[str], status: int
) -> HTMLResponse:
    questionnaires = get_service(request).registry.all()
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
async def create_campaign(request: Request, service: ServiceDep, user: Officer) -> Response:
    form = await form_of(request)
    try:
        with service.database.engine.begin() as connection:
            campaign_id = campaign_service.create_campaign(
                connection, service.registry, spec_from_form(form), service.engine.clock()
            )
    except CampaignSpecError as error:  # shown on the form, beside what was typed
        return _new_form(request, user, form, error.problems, 422)
    return back_to(
        f"/console/campaigns/{campaign_id}",
        message="The campaign was created as a draft. Schedule it when it is ready.",
    )


@router.get("/console/campaigns/{campaign_id}")
def campaign(
    request: Request,
    service: ServiceDep,
    user: Staff,
    campaign_id: CampaignId,
    message: Message = None,
    error: Message = None,
) -> HTMLResponse:
    with service.database.engine.connect() as connection:
        details = campaign_service.campaign_json(connection, campaign_id)
        progress = campaign_service.progress_json(connection, campaign_id)
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
    service: ServiceDep, user: Officer, campaign_id: CampaignId, action: str
) -> Response:
    path = f"/console/campaigns/{campaign_id}"
    try:
        with service.database.engine.begin() as connection:
            changed = campaign_service.change_state(
                connection, campaign_id, action, service.engine.clock()
            )
    except (CampaignStateError, UnknownCampaign) as problem:  # shown on the campaign's page
        return back_to(path, error=str(problem))
    return back_to(path, message=f"The campaign is now {changed.state.value}.")
