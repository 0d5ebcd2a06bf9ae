"""The console's data-rights page for admins: subject access download and erasure.

`/console/tenants/{tenant_ref}/data-rights` links to the subject-access JSON (the API route,
which a signed-in browser may fetch) and posts the erasure form here, with the session's
CSRF token and the tenant reference typed again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.auth.deps import Principal, Role, console_roles
from api.auth.pages import render_page
from api.console.render import form_of
from api.http import get_service
from bot.access.audit import audit
from bot.privacy.rights import ErasureResult, UnknownTenant, erase, respondent_id_for

router = APIRouter(include_in_schema=False)
ConsoleAdmin = Annotated[Principal, Depends(console_roles(Role.ADMIN))]
PAGE = "/console/tenants/{tenant_ref}/data-rights"
MAX_REF = 64


def _page(
    request: Request, principal: Principal, tenant_ref: str, *, status_code: int = 200,
    **values: Any,
) -> HTMLResponse:  # fmt: skip
    context = {
        "principal": principal,
        "landlord": get_service(request).settings.landlord_name,
        "nav_current": "/console/tenants",
        "tenant_ref": tenant_ref,
        **values,
    }
    return render_page("data_rights.html", context, status_code=status_code)


def _known(request: Request, tenant_ref: str) -> bool:
    if len(tenant_ref) > MAX_REF or not tenant_ref.isprintable():
        return False
    with get_service(request).database.engine.connect() as connection:
        try:
            respondent_id_for(connection, tenant_ref)
        except UnknownTenant:
            return False
    return True


@router.get(PAGE)
def data_rights(request: Request, tenant_ref: str, principal: ConsoleAdmin) -> HTMLResponse:
    if not _known(request, tenant_ref):
        return _page(request, principal, tenant_ref[:MAX_REF], missing=True, status_code=404)
    return _page(request, principal, tenant_ref)


def _erase(request: Request, principal: Principal, tenant_ref: str) -> ErasureResult:
    service = get_service(request)
    with service.database.engine.connect() as connection, connection.begin():
        result = erase(connection, service.registry, tenant_ref, service.engine.clock(),
                       f"{principal.kind}:{principal.name}"[:100])  # fmt: skip
        audit(connection, principal, "erasure", f"tenant:{tenant_ref}", {"via": "console"},
              result.rows_deleted)  # fmt: skip
    return result


@router.post("/console/tenants/{tenant_ref}/erase")
async def erase_form(request: Request, tenant_ref: str, principal: ConsoleAdmin) -> HTMLResponse:
    # The CSRF check in `console_roles` has already read the form; this reads what it kept.
    confirm = (await form_of(request)).get("confirm")
    if not await run_in_threadpool(_known, request, tenant_ref):
        return _page(request, principal, tenant_ref[:MAX_REF], missing=True, status_code=404)
    if not isinstance(confirm, str) or confirm.strip() != tenant_ref:
        error = f"The reference typed did not match {tenant_ref}. Type it exactly to confirm."
        return _page(request, principal, tenant_ref, error=error, status_code=422)
    try:
        result = await run_in_threadpool(_erase, request, principal, tenant_ref)
    except UnknownTenant:  # erased by someone else a moment ago
        return _page(request, principal, tenant_ref, missing=True, status_code=404)
    return _page(request, principal, tenant_ref, result=result)
