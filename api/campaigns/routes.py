"""Campaign routes: everyone signed in may look; officers and admins create and change.

`POST /api/campaigns` takes the same settings as a campaign file (`doorstep campaign
create`), as JSON: name, questionnaire, starts_at, ends_at, days, hours, timezone, audience,
sample, channels, reminders, ... Every problem comes back at once as a sentence naming the
field (422). A new campaign is a draft: nothing is sent before `.../schedule`. Creating,
editing and every change of state is recorded in the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from api.auth.deps import OfficerUser, SessionDep, StaffUser
from api.http import Limit, NowDep, ServiceDep, read_json_object
from bot.access.audit import audit
from bot.campaigns import service as campaign_service
from bot.campaigns.models import CampaignState

router = APIRouter(tags=["campaigns"])
SPEC_LIMIT = Limit(
    64 * 1024, f"The upload is larger than {64 * 1024:,} bytes; send a smaller file."
)
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


@router.get("/api/campaigns")
def campaigns(
    user: StaffUser, connection: SessionDep, state: CampaignState | None = None
) -> list[dict[str, Any]]:
    return campaign_service.list_campaigns(connection, state)


@router.post("/api/campaigns", openapi_extra=_SPEC_BODY, status_code=201)
async def create_campaign(
    request: Request, user: OfficerUser, service: ServiceDep, now: NowDep
) -> JSONResponse:
    data = await read_json_object(request, SPEC_LIMIT)
    with service.database.engine.begin() as connection:
        campaign_id = campaign_service.create_campaign(connection, service.registry, data, now)
        audit(connection, user, "campaign_create", f"campaign {campaign_id}", at=now)
        created = campaign_service.campaign_json(connection, campaign_id)
    return JSONResponse(created, status_code=201)


@router.get("/api/campaigns/{campaign_id}")
def campaign(user: StaffUser, connection: SessionDep, campaign_id: CampaignId) -> dict[str, Any]:
    return campaign_service.campaign_json(connection, campaign_id)


@router.patch("/api/campaigns/{campaign_id}", openapi_extra=_SPEC_BODY)
async def edit_campaign(
    request: Request, user: OfficerUser, service: ServiceDep, now: NowDep, campaign_id: CampaignId
) -> dict[str, Any]:
    changes = await read_json_object(request, SPEC_LIMIT)
    with service.database.engine.begin() as connection:
        campaign_service.edit_campaign(connection, service.registry, campaign_id, changes, now)
        audit(connection, user, "campaign_edit", f"campaign {campaign_id}", at=now)
        return campaign_service.campaign_json(connection, campaign_id)


@router.get("/api/campaigns/{campaign_id}/progress")
def progress(user: StaffUser, connection: SessionDep, campaign_id: CampaignId) -> dict[str, Any]:
    return campaign_service.progress_json(connection, campaign_id)


@router.post("/api/campaigns/{campaign_id}/{action}")
def campaign_action(
    user: OfficerUser, service: ServiceDep, now: NowDep, campaign_id: CampaignId, action: Action
) -> dict[str, Any]:
    """schedule (a draft), pause, resume or cancel; 409 when the state does not allow it."""
    with service.database.engine.begin() as connection:
        campaign_service.change_state(connection, campaign_id, action, now)
        audit(connection, user, f"campaign_{action}", f"campaign {campaign_id}", at=now)
        return campaign_service.campaign_json(connection, campaign_id)
