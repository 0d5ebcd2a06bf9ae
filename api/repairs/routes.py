"""`POST /api/events/repairs`: the repairs system reports completed jobs.

Authenticated with an API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`; create
one with `doorstep apikey create NAME`). The body is one event or a list of them:

    {"job_id": "J-1001", "tenant_ref": "T-10042", "completed_at": "2026-11-20T14:05:00Z",
     "trade": "plumbing", "contractor": "Acme Plumbing", "priority": "routine"}

Every event is checked before any is stored (422 lists each problem with its position), so a
rejected request can be corrected and sent again whole. Posting a job again is harmless:
it is reported as a duplicate and gets no second survey.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.http import Limit, ServiceDep, read_json
from bot.access.apikeys import KeyInfo, verify_key
from bot.repairs.events import Accepted, RepairEvent, parse_event, record_event
from bot.service import Service

logger = logging.getLogger(__name__)
PATH = "/api/events/repairs"
MAX_EVENTS = 1000
REPAIR_EVENT_ROLES = frozenset({"repairs", "admin"})

router = APIRouter()


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


def require_api_key(request: Request, service: ServiceDep) -> KeyInfo:
    """The caller's key, or 401 when it is missing, unknown or revoked (no hint which)."""
    presented = _presented_key(request)
    info = None
    if presented:
        with service.database.engine.connect() as connection, connection.begin():
            info = verify_key(connection, presented, service.engine.clock())
    if info is None:
        raise HTTPException(
            status_code=401,
            detail="A valid API key is required: send 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if info.role not in REPAIR_EVENT_ROLES:
        raise HTTPException(
            status_code=403, detail="This API key may not post repair events; ask an admin."
        )
    return info


ApiKeyDep = Annotated[KeyInfo, Depends(require_api_key)]


def _job_id(item: dict[str, Any]) -> str | None:
    """The event's job_id to name it by, only when it is text or a number (never echo input)."""
    value = item.get("job_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value[:64] if isinstance(value, str) else None


def _events(data: Any, service: Service) -> list[RepairEvent]:
    items = data if isinstance(data, list) else [data]
    if not items:
        raise HTTPException(422, "The list of events is empty.")
    if len(items) > MAX_EVENTS:
        raise HTTPException(422, f"Send at most {MAX_EVENTS} events per request.")
    now = service.engine.clock()
    events: list[RepairEvent] = []
    problems: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append({"index": index, "problems": ["An event must be a JSON object."]})
            continue
        try:
            events.append(parse_event(item, service.settings, now))
        except ValueError as error:
            problems.append({"index": index, "job_id": _job_id(item), "problems": [str(error)]})
    if problems:
        raise HTTPException(422, problems)
    return events


def _store(service: Service, events: list[RepairEvent], key: KeyInfo) -> list[Accepted]:
    now = service.engine.clock()
    with service.database.engine.connect() as connection, connection.begin():
        return [
            record_event(
                connection, event, settings=service.settings, now=now, source=f"api:{key.name}"
            )
            for event in events
        ]


_EVENT_SCHEMA = RepairEvent.model_json_schema()
_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _EVENT_SCHEMA,
                        {"type": "array", "items": _EVENT_SCHEMA, "maxItems": MAX_EVENTS},
                    ]
                }
            }
        },
    }
}


@router.post(PATH, openapi_extra=_OPENAPI)
async def repair_events(request: Request, key: ApiKeyDep, service: ServiceDep) -> JSONResponse:
    limit = service.settings.api_max_body_bytes
    data = await read_json(
        request, Limit(limit, f"The body is larger than {limit} bytes; send fewer events.")
    )
    events = _events(data, service)
    results = await run_in_threadpool(_store, service, events, key)
    counts = {status: 0 for status in ("scheduled", "skipped", "duplicate")}
    for result in results:
        counts[result.status] += 1
    logger.info("repair events from key %s: %s", key.prefix, counts)
    return JSONResponse({**counts, "results": [result.as_json() for result in results]})
