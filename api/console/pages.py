"""The officer console's pages: dashboard, questionnaires, tenants, audit log.

Campaign and concern pages live in their own modules and join this router. A page for a
role that may not see it answers 403; someone not signed in goes to the sign-in page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from starlette.responses import HTMLResponse

from api.auth.deps import console_roles
from api.console.render import STATIC_DIR, STATIC_PATH, page
from api.http import ServiceDep
from api.questionnaires.routes import preview_questionnaire
from api.tenants.routes import list_tenants_page, view_tenant
from bot.access.audit import ACTION_WORDS, list_audit
from bot.access.users import Principal, Role
from bot.concerns.queries import dashboard_counts
from bot.i18n.languages import LANGUAGES
from bot.questionnaire.compiler import CHANNELS
from bot.tenants.queries import TenantFilters

router = APIRouter(include_in_schema=False)
Staff = Annotated[Principal, Depends(console_roles(Role.OFFICER, Role.ANALYST))]
Officer = Annotated[Principal, Depends(console_roles(Role.OFFICER))]
Admin = Annotated[Principal, Depends(console_roles(Role.ADMIN))]
TENANTS_PER_PAGE = 25


@router.get("/console/")
def dashboard(request: Request, service: ServiceDep, user: Staff) -> HTMLResponse:
    with service.database.engine.connect() as connection:
        counts = dashboard_counts(connection, service.engine.clock())
    return page(request, "dashboard.html", user, "/console/", counts=counts)


@router.get("/console/questionnaires")
def questionnaires(request: Request, service: ServiceDep, user: Staff) -> HTMLResponse:
    loaded = service.registry.all()
    return page(
        request,
        "questionnaires.html",
        user,
        "/console/questionnaires",
        questionnaires=loaded,
        channels=CHANNELS,
    )


@router.get("/console/questionnaires/{questionnaire_id}")
def questionnaire_preview(
    request: Request,
    service: ServiceDep,
    user: Staff,
    questionnaire_id: Annotated[str, PathParam(max_length=64)],
    language: Annotated[str | None, Query(max_length=16)] = None,
    channel: Annotated[str, Query(max_length=16)] = "sms",
) -> HTMLResponse:
    if channel not in CHANNELS:
        channel = "sms"
    try:
        questionnaire = service.registry.latest(questionnaire_id)
    except KeyError:
        raise HTTPException(404, f"No questionnaire {questionnaire_id!r} is loaded.") from None
    if language not in questionnaire.languages:
        language = questionnaire.default_language
    preview = preview_questionnaire(service, questionnaire_id, language, channel)
    return page(
        request,
        "preview.html",
        user,
        "/console/questionnaires",
        questionnaire=questionnaire,
        preview=preview,
        channels=CHANNELS,
    )


@router.get("/console/tenants")
def tenants(
    request: Request,
    service: ServiceDep,
    user: Staff,
    q: Annotated[str, Query(max_length=100)] = "",
    language: Annotated[str, Query(max_length=16)] = "",
    channel: Annotated[str, Query(max_length=16)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=10**6)] = 1,
) -> HTMLResponse:
    filters = TenantFilters(
        query=q.replace("\x00", ""),
        language=language if language in LANGUAGES else "",
        channel=channel if channel in CHANNELS else "",
    )
    offset = (page_number - 1) * TENANTS_PER_PAGE
    with service.database.engine.begin() as connection:
        found, total = list_tenants_page(
            connection, user, filters, limit=TENANTS_PER_PAGE, offset=offset
        )
    return page(
        request,
        "tenants.html",
        user,
        "/console/tenants",
        filters=filters,
        tenants=found,
        total=total,
        page_number=page_number,
        pages=max(1, -(-total // TENANTS_PER_PAGE)),
        offset=offset,
        languages=LANGUAGES,
        channels=CHANNELS,
    )


@router.get("/console/tenants/{tenant_ref}")
def tenant(
    request: Request,
    service: ServiceDep,
    user: Officer,
    tenant_ref: Annotated[str, PathParam(max_length=64)],
) -> HTMLResponse:
    with service.database.engine.begin() as connection:
        profile = view_tenant(connection, user, tenant_ref, "console")
    return page(request, "tenant.html", user, "/console/tenants", tenant=profile)


@router.get("/console/audit")
def audit_log(
    request: Request,
    service: ServiceDep,
    user: Admin,
    action: Annotated[str | None, Query(max_length=64)] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> HTMLResponse:
    wanted = action.replace("\x00", "") if action else None
    with service.database.engine.connect() as connection:
        entries = list_audit(connection, action=wanted or None, limit=100, offset=offset)
    return page(
        request,
        "audit.html",
        user,
        "/console/audit",
        entries=entries,
        action_choices=ACTION_WORDS,
        action=wanted or "",
        offset=offset,
        limit=100,
    )


__all__ = ["STATIC_DIR", "STATIC_PATH", "router"]
