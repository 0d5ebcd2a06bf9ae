"""Campaign routes: everyone signed in may look; officers and admins create and change.

`POST /api/campaigns` takes the same settings as a campaign file (`doorstep campaign
create`), as JSON: name, questionnaire, starts_at, ends_at, days, hours, timezone, audience,
sample, channels, reminders, ... Every problem comes back at once as a sentence naming the
field (422). A new campaign is a draft: nothing is sent before `.../schedule`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from api.auth.deps import OfficerUser, SessionDep, StaffUser, service_of
from api.campaigns import work as campaign_work
from api.http import CAMPAIGN_ERRORS, campaign_http_error, json_object, now_of
from bot.campaigns.models import CampaignState

router = APIRouter(tags=["campaigns"])
MAX_SPEC_BYTES = 64 * 1024
BIGGEST_ID = 2**63 - 1
CampaignId = Annotated[int, PathParam(ge=1, le=BIGGEST_ID)]
Action = Literal["schedule", "pause", "resume", "cancel"]
_SPEC_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "questionnaire": {"type": "string"},
                        "starts_at": {"type": "string", "format": "date-time"},
                        "ends_at": {"type": "string", "format": "date-time"},
                        "days": {"type": "string", "example": "mon-fri"},
                        "hours": {"type": "string", "example": "09:00-20:00"},
                        "timezone": {"type": "string"},
                        "audience": {"type": "object"},
                        "sample": {"type": "object"},
                        "channels": {"type": "array", "items": {"type": "string"}},
                        "reminders": {"type": "integer"},
                    },
                }
            }
        },
    }
}


async def _spec_body(request: Request) -> dict[str, Any]:
    return await json_object(request, MAX_SPEC_BYTES)


@router.get("/api/campaigns")
def campaigns(
    user: StaffUser, connection: SessionDep, state: CampaignState | None = None
) -> list[dict[str, Any]]:
    return campaign_work.list_campaigns(connection, state)


@router.post("/api/campaigns", openapi_extra=_SPEC_BODY, status_code=201)
async def create_campaign(request: Request, user: OfficerUser) -> JSONResponse:
    data = await _spec_body(request)
    service = service_of(request)
    try:
        with service.database.engine.begin() as connection:
            campaign_id = campaign_work.create(connection, service.registry, data, now_of(request))
            created = campaign_work.campaign_json(connection, campaign_id)
    except CAMPAIGN_ERRORS as error:
        raise campaign_http_error(error) from None
    except OverflowError:
        raise HTTPException(422, "starts_at or ends_at is too far in the past or future.") from None
    return JSONResponse(created, status_code=201)


@router.get("/api/campaigns/{campaign_id}")
def campaign(user: StaffUser, connection: SessionDep, campaign_id: CampaignId) -> dict[str, Any]:
    try:
        return campaign_work.campaign_json(connection, campaign_id)
    except CAMPAIGN_ERRORS as error:
        raise campaign_http_error(error) from None


@router.patch("/api/campaigns/{campaign_id}", openapi_extra=_SPEC_BODY)
async def edit_campaign(request: Request, user: OfficerUser, campaign_id: CampaignId) -> Any:
    changes = await _spec_body(request)
    service = service_of(request)
    try:
        with service.database.engine.begin() as connection:
            campaign_work.edit(connection, service.registry, campaign_id, changes, now_of(request))
            return campaign_work.campaign_json(connection, campaign_id)
    except CAMPAIGN_ERRORS as error:
        raise campaign_http_error(error) from None
    except OverflowError:
        raise HTTPException(422, "starts_at or ends_at is too far in the past or future.") from None


@router.get("/api/campaigns/{campaign_id}/progress")
def progress(user: StaffUser, connection: SessionDep, campaign_id: CampaignId) -> dict[str, Any]:
    try:
        return campaign_work.progress_json(connection, campaign_id)
    except CAMPAIGN_ERRORS as error:
        raise campaign_http_error(error) from None


def change_state(request: Request, campaign_id: int, action: str) -> dict[str, Any]:
    service = service_of(request)
    try:
        with service.database.engine.begin() as connection:
            campaign_work.ACTIONS[action](connection, campaign_id, now_of(request))
            return campaign_work.campaign_json(connection, campaign_id)
    except CAMPAIGN_ERRORS as error:
        raise campaign_http_error(error) from None


@router.post("/api/campaigns/{campaign_id}/{action}")
def campaign_action(
    request: Request, user: OfficerUser, campaign_id: CampaignId, action: Action
) -> dict[str, Any]:
    """schedule (a draft), pause, resume or cancel; 409 when the state does not allow it."""
    return change_state(request, campaign_id, action)
