"""Campaign pages: the list, a campaign's page with live progress, and its letter list.

The progress table is rendered on the server; `progress.js` refreshes it from
`/api/campaigns/{id}/progress` every few seconds, and a plain link reloads the page when
JavaScript is off.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from starlette.responses import HTMLResponse, Response

from api.auth.deps import console_roles
from api.console.render import back_to, page
from api.http import ServiceDep
from bot.access.audit import audit
from bot.access.users import Principal, Role
from bot.campaigns import service as campaign_service
from bot.campaigns.letter_list import letter_list as letter_list_of
from bot.campaigns.letter_list import letter_list_csv
from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.report import campaign_report
from bot.campaigns.store import UnknownCampaign
from bot.service import Service

router = APIRouter(include_in_schema=False)
Staff = Annotated[Principal, Depends(console_roles(Role.OFFICER, Role.ANALYST))]
Officer = Annotated[Principal, Depends(console_roles(Role.OFFICER))]
# The letter and call list holds names and numbers: officers and admins, never analysts.
Contacts = Annotated[Principal, Depends(console_roles(Role.OFFICER))]
CampaignId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
Message = Annotated[str | None, Query(max_length=300)]
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
        request,
        "campaigns.html",
        user,
        "/console/campaigns",
        campaigns=found,
        titles=questionnaire_titles(service),
        message=message,
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
        report = campaign_report(connection, campaign_id, service.engine.clock())
    titles = questionnaire_titles(service)
    may_act = user.role in (Role.OFFICER, Role.ADMIN)
    buttons = BUTTONS.get(details["state"], ()) if may_act else ()
    return page(
        request,
        "campaign.html",
        user,
        "/console/campaigns",
        campaign=details,
        progress=progress,
        report=report,
        title=titles.get(details["questionnaire"], details["questionnaire"]),
        may_list=user.sees_contact_details,
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
            audit(connection, user, f"campaign_{action}", f"campaign {campaign_id}")
    except (CampaignStateError, UnknownCampaign) as problem:  # shown on the campaign's page
        return back_to(path, error=str(problem))
    return back_to(path, message=f"The campaign is now {changed.state.value}.")


def questionnaire_titles(service: Service) -> dict[str, str]:
    """Questionnaire id -> its English title, as officers know it."""
    landlord = service.settings.landlord_name
    return {q.id: q.title.filled("en", landlord) for q in service.registry.all()}


@router.get("/console/campaigns/{campaign_id}/letters")
def letter_list(
    request: Request, service: ServiceDep, user: Contacts, campaign_id: CampaignId
) -> Response:
    """Tenants who asked for a letter or a call instead of messages, as CSV (audited)."""
    try:
        with service.database.engine.begin() as connection:
            found = letter_list_of(connection, campaign_id, user, service.engine.clock())
    except PermissionError as refused:
        raise HTTPException(403, str(refused)) from None
    campaign = found.campaign
    filename = f"campaign-{campaign.id}-letters-and-calls.csv"
    return Response(
        letter_list_csv(found.rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
