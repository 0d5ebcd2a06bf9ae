"""Analyst endpoints: responses as JSON, exports (CSV, XLSX, Parquet, SPSS .sav), codebook.

    GET /api/responses?questionnaire=post_repair&channel=sms&completed=true&limit=100
    GET /api/exports/sav?questionnaire=post_repair&date_from=2026-01-01
    GET /api/exports/csv?questionnaire=post_repair&identifiable=true
    GET /api/exports/codebook.json?questionnaire=post_repair

Analysts, officers and admins may call them. Everything is pseudonymised unless the caller
may export identifiable data and asks for it (`identifiable=true`); every call is written
to the audit log with its filters and row count before any data leaves.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response, StreamingResponse

from analysis.exports import (
    MEDIA_TYPES,
    ExportFilters,
    ExportTable,
    Format,
    build_export,
    codebook_csv,
    codebook_json,
    export_stream,
)
from analysis.frames.sql import reading
from api.auth.deps import Principal, StaffUser
from api.http import ServiceDep
from bot.access.audit import audit
from bot.fields.iso import IsoDate
from bot.service import Service

router = APIRouter(tags=["analysis"])
MAX_PAGE = 1000
NOT_ALLOWED = (
    "Your account may not download identifiable data; ask an administrator to grant it, "
    "or leave out identifiable=true for a pseudonymised export."
)


def export_filters(
    questionnaire: Annotated[
        str, Query(min_length=1, max_length=64, description="Questionnaire id, e.g. post_repair.")
    ],
    version: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    campaign: Annotated[int | None, Query(ge=1, le=2**53, description="Campaign id.")] = None,
    date_from: Annotated[
        IsoDate | None, Query(description="First day the conversation started (UTC).")
    ] = None,
    date_to: Annotated[IsoDate | None, Query(description="Last day, inclusive.")] = None,
    channel: Literal["sms", "whatsapp", "telegram", "webchat"] | None = None,
    language: Annotated[str | None, Query(min_length=2, max_length=16)] = None,
    segment: Annotated[
        str | None, Query(min_length=1, max_length=80, description="Segment code or label.")
    ] = None,
    completed: Annotated[
        bool | None, Query(description="true: only completed; false: only unfinished.")
    ] = None,
) -> ExportFilters:
    filters = ExportFilters(
        questionnaire, version, campaign, date_from, date_to, channel, language, segment,
        completed,
    )  # fmt: skip
    filters.check()
    return filters


FiltersDep = Annotated[ExportFilters, Depends(export_filters)]


def _build(service: Service, filters: ExportFilters, identifiable: bool) -> ExportTable:
    with reading(service.database) as connection:
        return build_export(
            connection,
            filters=filters,
            secret=service.settings.secret_key.get_secret_value(),
            identifiable=identifiable,
            registry=service.registry,
        )


def _audit(
    service: Service, principal: Principal, target: str, details: dict[str, Any], rows: int | None
) -> None:
    with service.database.engine.begin() as connection:
        audit(connection, principal, "export", target, details, rows)


def _check_identifiable(
    service: Service, principal: Principal, identifiable: bool, target: str,
    details: dict[str, Any],
) -> None:  # fmt: skip
    """403 unless the caller may have identifiable data; a refusal is audited too, since an
    attempt at personal data is something the data protection officer wants to see."""
    if identifiable and not principal.can_export_identifiable:
        with service.database.engine.begin() as connection:
            audit(connection, principal, "export_refused", target, details, 0)
        raise HTTPException(403, NOT_ALLOWED)


def _filename(export: ExportTable, suffix: str) -> str:
    kind = "identifiable" if export.identifiable else "pseudonymised"
    name = re.sub(r"[^A-Za-z0-9_-]", "_", export.questionnaire_id)
    return f"{name}-{kind}-{datetime.date.today():%Y%m%d}.{suffix}"


@router.get("/api/responses")
def responses(
    service: ServiceDep,
    principal: StaffUser,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    """One pseudonymised row per conversation, a page at a time, with the variables."""
    export = _build(service, filters, identifiable=False)
    page = export.frame.iloc[offset : offset + limit]
    rows = json.loads(page.to_json(orient="records", date_format="iso"))
    _audit(service, principal, "responses",
           {**filters.as_json(), "format": "json", "limit": limit, "offset": offset},
           len(rows))  # fmt: skip
    return {
        "total": export.rows,
        "offset": offset,
        "limit": limit,
        "variables": [variable.as_json() for variable in export.variables],
        "rows": rows,
    }


@router.get("/api/exports/codebook.{suffix}")
def codebook(
    service: ServiceDep,
    principal: StaffUser,
    filters: FiltersDep,
    suffix: Literal["json", "csv"],
    identifiable: bool = False,
) -> Response:
    """Every variable of the export with the same filters: label, type, measurement level,
    value labels, source question and questionnaire versions."""
    details = {**filters.as_json(), "format": f"codebook.{suffix}", "identifiable": identifiable}
    _check_identifiable(service, principal, identifiable, "codebook", details)
    export = _build(service, filters, identifiable)
    _audit(service, principal, "codebook", details, None)
    body = (
        json.dumps(codebook_json(export), ensure_ascii=False, indent=2)
        if suffix == "json"
        else codebook_csv(export)
    )
    name = _filename(export, f"codebook.{suffix}")
    return Response(
        body.encode("utf-8"),
        media_type=MEDIA_TYPES[f"codebook.{suffix}"],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/exports/{fmt}")
def export(
    service: ServiceDep,
    principal: StaffUser,
    filters: FiltersDep,
    fmt: Format,
    identifiable: Annotated[
        bool, Query(description="Names, tenant references and free text (if allowed).")
    ] = False,
) -> StreamingResponse:
    """The responses as a file, streamed; pseudonymised unless identifiable=true."""
    details = {**filters.as_json(), "format": fmt, "identifiable": identifiable}
    _check_identifiable(service, principal, identifiable, "responses", details)
    export = _build(service, filters, identifiable)
    _audit(service, principal, "responses", details, export.rows)
    return StreamingResponse(
        export_stream(export, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(export, fmt)}"',
            "Cache-Control": "no-store",
        },
    )
