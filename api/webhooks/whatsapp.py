"""Twilio's WhatsApp webhooks: inbound messages and delivery-status callbacks.

Point the WhatsApp sender's "when a message comes in" URL at `/webhooks/twilio/whatsapp`
(the SMS webhook also forwards any `From=whatsapp:…` message here, for a Messaging Service
that holds both kinds of sender). Signatures are checked exactly as for SMS (the same
`signed_form`); a forged request gets 403 and records nothing. Status callbacks come to
`/webhooks/twilio/whatsapp/status`, which the sender names on every message.

WhatsApp's error codes in a callback: an unreachable or blocking user (63003, 63024,
63032) is opted out on WhatsApp as SMS opts out on 21610, so the next campaign picks
another channel; a free reply refused outside the 24-hour window (63016) is written again
once as the "reopen" template, never more; the others are recorded as a sentence.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection, insert, select, update
from starlette.concurrency import run_in_threadpool

from api.http import get_service, get_settings
from api.webhooks.twilio import TwilioForm, handle_inbound, signed_form, twiml
from bot.dispatch.store import record_delivery
from bot.outreach.optout import opt_out_address
from bot.service import Service
from bot.storage.models import OutboundStatus
from bot.storage.tables import OUTBOUND
from channels.sms.inbound import StatusUpdate
from channels.whatsapp import inbound as wa_inbound
from channels.whatsapp.inbound import CHANNEL

logger = logging.getLogger(__name__)
INBOUND_PATH = "/webhooks/twilio/whatsapp"
STATUS_PATH = "/webhooks/twilio/whatsapp/status"
FAILED = (OutboundStatus.FAILED, OutboundStatus.UNDELIVERED)

router = APIRouter()


async def receive(form: TwilioForm, service: Service, region: str) -> Response:
    inbound = wa_inbound.inbound_message(form, region=region, received_at=service.engine.clock())
    await handle_inbound(service, inbound, form.get("OptOutType"))
    return twiml()


# Plain Starlette routes, as Twilio's SMS ones (api/webhooks/twilio.py says why).
async def inbound_whatsapp(request: Request) -> Response:
    settings = get_settings(request)
    form = await signed_form(request, settings)
    return await receive(form, get_service(request), settings.sms_default_region)


router.add_route(INBOUND_PATH, inbound_whatsapp, methods=["POST"], include_in_schema=False)


def error_sentence(update_: StatusUpdate) -> str | None:
    known = wa_inbound.meaning(update_.error_code)
    if known is None:
        return update_.error
    return f"twilio {update_.error_code}: {known.reason}"


def apply_status(
    connection: Connection, update_: StatusUpdate, outbox_id: int | None, service: Service
) -> None:
    now = service.engine.clock()
    error = error_sentence(update_)
    if update_.status is not None:
        changed = record_delivery(
            connection, CHANNEL, update_.message_sid, update_.status, error, now
        )
        if changed is None and outbox_id is not None:
            # A callback that beat the dispatcher's record of the send: give the row its sid.
            adopted = connection.execute(
                update(OUTBOUND)
                .where(
                    OUTBOUND.c.id == outbox_id,
                    OUTBOUND.c.channel == CHANNEL,
                    OUTBOUND.c.status == OutboundStatus.SENDING.value,
                    OUTBOUND.c.provider_id.is_(None),
                )
                .values(provider_id=update_.message_sid, segments=1, sent_at=now)
            )
            if adopted.rowcount:
                changed = record_delivery(
                    connection, CHANNEL, update_.message_sid, update_.status, error, now
                )
    else:
        changed = None
    known = wa_inbound.meaning(update_.error_code)
    if known is not None and known.opted_out:
        address = update_.to or _address_of(connection, update_.message_sid)
        if address is not None:
            opt_out_address(connection, CHANNEL, address, now, f"twilio {update_.error_code}")
    # Only the callback that moved the row to failed: a repeated callback changes nothing.
    refused = update_.error_code == wa_inbound.OUTSIDE_WINDOW and update_.status in FAILED
    if refused and changed is not None:
        reopen_once(connection, update_.message_sid, service)


def reopen_once(connection: Connection, message_sid: str, service: Service) -> None:
    """A free reply refused outside the window goes again as the reopen template, once.

    Only a row without a purpose is copied, and the copy has one: a template is never
    refused as a free message, and a copy is never copied again.
    """
    row = connection.execute(
        select(OUTBOUND).where(
            OUTBOUND.c.channel == CHANNEL,
            OUTBOUND.c.provider_id == message_sid,
            OUTBOUND.c.purpose.is_(None),
        )
    ).first()
    if row is None:
        return
    now = service.engine.clock()
    copied = {
        name: getattr(row, name)
        for name in ("respondent_id", "session_id", "channel", "address", "body", "buttons")
    }
    connection.execute(
        insert(OUTBOUND).values(
            **copied,
            multiple=row.multiple,
            language=row.language,
            purpose="reopen",
            status=OutboundStatus.PENDING.value,
            attempts=0,
            due_at=now,
            created_at=now,
        )
    )


def _address_of(connection: Connection, message_sid: str) -> str | None:
    found = connection.execute(
        select(OUTBOUND.c.address).where(
            OUTBOUND.c.channel == CHANNEL, OUTBOUND.c.provider_id == message_sid
        )
    ).scalar_one_or_none()
    return str(found) if found is not None else None


def _status(service: Service, update_: StatusUpdate, outbox_id: int | None) -> None:
    with service.database.transaction() as session:
        apply_status(session.connection(), update_, outbox_id, service)


async def whatsapp_status(request: Request) -> Response:
    service, settings = get_service(request), get_settings(request)
    form = await signed_form(request, settings)
    update_ = wa_inbound.status_update(form, region=settings.sms_default_region)
    outbox = request.query_params.get("outbox", "")
    outbox_id = int(outbox) if outbox.isdigit() and len(outbox) < 19 else None
    await run_in_threadpool(_status, service, update_, outbox_id)
    return twiml()


router.add_route(STATUS_PATH, whatsapp_status, methods=["POST"], include_in_schema=False)
