"""Reading Twilio's WhatsApp webhooks: an inbound message, a status callback, error codes.

WhatsApp messages reach Twilio's messaging webhook like SMS, signed the same way, with
`From=whatsapp:+44…`. The tenant's address is stored as the bare E.164 number on the
`whatsapp` channel. A tap on a button arrives with `ButtonPayload` (the button's id: for
our buttons, the reply the engine expects, e.g. "2") and `ButtonText` (its words); the
payload is handled as if the tenant had typed it.

Keywords (STOP, START, HELP in any of our languages) are read by the SMS helpers: the
words are the same on both channels, and Twilio's WhatsApp senders forward them to us.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine.messages import InboundMessage
from bot.tenants.phone import InvalidPhoneNumber, normalise_phone
from channels.sms.inbound import TWILIO_STATUSES, MalformedWebhook, StatusUpdate

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"


@dataclass(frozen=True)
class WhatsAppError:
    """What one of WhatsApp's error codes means for the outbox."""

    reason: str  # a sentence an officer reads beside the message
    opted_out: bool = False  # the address is not usable on WhatsApp any more
    transient: bool = False


OUTSIDE_WINDOW = "63016"
# Twilio's WhatsApp error codes (https://www.twilio.com/docs/api/errors); unknown ones are
# reported with their number.
ERRORS: Mapping[str, WhatsAppError] = {
    OUTSIDE_WINDOW: WhatsAppError(
        "WhatsApp refused a free message more than 24 hours after the tenant last wrote"
    ),
    "63003": WhatsAppError("the number is not on WhatsApp", opted_out=True),
    "63024": WhatsAppError("the number is not a WhatsApp user", opted_out=True),
    "63032": WhatsAppError("WhatsApp will not deliver to this user", opted_out=True),
    "63049": WhatsAppError(
        "WhatsApp held the message back under its limits for business messages to one person"
    ),
    "63018": WhatsAppError("WhatsApp asked us to slow down", transient=True),
    "63027": WhatsAppError(
        "the WhatsApp template does not exist in this language: check DOORSTEP_WHATSAPP_TEMPLATES"
    ),
    "63028": WhatsAppError(
        "the WhatsApp template expects other variables: submit the texts in the README"
    ),
    "63030": WhatsAppError("the WhatsApp template was refused with these variables"),
    "63005": WhatsAppError("WhatsApp did not accept the message"),
    "63013": WhatsAppError("WhatsApp refused the message under its business policy"),
    "63015": WhatsAppError("the number has not joined the Twilio WhatsApp sandbox", opted_out=True),
    "21610": WhatsAppError("the number has opted out with Twilio", opted_out=True),
}


def meaning(code: str | None) -> WhatsAppError | None:
    return ERRORS.get(code or "")


def bare_number(value: str, region: str) -> str:
    """`whatsapp:+447700900123` -> `+447700900123` (raises InvalidPhoneNumber)."""
    number = value.strip()
    if number.lower().startswith(PREFIX):
        number = number[len(PREFIX) :]
    return normalise_phone(number, region)


def address_of(number: str) -> str:
    """A stored E.164 number as Twilio's WhatsApp address."""
    return number if number.startswith(PREFIX) else PREFIX + number


def is_whatsapp(form: Mapping[str, str]) -> bool:
    return (form.get("From") or "").strip().lower().startswith(PREFIX)


def inbound_message(
    form: Mapping[str, str], *, region: str, received_at: datetime.datetime
) -> InboundMessage:
    """The engine's view of one inbound WhatsApp message (a button tap reads as its words)."""
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid:
        raise MalformedWebhook("The request has no MessageSid; Twilio always sends one.")
    if not is_whatsapp(form):
        raise MalformedWebhook("The sender (From) is not a WhatsApp address (whatsapp:+44…).")
    try:
        address = bare_number(form["From"], region)
    except InvalidPhoneNumber as error:
        raise MalformedWebhook(
            f"The sender (From) cannot be answered on WhatsApp. {error}"
        ) from None
    # A tap on one of our buttons sends back its id, the reply the engine expects ("2").
    text = form.get("ButtonPayload") or form.get("Body") or form.get("ButtonText") or ""
    return InboundMessage(
        channel=CHANNEL, address=address, provider_id=sid[:128], text=text, received_at=received_at
    )


def status_update(form: Mapping[str, str], *, region: str) -> StatusUpdate:
    sid = form.get("MessageSid") or form.get("SmsSid")
    status_name = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not sid or not status_name:
        raise MalformedWebhook("The request has no MessageSid or MessageStatus.")
    error_code = (form.get("ErrorCode") or "").strip() or None
    to: str | None = None
    if form.get("To"):
        try:
            to = bare_number(form["To"], region)
        except InvalidPhoneNumber:
            to = None
    return StatusUpdate(sid[:128], TWILIO_STATUSES.get(status_name), error_code, to)


__all__ = [
    "CHANNEL",
    "ERRORS",
    "OUTSIDE_WINDOW",
    "WhatsAppError",
    "address_of",
    "bare_number",
    "inbound_message",
    "is_whatsapp",
    "meaning",
    "status_update",
]
