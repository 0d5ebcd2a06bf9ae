"""Email's ways in: the one-click unsubscribe page (RFC 8058) and bounce reports.

`GET /email/unsubscribe/{token}` shows a page with one button (link scanners follow GETs,
so a GET changes nothing); `POST` to the same address opts the email address out, which is
what mail programs send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The token
is signed with the secret key: a forged one gets 404, and nothing else is needed (no
sign-in, no CSRF token, as RFC 8058 requires).

`POST /webhooks/email/bounce` takes a provider's bounce report, authenticated with
`Authorization: Bearer <DOORSTEP_EMAIL_WEBHOOK_TOKEN>`: an RFC 3464 report
(`multipart/report` or `message/delivery-status`) or JSON `{"address": ..., "reason": ...}`
(or a list of those). Each failed address is marked failed; the next campaign skips it.
"""

from __future__ import annotations

import hmac
from html import escape

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import select

from api.http import JSON_TYPE, Limit, NowDep, ServiceDep, media_type, read_body, read_json
from bot.i18n.languages import base_language, is_supported
from bot.i18n.translate import translator
from bot.outreach.email_addresses import identity_of_token, unsubscribe
from bot.outreach.email_bounces import (
    UnreadableReport,
    bounces_from_json,
    bounces_from_report,
    record_bounces,
)
from bot.outreach.email_message import (
    EMAIL_STOP,
    RIGHT_TO_LEFT,
    UNSUBSCRIBE_ASK,
    UNSUBSCRIBE_DONE,
    UNSUBSCRIBE_INVALID,
)
from bot.service import Service
from bot.storage.tables import IDENTITIES, RESPONDENTS

router = APIRouter(include_in_schema=False)
REPORT_LIMIT = Limit(2 * 1024 * 1024, "A bounce report must be at most 2 MB.")
FORM_LIMIT = Limit(4 * 1024, "The form is too large.")
REPORT_TYPES = ("multipart/report", "message/delivery-status", "message/rfc822", "text/plain")


@router.get("/email/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, service: ServiceDep) -> HTMLResponse:
    identity_id = identity_of_token(service.settings, token)
    language = _language(service, identity_id)
    tr = translator(language)
    if identity_id is None:
        return _page(service, language, tr(EMAIL_STOP), tr(UNSUBSCRIBE_INVALID), status=404)
    form = (
        f'<form method="post" action="/email/unsubscribe/{escape(token)}">'
        f'<button type="submit">{escape(tr(EMAIL_STOP))}</button></form>'
    )
    ask = tr(UNSUBSCRIBE_ASK, landlord=service.settings.landlord_name)
    return _page(service, language, tr(EMAIL_STOP), ask, form=form)


@router.post("/email/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_now(
    token: str, request: Request, service: ServiceDep, now: NowDep
) -> HTMLResponse:
    await read_body(request, FORM_LIMIT)  # "List-Unsubscribe=One-Click", or the page's form
    identity_id = identity_of_token(service.settings, token)
    language = _language(service, identity_id)
    tr = translator(language)
    if identity_id is None:
        return _page(service, language, tr(EMAIL_STOP), tr(UNSUBSCRIBE_INVALID), status=404)
    with service.database.engine.begin() as connection:
        known = unsubscribe(connection, identity_id, now)
    if not known:
        return _page(service, language, tr(EMAIL_STOP), tr(UNSUBSCRIBE_INVALID), status=404)
    done = tr(UNSUBSCRIBE_DONE, landlord=service.settings.landlord_name)
    return _page(service, language, tr(EMAIL_STOP), done)


@router.post("/webhooks/email/bounce")
async def bounce_report(request: Request, service: ServiceDep, now: NowDep) -> JSONResponse:
    expected = service.settings.email_webhook_token.get_secret_value()
    given = request.headers.get("authorization", "")
    if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        raise HTTPException(401, "Send the bounce webhook token as Authorization: Bearer ....")
    kind = media_type(request)
    try:
        if kind == JSON_TYPE:
            bounces = bounces_from_json(await read_json(request, REPORT_LIMIT))
        elif kind in REPORT_TYPES:
            bounces = bounces_from_report(await read_body(request, REPORT_LIMIT))
        else:
            raise HTTPException(415, "Send a delivery-status report (RFC 3464) or JSON.")
    except UnreadableReport as error:
        raise HTTPException(422, str(error)) from None
    with service.database.engine.begin() as connection:
        marked = record_bounces(connection, bounces, now)
    return JSONResponse({"reported": len(bounces), "marked_failed": marked})


def _language(service: Service, identity_id: int | None) -> str:
    if identity_id is None:
        return service.settings.default_language
    with service.database.engine.connect() as connection:
        stored = connection.execute(
            select(RESPONDENTS.c.language)
            .join(IDENTITIES, IDENTITIES.c.respondent_id == RESPONDENTS.c.id)
            .where(IDENTITIES.c.id == identity_id)
        ).scalar_one_or_none()
    language = base_language(stored or "")
    return language if is_supported(language) else service.settings.default_language


def _page(
    service: Service, language: str, title: str, text: str, *, form: str = "", status: int = 200
) -> HTMLResponse:
    direction = "rtl" if language in RIGHT_TO_LEFT else "ltr"
    brand = escape(service.settings.brand_colour)
    landlord = escape(service.settings.landlord_name)
    html = f"""<!DOCTYPE html>
<html lang="{escape(language)}" dir="{direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>{escape(title)}</title>
<style>body{{margin:0;font-family:Arial,sans-serif;font-size:1.125rem;line-height:1.5;color:#1a1a1a}}
header{{background:{brand};color:#fff;padding:1rem;font-weight:bold}}main{{padding:1rem;max-width:40rem}}
button{{background:{brand};color:#fff;border:0;padding:.75rem 1.25rem;font-size:1.125rem}}
button:focus{{outline:3px solid #ffbf47;outline-offset:2px}}</style></head>
<body><header>{landlord}</header>
<main><h1>{escape(title)}</h1><p>{escape(text)}</p>{form}</main></body></html>
"""
    return HTMLResponse(html, status_code=status)
