"""Admin-only endpoints: the audit log, a tenant's subject-access report, and erasure.

Subject access and erasure are themselves audited (who, which tenant, how many rows), in
the same transaction as the read or the erasure.
"""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth.deps import AdminUser, SessionDep
from api.http import ServiceDep
from bot.access.audit import MAX_PAGE, audit, list_audit
from bot.fields.iso import IsoDateTime
from bot.privacy.rights import UnknownTenant, erase, respondent_id_for, subject_access
from bot.tenants.lookup import lookup_reference

router = APIRouter()
TenantRef = Annotated[str, Path(min_length=1, max_length=64, description="The tenant reference.")]


def _known_text(value: str | None, name: str) -> str | None:
    if value is not None and not value.isprintable():
        raise HTTPException(422, f"The {name} filter contains characters that cannot be searched.")
    return value or None


def _utc(value: datetime.datetime | None, name: str) -> datetime.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)  # a time without an offset is read as UTC
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        raise HTTPException(422, f"The {name} date is out of range.") from None


@router.get("/api/audit")
def audit_log(
    principal: AdminUser,
    connection: SessionDep,
    action: Annotated[str | None, Query(max_length=64, description="e.g. export")] = None,
    who: Annotated[str | None, Query(max_length=254, description="email or key name")] = None,
    target: Annotated[str | None, Query(max_length=200, description="e.g. tenant:T-1")] = None,
    since: Annotated[IsoDateTime | None, Query(description="from (inclusive)")] = None,
    until: Annotated[IsoDateTime | None, Query(description="to (exclusive)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Who exported or viewed what, newest first, filtered and paged."""
    page = list_audit(
        connection,
        action=_known_text(action, "action"),
        who=_known_text(who, "who"),
        target=_known_text(target, "target"),
        since=_utc(since, "since"),
        until=_utc(until, "until"),
        limit=limit,
        offset=offset,
    )
    return {
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "entries": [entry.as_json() for entry in page.entries],
    }


def _checked_ref(tenant_ref: str) -> str:
    """The reference in its normal form; 404 when no stored tenant can have it (e.g. NUL)."""
    normal = lookup_reference(tenant_ref)
    if normal is None:
        raise UnknownTenant(tenant_ref)
    return normal


@router.get("/api/tenants/{tenant_ref}/subject-access")
def tenant_subject_access(
    tenant_ref: TenantRef, principal: AdminUser, connection: SessionDep
) -> Response:
    """Everything held about one tenant (a subject access request), as JSON."""
    _checked_ref(tenant_ref)
    report = subject_access(connection, tenant_ref)
    rows = 1 + sum(len(value) for value in report.values() if isinstance(value, list))
    stored = str(report["tenant_ref"])
    audit(connection, principal, "subject_access", f"tenant:{stored}", {}, rows)
    body = json.dumps(report, default=str, indent=2, ensure_ascii=False)
    filename = f"subject-access-{_filename(stored)}.json"
    return Response(
        body,
        media_type="application/json",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def _filename(tenant_ref: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in tenant_ref)


class ErasureRequest(BaseModel):
    confirm: str = Field(
        max_length=64, description="The tenant reference typed again, to confirm the erasure."
    )


@router.post("/api/tenants/{tenant_ref}/erase")
def erase_tenant(
    tenant_ref: TenantRef,
    body: ErasureRequest,
    service: ServiceDep,
    principal: AdminUser,
    connection: SessionDep,
) -> dict[str, Any]:
    """Erase a tenant's personal data and free text; coded answers stay, anonymous."""
    normal = _checked_ref(tenant_ref)
    respondent_id_for(connection, tenant_ref)
    if lookup_reference(body.confirm) != normal:
        raise HTTPException(
            422, "To confirm the erasure, send the tenant reference again in 'confirm'."
        )
    result = erase(
        connection,
        service.registry,
        tenant_ref,
        service.engine.clock(),
        f"{principal.kind}:{principal.name}"[:100],
    )
    audit(connection, principal, "erasure", f"tenant:{normal}", {}, result.rows_deleted)
    return {
        "erased": True,
        "rows_deleted": result.rows_deleted,
        "answers_kept": result.answers_kept,
        "cases_kept": result.cases_kept,
    }
