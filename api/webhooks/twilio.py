"""Twilio's webhooks: inbound SMS and delivery-status callbacks.

Both check `X-Twilio-Signature` against the public URL (DOORSTEP_PUBLIC_BASE_URL + path +
query, since a TLS proxy changes what the app sees) and answer 403 without recording
anything when it does not match. An inbound SMS is handed to the engine, which records it
once per MessageSid, moves the conversation on and queues the reply in the outbox, all
committed before we answer Twilio with empty TwiML; the dispatcher sends the reply.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Annotated
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from api.http import FORM_TYPE, Limit, ServiceDep, SettingsDep, read_form, require_type
from bot.dispatch.store import record_delivery
from bot.engine.commands import Command
from bot.engine.messages import InboundMessage, OutboundMessage
from bot.outreach.optout import opt_out_address
from bot.service import Service
from bot.settings import Settings
from bot.storage.db import Database
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
ENGINE_ATTEMPTS = 3  # two first messages from one new number can race to create the contact
RETRY_PAUSE = 0.02  # seconds, times the attempt number
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

router = APIRouter()


def twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="text/xml")


async def signed_form(request: Request, settings: SettingsDep) -> ImmutableMultiDict[str, str]:
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
    form = ImmutableMultiDict(pairs)
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("x-twilio-signature", "")
    if not signature or not RequestValidator(token).validate(url, form, signature):
        raise HTTPException(403, "The request is not signed by Twilio for this address.")
    return form


SignedForm = Annotated[ImmutableMultiDict[str, str], Depends(signed_form)]


_sqlite_writers: WeakKeyDictionary[Database, threading.Lock] = WeakKeyDictionary()
_writers_lock = threading.Lock()


def writer_turn(database: Database) -> AbstractContextManager[object]:
    """On SQLite, webhooks in this process take turns to write.

    SQLite has one writer at a time, and a waiting writer polls with sleeps of up to 100 ms;
    queueing on a lock instead cut the p99 under 16 concurrent webhooks from about 500 ms to
    about 50 ms (bench/webhooks.py). PostgreSQL writes in parallel, so it needs no turns.
    """
    if database.engine.dialect.name != "sqlite":
        return nullcontext()
    with _writers_lock:
        return _sqlite_writers.setdefault(database, threading.Lock())


def handle_inbound(service: Service, inbound: InboundMessage, opt_out_type: str | None) -> None:
    """Hand one SMS or WhatsApp message to the engine (retrying a lost race), then make a
    STOP complete."""
    database = service.database
    # The engine's prepared statements raise the driver's own errors, not SQLAlchemy's.
    dbapi = database.engine.dialect.loaded_dbapi
    retryable = (IntegrityError, OperationalError, dbapi.IntegrityError, dbapi.OperationalError)
    for attempt in range(1, ENGINE_ATTEMPTS + 1):
        try:
            text = inbound.text
            if sms_inbound.needs_rewrite(inbound.text, opt_out_type) is not None:
                with database.engine.connect() as connection:
                    text = sms_inbound.for_engine(connection, inbound, opt_out_type)
            with writer_turn(database):
                replies = service.engine.handle(replace(inbound, text=text))
            break
        except retryable:
            if attempt == ENGINE_ATTEMPTS:
                raise
            time.sleep(RETRY_PAUSE * attempt)  # let the transaction we raced commit first
    if sms_inbound.keyword(inbound.text, opt_out_type) is Command.STOP:
        with database.transaction() as session:
            sms_inbound.cancel_other_pending(
                session.connection(),
                inbound.address,
                [reply.id for reply in replies],
                service.engine.clock(),
                channel=inbound.channel,
            )


@router.post(SMS_PATH, include_in_schema=False)
async def inbound_sms(form: SignedForm, service: ServiceDep, settings: SettingsDep) -> Response:
    if is_whatsapp(form):  # a Messaging Service may send both kinds to one webhook
        from api.webhooks.whatsapp import receive

        return await receive(form, service, settings.sms_default_region)
    inbound = sms_inbound.inbound_message(
        form, region=settings.sms_default_region, received_at=service.engine.clock()
    )
    await run_in_threadpool(handle_inbound, service, inbound, form.get("OptOutType"))
    return twiml()


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


@router.post(STATUS_PATH, include_in_schema=False)
async def delivery_status(
    request: Request, form: SignedForm, service: ServiceDep, settings: SettingsDep
) -> Response:
    update_ = sms_inbound.status_update(form, region=settings.sms_default_region)
    outbox = request.query_params.get("outbox", "")
    outbox_id = int(outbox) if outbox.isdigit() and len(outbox) < 19 else None
    await run_in_threadpool(_status, service, settings, update_, outbox_id)
    return twiml()
