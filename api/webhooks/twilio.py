"""Twilio's webhooks: inbound SMS and delivery-status callbacks.

Both check `X-Twilio-Signature` against the public URL (DOORSTEP_PUBLIC_BASE_URL + path +
query, since a TLS proxy changes what the app sees) and answer 403 without recording
anything when it does not match. An inbound SMS is handed to the engine, which records it
once per MessageSid, moves the conversation on and queues the reply in the outbox, all
committed before we answer Twilio with empty TwiML; the dispatcher sends the reply.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import Connection, select, update
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict

from api.http import FORM_TYPE, Limit, get_service, get_settings, read_form, require_type
from api.webhooks.signature import is_signed
from bot.dispatch.store import record_delivery
from bot.engine.commands import Command
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.outreach.optout import opt_out_address
from bot.service import Service
from bot.settings import Settings
from bot.storage.models import OutboundStatus
from bot.storage.tables import OUTBOUND
from channels.sms import inbound as sms_inbound
from channels.sms.inbound import CHANNEL, StatusUpdate
from channels.sms.render import render_sms
from channels.whatsapp.inbound import is_whatsapp

logger = logging.getLogger(__name__)
SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"
# An SMS webhook is about 1 KiB; a 1,600-character body fits.
FORM_LIMIT = Limit(16 * 1024, "The request is larger than a Twilio webhook can be.")
MAX_FORM_FIELDS = 100
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

router = APIRouter()
TwilioForm = ImmutableMultiDict[str, str]


def twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="text/xml")


async def signed_form(request: Request, settings: Settings) -> TwilioForm:
    """The form Twilio posted, after checking its size, shape and signature."""
    token = settings.twilio_auth_token.get_secret_value()
    if not token:
        raise HTTPException(404, "SMS through Twilio is not configured on this server.")
    require_type(request, (FORM_TYPE,), "Twilio webhooks must be sent as a URL-encoded form.")
    pairs = await read_form(
        request,
        FORM_LIMIT,
        max_fields=MAX_FORM_FIELDS,
        unreadable="The form could not be read as UTF-8 form fields.",
        strict=True,
    )
    url = public_url(request, settings)
    signature = request.headers.get("x-twilio-signature", "")
    if not signature or not is_signed(token, url, pairs, signature):
        raise HTTPException(403, "The request is not signed by Twilio for this address.")
    return ImmutableMultiDict(pairs)


def public_url(request: Request, settings: Settings) -> str:
    """The address Twilio was given for this request, which its signature covers.

    Read from the request's scope as Starlette's `request.url` escapes it, without building
    and parsing a whole URL (a tenth of the signature check's time)."""
    path = request.scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    url = settings.public_base_url.rstrip("/") + path
    query = request.scope.get("query_string", b"")
    return f"{url}?{query.decode('latin-1')}" if query else url


def engine_text(service: Service, inbound: InboundMessage, opt_out_type: str | None) -> str:
    """What the engine reads: Twilio's own opt-out words become the engine's commands."""
    with service.database.engine.connect() as connection:
        return sms_inbound.for_engine(connection, inbound, opt_out_type)


def complete_stop(
    service: Service, address: str, channel: str, replies: list[OutboundMessage]
) -> None:
    with service.database.transaction() as session:
        sms_inbound.cancel_other_pending(
            session.connection(),
            address,
            [reply.id for reply in replies],
            service.engine.clock(),
            channel=channel,
        )


async def handle_inbound(
    service: Service, inbound: InboundMessage, opt_out_type: str | None
) -> None:
    """Hand one SMS or WhatsApp message to the engine, then make a STOP complete.

    The engine answers once the message is committed, in one transaction with the other
    webhooks waiting at that moment (group commit: one commit for them all); it runs a
    lost race again itself. The common path holds no thread of the pool while it waits.
    """
    engine_inbound = inbound
    if sms_inbound.needs_rewrite(inbound.text, opt_out_type) is not None:
        text = await run_in_threadpool(engine_text, service, inbound, opt_out_type)
        engine_inbound = replace(inbound, text=text)
    replies = await service.engine.handle_async(engine_inbound)
    if sms_inbound.keyword(inbound.text, opt_out_type) is Command.STOP:
        await run_in_threadpool(complete_stop, service, inbound.address, inbound.channel, replies)


# Twilio's routes are plain Starlette routes taking the request: FastAPI's dependency
# solving cost a webhook more than its signature check (bench/webhooks.py). An error they
# raise is answered by the same exception handlers as before.
async def inbound_sms(request: Request) -> Response:
    service, settings = get_service(request), get_settings(request)
    form = await signed_form(request, settings)
    if is_whatsapp(form):  # a Messaging Service may send both kinds to one webhook
        from api.webhooks.whatsapp import receive

        return await receive(form, service, settings.sms_default_region)
    inbound = sms_inbound.inbound_message(
        form, region=settings.sms_default_region, received_at=service.engine.clock()
    )
    await handle_inbound(service, inbound, form.get("OptOutType"))
    return twiml()


router.add_route(SMS_PATH, inbound_sms, methods=["POST"], include_in_schema=False)


def apply_status(
    connection: Connection,
    update_: StatusUpdate,
    outbox_id: int | None,
    service: Service,
    settings: Settings,
) -> None:
    now = service.engine.clock()
    if update_.status is not None:
        changed = record_delivery(
            connection, CHANNEL, update_.message_sid, update_.status, update_.error, now
        )
        if changed is None and outbox_id is not None:
            adopt_early_callback(connection, update_, outbox_id, service, settings)
    if update_.opted_out:
        address = update_.to or _address_of(connection, update_.message_sid)
        if address is not None:
            opt_out_address(connection, CHANNEL, address, now, "twilio 21610")


def adopt_early_callback(
    connection: Connection,
    update_: StatusUpdate,
    outbox_id: int,
    service: Service,
    settings: Settings,
) -> None:
    """A callback that beat the dispatcher's own record of the send: give the row its sid.

    The row is still `sending`, so the dispatcher's later "sent" changes nothing and the
    status stays where the callback put it.
    """
    row = connection.execute(
        select(OUTBOUND).where(
            OUTBOUND.c.id == outbox_id,
            OUTBOUND.c.channel == CHANNEL,
            OUTBOUND.c.status == OutboundStatus.SENDING.value,
            OUTBOUND.c.provider_id.is_(None),
        )
    ).first()
    if row is None or update_.status is None:
        return
    message = OutboundMessage(row.id, row.channel, row.address, row.body, row.language)
    segments = render_sms(message, gsm7_replacements=settings.sms_gsm7_replacements)
    now = service.engine.clock()
    connection.execute(
        update(OUTBOUND)
        .where(OUTBOUND.c.id == row.id, OUTBOUND.c.provider_id.is_(None))
        .values(provider_id=update_.message_sid, segments=segments.segments, sent_at=now)
    )
    record_delivery(connection, CHANNEL, update_.message_sid, update_.status, update_.error, now)


def _address_of(connection: Connection, message_sid: str) -> str | None:
    found = (
        connection.execute(
            select(OUTBOUND.c.address).where(
                OUTBOUND.c.channel == CHANNEL, OUTBOUND.c.provider_id == message_sid
            )
        )
        .scalars()
        .first()
    )
    return str(found) if found is not None else None


def _status(
    service: Service, settings: Settings, update_: StatusUpdate, outbox_id: int | None
) -> None:
    with service.database.transaction() as session:
        apply_status(session.connection(), update_, outbox_id, service, settings)


async def delivery_status(request: Request) -> Response:
    service, settings = get_service(request), get_settings(request)
    form = await signed_form(request, settings)
    update_ = sms_inbound.status_update(form, region=settings.sms_default_region)
    outbox = request.query_params.get("outbox", "")
    outbox_id = int(outbox) if outbox.isdigit() and len(outbox) < 19 else None
    await run_in_threadpool(_status, service, settings, update_, outbox_id)
    return twiml()


router.add_route(STATUS_PATH, delivery_status, methods=["POST"], include_in_schema=False)
