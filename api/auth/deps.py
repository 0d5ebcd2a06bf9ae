"""Who is calling, and may they? The dependencies every officer and analyst route uses.

Contract (import from here, not from the modules behind it):

    from api.auth.deps import CurrentUser, SessionDep, require_roles, Role

    @router.post("/api/campaigns")
    def create(body: ..., user: Annotated[Principal, Depends(require_roles(Role.OFFICER))],
               connection: SessionDep) -> ...:

- `CurrentUser`: a `Principal(kind "user"|"apikey", id, name, role, can_export_identifiable,
  csrf_token)` from the console session cookie or from an API key sent as
  `Authorization: Bearer dsk_…` or `X-API-Key: dsk_…` (a key wins over a cookie). Missing,
  unknown, revoked or expired credentials get 401. A cookie-authenticated POST/PUT/PATCH/
  DELETE must carry the session's CSRF token in `X-CSRF-Token` (JSON) or a `csrf` form field
  (pages), else 403; API-key requests need none (browsers cannot send those headers
  cross-site).
- `require_roles(*roles)`: a dependency giving the principal, 403 unless its role is listed.
  Admins pass every check except machine-only ones (`Role.REPAIRS`). Shorthands:
  `AdminUser`, `OfficerUser` (officers, admins), `StaffUser` (analysts, officers, admins).
- Personal data: `principal.sees_contact_details` (officers, admins: names, phone numbers,
  emails, addresses) and `principal.can_export_identifiable` (admins; officers granted it).
- `SessionDep`: a SQLAlchemy Core `Connection` in a transaction, committed after the route
  returns (before the response is sent), rolled back if it raises. A streamed response
  outlives it: open `service.database.engine.begin()` inside the stream.
- The service and settings themselves: `ServiceDep`, `SettingsDep` (from `api.http`).
- `ConsoleUser` / `console_roles(*roles)`: the same for server-rendered pages, except that
  someone not signed in is redirected (303) to `/console/login?next=<page>`.
- Audit: `bot.access.audit.audit(connection, principal, action, target, filters, row_count)`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from api.http import (
    FORM_TYPE,
    MULTIPART_TYPE,
    Limit,
    get_service,
    media_type,
    read_form,
    read_multipart,
)
from bot.access.apikeys import verify_key
from bot.access.signin import session_user
from bot.access.users import Principal, Role
from bot.service import Service

__all__ = [
    "AdminUser",
    "ConsoleUser",
    "CurrentUser",
    "OfficerUser",
    "Principal",
    "Role",
    "SessionDep",
    "StaffUser",
    "console_roles",
    "current_principal",
    "require_roles",
]

SESSION_COOKIE = "doorstep_console"
CSRF_COOKIE = "doorstep_csrf"  # readable by the console's script; the header must match it
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PAGE = "/console/login"
NOT_SIGNED_IN = "Sign in, or send an API key as 'Authorization: Bearer <key>'."
BAD_KEY = "The API key is not valid or has been revoked."
BAD_CSRF = "The form or request is missing its security token or it has expired; reload the page."
# A console form is small; an upload may be as large as the largest file a route accepts.
FORM_LIMIT = Limit(64 * 1024, "The form is too large; check what was typed.")
UPLOAD_LIMIT = Limit(50 * 1024 * 1024, "The upload is larger than 50 MB; send a smaller file.")


def _db_connection(request: Request) -> Iterator[Connection]:
    with get_service(request).database.engine.connect() as connection, connection.begin():
        yield connection


# scope="function": commit before the response goes out, so a 200 means it is stored.
SessionDep = Annotated[Connection, Depends(_db_connection, scope="function")]


def _presented_key(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def _key_principal(service: Service, key: str) -> Principal | None:
    with service.database.engine.connect() as connection, connection.begin():
        info = verify_key(connection, key, service.engine.clock())
    if info is None:
        return None
    try:
        role = Role(info.role)
    except ValueError:
        role = Role.REPAIRS  # an unknown role grants the least
    return Principal("apikey", info.id, info.name, role, role is Role.ADMIN)


def _cookie_principal(service: Service, token: str) -> Principal | None:
    with service.database.engine.connect() as connection, connection.begin():
        signed_in = session_user(connection, token, service.engine.clock())
    return signed_in.user.principal(signed_in.csrf_token) if signed_in else None


async def _form_token(request: Request) -> str:
    """The token in a posted form's `csrf` field (the body is kept for the route)."""
    try:
        if media_type(request) == FORM_TYPE:
            pairs = await read_form(request, FORM_LIMIT, max_fields=40)
            return next((value for name, value in pairs if name == CSRF_FIELD), "")
        field = (await read_multipart(request, UPLOAD_LIMIT)).get(CSRF_FIELD)
    except HTTPException as error:
        if error.status_code == 413:
            raise
        return ""  # a malformed body is the route's 4xx to give, not ours
    return field if isinstance(field, str) else ""


async def _check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get(CSRF_HEADER, "")
    if not given and media_type(request) in (FORM_TYPE, MULTIPART_TYPE):
        given = await _form_token(request)
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(403, BAD_CSRF)


async def current_principal(request: Request) -> Principal:
    """The caller, from an API key or the console cookie; 401 when there is neither."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    service = get_service(request)
    key = _presented_key(request)
    if key is not None:
        principal = await run_in_threadpool(_key_principal, service, key)
        if principal is None:
            raise _unauthorized(BAD_KEY)
    else:
        token = request.cookies.get(SESSION_COOKIE, "")
        found = await run_in_threadpool(_cookie_principal, service, token) if token else None
        if found is None:
            raise _unauthorized(NOT_SIGNED_IN)
        if request.method not in SAFE_METHODS:
            await _check_csrf(request, found.csrf_token or "")
        principal = found
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def allowed(principal: Principal, roles: tuple[Role, ...]) -> bool:
    if principal.role in roles:
        return True
    return principal.role is Role.ADMIN and any(role is not Role.REPAIRS for role in roles)


def require_roles(*roles: Role | str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller if their role is one of `roles` (admins always), else 403."""
    wanted = tuple(Role(role) for role in roles)

    async def check(principal: CurrentUser) -> Principal:
        if not allowed(principal, wanted):
            raise HTTPException(403, "Your role does not allow this; ask an administrator.")
        return principal

    return check


AdminUser = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
OfficerUser = Annotated[Principal, Depends(require_roles(Role.OFFICER))]
StaffUser = Annotated[Principal, Depends(require_roles(Role.OFFICER, Role.ANALYST))]


def login_redirect(request: Request) -> HTTPException:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"{LOGIN_PAGE}?next={quote(target, safe='/')}"
    return HTTPException(303, "Sign in to see this page.", headers={"Location": location})


def console_roles(*roles: Role | str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """For pages: like `require_roles`, but someone not signed in goes to the login page."""
    wanted = tuple(Role(role) for role in roles) or (Role.OFFICER, Role.ANALYST)

    async def check(request: Request) -> Principal:
        try:
            principal = await current_principal(request)
        except HTTPException as error:
            if error.status_code == 401:
                raise login_redirect(request) from None
            raise
        if not allowed(principal, wanted):
            raise HTTPException(403, "Your role does not allow this page; ask an administrator.")
        return principal

    return check


ConsoleUser = Annotated[Principal, Depends(console_roles())]
