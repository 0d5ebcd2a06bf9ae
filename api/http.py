"""What every route shares: the service and settings as dependencies, and reading a body.

    @router.post("/api/things")
    async def add(request: Request, user: OfficerUser, service: ServiceDep) -> ...:
        data = await read_json(request, Limit(64 * 1024, "The campaign is too large."))

`read_body` is the one place a request body is read: within a size limit (refused with 413
before more is read, whatever the Content-Length says), of an accepted media type (415),
and kept for the rest of the request, so the CSRF check and the route can both look at a
form. `read_form`, `read_json` and `read_upload` parse what it read (400 when they cannot).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData
from starlette.requests import Request as StarletteRequest

from bot.service import Service
from bot.settings import Settings

FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
JSON_TYPE = "application/json"
_KEPT = "bounded_body"  # where the body read is kept, in the request's state


def get_service(request: Request) -> Service:
    """The running service (stored on the app when it was created)."""
    service: Service = request.app.state.service
    return service


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> datetime.datetime:
    """The service's now (tests move it)."""
    return get_service(request).engine.clock()


# FastAPI runs a plain `def` dependency on a worker thread: a thread hop per dependency per
# request, which cost a webhook more than its signature check (bench/webhooks.py). These
# only read the app's state, so they run on the event loop.
async def _service(request: Request) -> Service:
    return get_service(request)


async def _settings(request: Request) -> Settings:
    return get_settings(request)


async def _clock(request: Request) -> datetime.datetime:
    return get_clock(request)


ServiceDep = Annotated[Service, Depends(_service)]
SettingsDep = Annotated[Settings, Depends(_settings)]
NowDep = Annotated[datetime.datetime, Depends(_clock)]


@dataclass(frozen=True)
class Limit:
    """How big a body may be, and the sentence that says it was bigger (413)."""

    bytes: int
    too_big: str


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def require_type(request: Request, accepted: Collection[str], sentence: str) -> str:
    """The request's media type, or 415 with `sentence` when it is not one of `accepted`."""
    found = media_type(request)
    if found not in accepted:
        raise HTTPException(415, sentence)
    return found


async def read_body(request: Request, limit: Limit) -> bytes:
    """The body, refused with 413 as soon as it passes the limit (nothing more is read)."""
    # The dict behind `request.state`, read directly: a missing attribute of `State` costs
    # an exception, a few microseconds on every webhook.
    state: dict[str, Any] = request.scope.setdefault("state", {})
    kept = state.get(_KEPT)
    if isinstance(kept, bytes):
        if len(kept) > limit.bytes:
            raise HTTPException(413, limit.too_big)
        return kept
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit.bytes:
        raise HTTPException(413, limit.too_big)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit.bytes:
            raise HTTPException(413, limit.too_big)
    state[_KEPT] = read = bytes(body)
    return read


async def read_form(
    request: Request,
    limit: Limit,
    *,
    max_fields: int,
    unreadable: str = "The form could not be read; reload the page.",
    strict: bool = False,
) -> list[tuple[str, str]]:
    """A url-encoded form's (name, value) pairs, in order; 400 with `unreadable` if bad.

    `strict`: a percent-escape that is not UTF-8 is refused too (else it reads as U+FFFD).
    """
    body = await read_body(request, limit)
    try:
        return parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=max_fields,
            errors="strict" if strict else "replace",
        )
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, unreadable) from None


async def read_json(request: Request, limit: Limit) -> Any:
    """The body as JSON; 400 when it is not JSON."""
    body = await read_body(request, limit)
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise HTTPException(400, "The body is not valid JSON.") from None


async def read_json_object(request: Request, limit: Limit) -> dict[str, Any]:
    """The body as a JSON object (422 when it is another value) holding no NUL characters."""
    data = await read_json(request, limit)
    if not isinstance(data, dict):
        raise HTTPException(422, "The body must be a JSON object.")
    if b"\\u0000" in await read_body(request, limit):
        raise HTTPException(422, "Text in the body must not contain NUL characters.")
    return data


async def read_multipart(request: Request, limit: Limit, *, max_files: int = 1) -> FormData:
    """A multipart body's fields and files; 400 when it cannot be read."""
    body = await read_body(request, limit)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await StarletteRequest(request.scope, replay).form(
            max_files=max_files, max_fields=10
        )
    except Exception:  # python-multipart raises several types for malformed bodies
        raise HTTPException(400, "The multipart body could not be read.") from None


async def read_upload(
    request: Request, limit: Limit, field: str = "file"
) -> tuple[str, bytes, dict[str, str]]:
    """(file name, content, the other text fields) of a multipart body."""
    form = await read_multipart(request, limit)
    upload = form.get(field)
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, f"Send the file in a form field called {field!r}.")
    content = await upload.read()
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    return upload.filename or "upload", content, fields


def no_nul(text: str) -> str:
    """Text without NUL characters, which PostgreSQL cannot store or compare."""
    return text.replace("\x00", "")
