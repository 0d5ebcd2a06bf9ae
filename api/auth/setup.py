"""The one-time setup page: `/console/setup?token=…` creates the first administrator.

The link comes from `doorstep serve`'s own output (see `bot.access.setup`). The token in the
form is the proof: another site cannot know it, so it also stands in for a CSRF token. The
access log hides `token` values, so the link never reaches a log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.auth.deps import FORM_LIMIT
from api.auth.pages import render_page
from api.http import FORM_TYPE, ServiceDep, read_form, require_type
from bot.access.setup import SetupRefused, check_setup_token, create_first_admin
from bot.access.users import MAX_PASSWORD, MIN_PASSWORD
from bot.service import Service

router = APIRouter(include_in_schema=False)
SETUP_PAGE = "/console/setup"


def _page(
    service: Service,
    token: str,
    *,
    email: str = "",
    error: str | None = None,
    refused: str | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "landlord": service.settings.landlord_name,
        "token": token,
        "email": email,
        "error": error,
        "refused": refused,
        "done": done,
        "min_password": MIN_PASSWORD,
    }
    return render_page("setup.html", context, status_code=status_code)


@router.get(SETUP_PAGE)
def setup_page(service: ServiceDep, token: Annotated[str, Query(max_length=100)] = "") -> Response:
    try:
        with service.database.engine.connect() as connection:
            check_setup_token(connection, token, service.engine.clock())
    except SetupRefused as problem:
        return _page(service, "", refused=str(problem), status_code=403)
    return _page(service, token)


def _create(service: Service, token: str, email: str, password: str) -> str:
    with service.database.engine.begin() as connection:
        user = create_first_admin(
            connection, token, email=email, password=password, now=service.engine.clock()
        )
    return user.email


@router.post(SETUP_PAGE)
async def setup_form(request: Request, service: ServiceDep) -> Response:
    require_type(request, (FORM_TYPE,), "Send the setup form as an ordinary web form.")
    form: dict[str, str] = {}
    for name, value in await read_form(request, FORM_LIMIT, max_fields=10):
        form.setdefault(name, value.replace("\x00", ""))
    token = form.get("token", "")[:100]
    email = form.get("email", "").strip()[:254]
    password = form.get("password", "")[: MAX_PASSWORD + 1]
    shown_email = email if email.isprintable() else ""
    if password != form.get("password_again", "")[: MAX_PASSWORD + 1]:
        mismatch = "The two passwords are not the same; type the password twice."
        return _page(service, token, email=shown_email, error=mismatch, status_code=422)
    try:
        created = await run_in_threadpool(_create, service, token, email, password)
    except SetupRefused as problem:
        return _page(service, "", refused=str(problem), status_code=403)
    except ValueError as problem:
        return _page(service, token, email=shown_email, error=str(problem), status_code=422)
    return _page(service, "", done=created)
