"""Tenants: search (everyone; contact details for officers only), one tenant's profile
(officers) and importing a spreadsheet (officers). Every search and every profile view is
written to the audit log, in the same transaction as the read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool

from api.auth.deps import OfficerUser, SessionDep, StaffUser
from api.http import MULTIPART_TYPE, Limit, NowDep, ServiceDep, no_nul, read_upload, require_type
from bot.access.audit import audit
from bot.access.users import Principal
from bot.service import Service
from bot.tenants.importer import ImportSummary, import_tenants
from bot.tenants.queries import TenantFilters, list_tenants, search_tenants, tenant_profile
from bot.tenants.table import CSV_SUFFIXES, XLSX_SUFFIXES

router = APIRouter(tags=["tenants"])
MAX_IMPORT_BYTES = 50 * 1024 * 1024
IMPORT_LIMIT = Limit(
    MAX_IMPORT_BYTES, f"The upload is larger than {MAX_IMPORT_BYTES:,} bytes; send a smaller file."
)
_IMPORT_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "dry_run": {"type": "boolean"},
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


@router.get("/api/tenants")
def tenants(
    user: StaffUser,
    connection: SessionDep,
    q: Annotated[str, Query(max_length=100, description="Tenant reference, area or estate")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    return find_tenants(connection, user, no_nul(q), via="api", limit=limit)


def _searched_for(query: str, found: list[dict[str, Any]]) -> str:
    """What kind of term was searched for: the audit names the kind, never the term itself
    (a term is typed by hand and may be a name or a phone number by mistake)."""
    wanted = query.strip().lower()
    if not wanted:
        return "everyone"
    if any(str(item["tenant_ref"]).lower() == wanted for item in found):
        return "a tenant reference"
    return "part of a reference, area or estate"


def find_tenants(
    connection: Any, principal: Principal, query: str, *, via: str, limit: int = 50
) -> list[dict[str, Any]]:
    """A tenant search, recorded in the audit log with the tenants it showed."""
    personal = principal.sees_contact_details
    found = search_tenants(connection, query, personal=personal, limit=limit)
    details = {
        "via": via,
        "searched_for": _searched_for(query, found),
        "contact_details": personal,
        "tenants": [item["tenant_ref"] for item in found],
    }
    audit(connection, principal, "search_tenants", "tenants", details, len(found))
    return found


def list_tenants_page(
    connection: Any,
    principal: Principal,
    filters: TenantFilters,
    *,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the console's tenants list, recorded like a search."""
    personal = principal.sees_contact_details
    found, total = list_tenants(connection, filters, personal=personal, limit=limit, offset=offset)
    details = {
        "via": "console",
        "searched_for": _searched_for(filters.query, found),
        "language": filters.language or None,
        "channel": filters.channel or None,
        "contact_details": personal,
        "tenants": [item["tenant_ref"] for item in found],
    }
    audit(connection, principal, "search_tenants", "tenants", details, len(found))
    return found, total


def view_tenant(connection: Any, principal: Principal, tenant_ref: str, via: str) -> dict[str, Any]:
    """The profile, recorded in the audit log in the same transaction as it is read."""
    profile = tenant_profile(connection, tenant_ref)
    if profile is None:
        raise HTTPException(404, f"No tenant has the reference {tenant_ref!r}.")
    target = f"tenant:{profile['tenant_ref']}"
    audit(connection, principal, "view_tenant", target, {"via": via}, 1)
    return profile


@router.get("/api/tenants/{tenant_ref}")
def tenant(
    user: OfficerUser,
    connection: SessionDep,
    tenant_ref: Annotated[str, PathParam(max_length=64)],
) -> dict[str, Any]:
    return view_tenant(connection, user, tenant_ref, "api")


def run_import(
    service: Service, name: str, content: bytes, *, dry_run: bool, now: Any
) -> ImportSummary:
    suffix = Path(name).suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise HTTPException(422, "Send a CSV or XLSX file (a name ending .csv or .xlsx).")
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name)[:100]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / safe
        path.write_bytes(content)
        return import_tenants(
            service.database,
            path,
            now=now,
            region=service.settings.sms_default_region,
            default_timezone=service.settings.timezone,
            dry_run=dry_run,
        )


def summary_json(summary: ImportSummary) -> dict[str, Any]:
    return {
        "summary": summary.line(),
        "rows": summary.rows,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "refused": summary.refused,
        "dry_run": summary.dry_run,
        "errors": [{"row": p.row, "message": p.message} for p in summary.errors],
        "warnings": [{"row": p.row, "message": p.message} for p in summary.warnings],
    }


@router.post("/api/tenants/import", openapi_extra=_IMPORT_OPENAPI)
async def import_file(
    request: Request, user: OfficerUser, service: ServiceDep, now: NowDep
) -> dict[str, Any]:
    require_type(request, (MULTIPART_TYPE,), "Send the file as a form field called 'file'.")
    name, content, fields = await read_upload(request, IMPORT_LIMIT)
    dry_run = fields.get("dry_run", "").strip().lower() in ("true", "1", "yes", "on")
    summary = await run_in_threadpool(run_import, service, name, content, dry_run=dry_run, now=now)
    return summary_json(summary)
