"""What the officer routes share: bounded bodies, the clock, sentences for 4xx answers."""

from __future__ import annotations

import datetime
import json
from typing import Any

from fastapi import HTTPException, Request
from starlette.requests import Request as StarletteRequest

from api.auth.deps import service_of
from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.spec import CampaignSpecError
from bot.campaigns.store import UnknownCampaign


def now_of(request: Request) -> datetime.datetime:
    return service_of(request).engine.clock()


async def limited_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` (nothing more is read)."""
    too_big = f"The upload is larger than {limit:,} bytes; send a smaller file."
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, too_big)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, too_big)
    return bytes(body)


async def uploaded_file(
    request: Request, body: bytes, field: str = "file"
) -> tuple[str, bytes, dict[str, str]]:
    """(file name, content, the other text fields) of a multipart body already read."""

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await StarletteRequest(request.scope, replay).form(max_files=1, max_fields=10)
    except Exception:  # python-multipart raises several types for malformed bodies
        raise HTTPException(400, "The multipart body could not be read.") from None
    upload = form.get(field)
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, f"Send the file in a form field called {field!r}.")
    content = await upload.read()
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    return upload.filename or "upload", content, fields


async def json_object(request: Request, limit: int) -> dict[str, Any]:
    body = await limited_body(request, limit)
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise HTTPException(400, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise HTTPException(422, "The body must be a JSON object.")
    if b"\\u0000" in body:
        raise HTTPException(422, "Text in the body must not contain NUL characters.")
    return data


def no_nul(text: str) -> str:
    """Text without NUL characters, which PostgreSQL cannot store or compare."""
    return text.replace("\x00", "")


def campaign_http_error(error: Exception) -> HTTPException:
    """A campaign error as a 4xx with its sentences."""
    if isinstance(error, UnknownCampaign):
        return HTTPException(404, str(error))
    if isinstance(error, CampaignStateError):
        return HTTPException(409, str(error))
    if isinstance(error, CampaignSpecError):
        return HTTPException(422, error.problems)
    raise error


CAMPAIGN_ERRORS = (UnknownCampaign, CampaignStateError, CampaignSpecError)
