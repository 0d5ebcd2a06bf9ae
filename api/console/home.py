"""The front page at `/`: what this service is, where to go, and a new install's first step."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from api.auth.pages import render_page
from api.http import get_service
from bot.access.setup import SETUP_LINK_LIFETIME, anyone_can_sign_in
from bot.access.users import MIN_PASSWORD


async def home(request: Request) -> HTMLResponse:
    service = get_service(request)

    def first_run() -> bool:
        with service.database.engine.connect() as connection:
            return not anyone_can_sign_in(connection)

    context = {
        "landlord": service.settings.landlord_name,
        "first_run": await run_in_threadpool(first_run),
        "min_password": MIN_PASSWORD,
        "link_minutes": int(SETUP_LINK_LIFETIME.total_seconds() // 60),
    }
    return render_page("home.html", context)


DOCS_STATIC = "/static-offline-docs"  # where fastapi-offline serves Swagger UI and ReDoc


async def redoc(request: Request) -> HTMLResponse:
    """ReDoc from the installed copy; its footer's logo comes from a CDN, so images stay local."""
    page = get_redoc_html(
        openapi_url=request.app.openapi_url,
        title="Doorstep – API reference",
        redoc_js_url=f"{DOCS_STATIC}/redoc.standalone.js",
        redoc_favicon_url=f"{DOCS_STATIC}/favicon.png",
        with_google_fonts=False,
    )
    page.headers["Content-Security-Policy"] = "img-src 'self' data:"
    return page


def register(app: FastAPI) -> None:
    """The front page, and ReDoc (the app is made with `redoc_url=None`)."""
    app.add_api_route("/", home, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
