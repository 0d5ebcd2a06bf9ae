"""When the database will not take writes: `/health` says so, and requests get a 503 sentence.

A read-only or unreachable database otherwise shows as bare 500s from every page that saves
something, while a health check that only answers "ok" keeps the load balancer content.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from api.auth.pages import render_page
from api.http import get_service
from bot.storage.health import describe, is_unavailable, probe_writable

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "60"
UNAVAILABLE = "Doorstep cannot save anything just now; please try again in a few minutes."


async def health(request: Request) -> JSONResponse:
    """`ok` only when the database takes a (rolled-back) write."""
    service = get_service(request)
    problem = await run_in_threadpool(probe_writable, service.database)
    if problem is None:
        return JSONResponse({"status": "ok"})
    return JSONResponse(
        {"status": "unavailable", "database": problem},
        status_code=503,
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


async def database_unavailable(request: Request, error: Exception) -> Response:
    """A 503 with a sentence (HTML for browsers, JSON otherwise) instead of a bare 500."""
    if not (isinstance(error, DBAPIError) and is_unavailable(error)):
        raise error  # a bug, not the environment: the app's usual 500 handling applies
    service = get_service(request)
    logger.warning(
        "%s %s: %s", request.method, request.url.path, describe(error, service.database.url)
    )
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if "text/html" in request.headers.get("accept", ""):
        response = render_page("unavailable.html", {}, status_code=503)
        response.headers.update(headers)
        return response
    return JSONResponse({"detail": UNAVAILABLE}, status_code=503, headers=headers)


def register(app: FastAPI) -> None:
    app.add_api_route(
        "/health",
        health,
        methods=["GET"],
        responses={503: {"description": "The database cannot be written to."}},
    )
    app.add_exception_handler(DBAPIError, database_unavailable)
