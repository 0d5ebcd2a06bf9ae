"""The campaign builder: the form, its pre-launch estimate, and creating the draft.

Without JavaScript the "Check the estimate" button posts the form and the page comes back
with the estimate beside what was typed. With it, `estimate.js` posts the form to
`/console/campaigns/estimate` as the officer types and swaps in the returned fragment.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from api.auth.deps import console_roles
from api.campaigns.form import DEFAULTS, RATE_CHANNELS, SAMPLES, spec_from_form
from api.console.render import back_to, form_of, fragment, page
from api.http import ServiceDep, get_service
from bot.access.audit import audit
from bot.access.users import Principal, Role
from bot.campaigns import service as campaign_service
from bot.campaigns.attributes import profile_attributes
from bot.campaigns.estimate import KIND_NAMES, Estimate, estimate_campaign
from bot.campaigns.spec import CHANNELS, CampaignSpecError, parse_spec

router = APIRouter(include_in_schema=False)
Officer = Annotated[Principal, Depends(console_roles(Role.OFFICER))]


def _available(request: Request) -> list[str] | None:
    channels = getattr(request.app.state, "channels", None)
    return list(channels.senders()) if channels is not None else None


def estimate_for(request: Request, form: dict[str, str]) -> tuple[Estimate | None, list[str]]:
    """The estimate for the form as it stands, or the sentences saying what to fix first."""
    service = get_service(request)
    questionnaires = service.registry.all()
    attributes = profile_attributes(questionnaires)
    now = service.engine.clock()
    try:
        spec = parse_spec(spec_from_form(form, attributes, now=now))
        questionnaire = service.registry.latest(spec.questionnaire)
    except CampaignSpecError as error:
        return None, error.problems
    except KeyError:
        return None, ["Questionnaire: choose one of the questionnaires."]
    with service.database.engine.connect() as connection:
        found = estimate_campaign(
            connection,
            questionnaire,
            spec,
            service.settings,
            now,
            available=_available(request),
        )
    return found, []


def _context(request: Request, form: dict[str, str]) -> dict[str, Any]:
    questionnaires = get_service(request).registry.all()
    # A posted form without the box ticked means "no", not the default "yes".
    attributes = profile_attributes(questionnaires)
    defaults = {k: v for k, v in DEFAULTS.items() if not form or k != "use_preferences"}
    return {
        "form": {**defaults, **form},
        "questionnaires": questionnaires,
        "attributes": attributes,
        "strata": list(dict.fromkeys(["area", "estate", "tenure", *attributes])),
        "samples": SAMPLES,
        "channel_names": CHANNELS,
        "rate_channels": RATE_CHANNELS,
        "kind_names": KIND_NAMES,
    }


def _new_form(
    request: Request,
    user: Principal,
    form: dict[str, str],
    problems: list[str],
    status: int,
) -> HTMLResponse:
    context = _context(request, form)
    estimate, estimate_problems = estimate_for(request, context["form"])
    return page(
        request,
        "campaign_new.html",
        user,
        "/console/campaigns",
        status_code=status,
        problems=problems,
        estimate=estimate,
        estimate_problems=estimate_problems,
        **context,
    )


@router.get("/console/campaigns/new")
def new_campaign(request: Request, user: Officer) -> HTMLResponse:
    return _new_form(request, user, {}, [], 200)


@router.post("/console/campaigns/estimate")
async def campaign_estimate(request: Request, user: Officer) -> HTMLResponse:
    """The estimate fragment for the form as typed (the builder's script asks for it)."""
    form = await form_of(request)
    context = _context(request, form)
    estimate, problems = estimate_for(request, context["form"])
    return fragment("_estimate.html", estimate=estimate, estimate_problems=problems, **context)


@router.post("/console/campaigns")
async def create_campaign(request: Request, service: ServiceDep, user: Officer) -> Response:
    form = await form_of(request)
    if "check" in form:  # the no-JavaScript estimate: show the form again with it
        return _new_form(request, user, form, [], 200)
    attributes = profile_attributes(service.registry.all())
    try:
        with service.database.engine.begin() as connection:
            campaign_id = campaign_service.create_campaign(
                connection,
                service.registry,
                spec_from_form(form, attributes),
                service.engine.clock(),
            )
            audit(connection, user, "campaign_create", f"campaign {campaign_id}")
    except CampaignSpecError as error:  # shown on the form, beside what was typed
        return _new_form(request, user, form, error.problems, 422)
    return back_to(
        f"/console/campaigns/{campaign_id}",
        message="The campaign was created as a draft. Schedule it when it is ready.",
    )
