"""Signing in and out: `POST /api/auth/login` (JSON), the console's login page, `GET /api/me`.

A successful sign-in sets two cookies: the session (HttpOnly) and `doorstep_csrf` (readable
by the console's script), whose value state-changing requests send back in `X-CSRF-Token`
or in a `csrf` form field. The login form itself carries a token bound to a short-lived
pre-login cookie, so another site cannot sign a browser in to an account of its choosing.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api.auth import throttle
from api.auth.deps import (
    CSRF_COOKIE,
    LOGIN_PAGE,
    SESSION_COOKIE,
    CurrentUser,
    Principal,
    console_roles,
)
from api.auth.pages import render_page
from api.http import FORM_TYPE, JSON_TYPE, Limit, ServiceDep, read_body, read_form, require_type
from bot.access.signin import NewSession, SignInError, authenticate, end_session, start_session
from bot.access.users import UserInfo
from bot.service import Service
from bot.settings import Settings

logger = logging.getLogger(__name__)
router = APIRouter()
LOGIN_COOKIE = "doorstep_login"
LOGIN_COOKIE_SECONDS = 60 * 60
CREDENTIALS_LIMIT = Limit(8 * 1024, "The request is too large for an email and a password.")
FORM_LIMIT = Limit(8 * 1024, "The form is too large; check what was typed.")
HOME = "/console/"
# Signing out when already signed out goes to the login page instead of a 401.
ConsolePrincipal = Annotated[Principal, Depends(console_roles())]


class Credentials(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


def _sign_in(
    service: Service, email: str, password: str, address: str
) -> tuple[UserInfo, NewSession]:
    settings = service.settings
    now = service.engine.clock()
    refused: SignInError | None = None
    # Catch inside the transaction: a wrong password's failure counts must be committed.
    with service.database.engine.connect() as connection, connection.begin():
        try:
            throttle.check_address(connection, settings, address, now)
            user = authenticate(
                connection,
                email=email,
                password=password,
                now=now,
                max_failures=settings.login_max_failures,
                lockout=datetime.timedelta(minutes=settings.login_lockout_minutes),
            )
        except SignInError as error:
            refused = error
            if error.status == 401:
                throttle.count_failure(connection, settings, address, now)
        else:
            session = start_session(
                connection,
                user_id=user.id,
                now=now,
                lifetime=datetime.timedelta(hours=settings.console_session_hours),
            )
    if refused is not None:
        raise refused
    logger.info("console sign-in: user %d", user.id)
    return user, session


def _refusal_headers(error: SignInError) -> dict[str, str]:
    return {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}


def _set_session_cookies(response: Response, settings: Settings, session: NewSession) -> None:
    secure = settings.public_base_url.startswith("https://")
    max_age = settings.console_session_hours * 3600
    response.set_cookie(SESSION_COOKIE, session.token, max_age=max_age, path="/",
                        httponly=True, samesite="lax", secure=secure)  # fmt: skip
    response.set_cookie(CSRF_COOKIE, session.csrf_token, max_age=max_age, path="/",
                        httponly=False, samesite="lax", secure=secure)  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PAGE)


def _clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


_LOGIN_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": Credentials.model_json_schema()}},
    }
}


async def _credentials(request: Request) -> Credentials:
    # A bodiless content type would be read as JSON; a cross-site form cannot send this one.
    wrong_type = "Send the credentials as JSON (Content-Type: application/json)."
    require_type(request, (JSON_TYPE,), wrong_type)
    body = await read_body(request, CREDENTIALS_LIMIT)
    try:
        return Credentials.model_validate_json(body)
    except ValidationError as error:
        # Without the input: it may hold the password, or text that cannot be encoded.
        problems = error.errors(include_input=False, include_url=False, include_context=False)
        raise HTTPException(422, jsonable_encoder(problems)) from None


@router.post("/api/auth/login", openapi_extra=_LOGIN_OPENAPI)
async def login(request: Request, service: ServiceDep) -> JSONResponse:
    """Sign in with email and password: sets the session cookie, returns the CSRF token."""
    credentials = await _credentials(request)
    try:
        user, session = await run_in_threadpool(
            _sign_in,
            service,
            credentials.email,
            credentials.password,
            throttle.address_key(service.settings, request),
        )
    except SignInError as error:
        return JSONResponse(
            {"detail": error.message},
            status_code=error.status,
            headers=_refusal_headers(error),
        )
    response = JSONResponse({"user": user.as_json(), "csrf_token": session.csrf_token})
    _set_session_cookies(response, service.settings, session)
    return response


def _end(service: Service, request: Request) -> None:
    token = request.cookies.get(SESSION_COOKIE, "")
    with service.database.engine.connect() as connection, connection.begin():
        end_session(connection, token)


@router.post("/api/auth/logout", status_code=204)
async def logout(request: Request, principal: CurrentUser, service: ServiceDep) -> Response:
    await run_in_threadpool(_end, service, request)
    response = Response(status_code=204)
    _clear_session_cookies(response)
    return response


@router.get("/api/me")
def me(principal: CurrentUser) -> dict[str, Any]:
    """Who the credentials belong to, and the CSRF token when signed in with a cookie."""
    return {
        "kind": principal.kind,
        "id": principal.id,
        "name": principal.name,
        "role": principal.role.value,
        "can_export_identifiable": principal.can_export_identifiable,
        "sees_contact_details": principal.sees_contact_details,
        "csrf_token": principal.csrf_token,
    }


# --- The console's login page (server-rendered, works without JavaScript) ---


def _login_csrf(settings: Settings, pre_login: str) -> str:
    key = settings.secret_key.get_secret_value().encode("utf-8")
    return hmac.new(key, f"console-login:{pre_login}".encode(), hashlib.sha256).hexdigest()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or `https://…` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    if len(target) > 500 or not target.isprintable():
        return HOME
    return target


def _login_page(
    service: Service,
    pre_login: str,
    *,
    next_path: str,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {
        "landlord": service.settings.landlord_name,
        "logo": service.settings.landlord_logo is not None,
        "privacy_url": service.settings.privacy_notice_url,
        "help_phone": service.settings.help_phone,
        "csrf": _login_csrf(service.settings, pre_login),
        "next": next_path,
        "email": email,
        "error": error,
    }
    response = render_page("login.html", context, status_code=status_code)
    response.headers.update(headers or {})
    response.set_cookie(LOGIN_COOKIE, pre_login, max_age=LOGIN_COOKIE_SECONDS, path=LOGIN_PAGE,
                        httponly=True, samesite="strict",
                        secure=service.settings.public_base_url.startswith("https://"))  # fmt: skip
    return response


@router.get(LOGIN_PAGE, include_in_schema=False)
def login_page(request: Request, service: ServiceDep, next: str | None = None) -> Response:
    pre_login = request.cookies.get(LOGIN_COOKIE, "")
    if len(pre_login) != 43:
        pre_login = secrets.token_urlsafe(32)
    return _login_page(service, pre_login, next_path=_safe_next(next))


async def _small_form(request: Request) -> dict[str, str]:
    require_type(request, (FORM_TYPE,), "Send the sign-in form as an ordinary web form.")
    pairs = await read_form(request, FORM_LIMIT, max_fields=10)
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form


@router.post(LOGIN_PAGE, include_in_schema=False)
async def login_form(request: Request, service: ServiceDep) -> Response:
    form = await _small_form(request)
    next_path = _safe_next(form.get("next"))
    email = form.get("email", "").strip()[:254]
    pre_login = request.cookies.get(LOGIN_COOKIE, "")
    expected = _login_csrf(service.settings, pre_login)
    if len(pre_login) != 43 or not hmac.compare_digest(form.get("csrf", ""), expected):
        return _login_page(
            service,
            secrets.token_urlsafe(32),
            next_path=next_path,
            email=email if email.isprintable() else "",
            error="The sign-in form had expired. Enter your email address and password again.",
            status_code=403,
        )
    password = form.get("password", "")
    try:
        if not email or not password:
            raise SignInError("Enter both your email address and your password.")
        address = throttle.address_key(service.settings, request)
        _, session = await run_in_threadpool(_sign_in, service, email, password[:1024], address)
    except SignInError as error:
        return _login_page(service, pre_login, next_path=next_path, error=error.message,
                           email=email if email.isprintable() else "",
                           status_code=error.status,
                           headers=_refusal_headers(error))  # fmt: skip
    response = RedirectResponse(next_path, status_code=303)
    _set_session_cookies(response, service.settings, session)
    return response


@router.post("/console/logout", include_in_schema=False)
async def logout_form(
    request: Request, principal: ConsolePrincipal, service: ServiceDep
) -> Response:
    await run_in_threadpool(_end, service, request)
    response = RedirectResponse(LOGIN_PAGE, status_code=303)
    _clear_session_cookies(response)
    return response
