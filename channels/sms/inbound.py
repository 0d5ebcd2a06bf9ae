"""Reading Twilio's webhooks: an inbound SMS, a delivery-status callback, opt-out keywords.

The router in `api/webhooks_twilio.py` checks the signature and calls these helpers; they
know Twilio's field names and nothing about HTTP.

Keywords: the engine understands STOP, START and HELP words in English and in the
language of the tenant's open conversation. By SMS a tenant may write to us first, or write
in another of our languages ("wypisz", "stopio"), and Twilio's Advanced Opt-Out may have
matched a keyword of its own (`OptOutType=STOP`). `for_engine` turns such a message into
the English command word the engine acts on, so opting out works from any number in any
supported language, with the engine's own consent and session bookkeeping. A number with
no conversation open keeps its own word: the engine reads keywords of every language then,
and answers in the keyword's language ("退订" gets the Chinese confirmation).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, update

from bot.engine.commands import Command, detect_in_any_language, is_word_of
from bot.engine.contacts import find_contact
from bot.engine.messages import InboundMessage
from bot.outreach.optout import is_opted_out
from bot.storage.models import OutboundStatus
from bot.storage.tables import OUTBOUND
from bot.tenants.phone import InvalidPhoneNumber, normalise_phone

CHANNEL = "sms"
SMS_KEYWORDS = (Command.STOP, Command.START, Command.HELP)
COMMAND_WORD = {Command.STOP: "STOP", Command.START: "START", Command.HELP: "HELP"}

# Twilio's message statuses as the outbox knows them; queued, accepted, scheduled and
# sending say nothing the outbox does not know once the message was accepted.
TWILIO_STATUSES: Mapping[str, OutboundStatus] = {
    "sent": OutboundStatus.SENT,
    "delivered": OutboundStatus.DELIVERED,
    "partially_delivered": OutboundStatus.DELIVERED,
    "read": OutboundStatus.READ,
    "undelivered": OutboundStatus.UNDELIVERED,
    "failed": OutboundStatus.FAILED,
    "canceled": OutboundStatus.CANCELLED,
}
OPTED_OUT_ERROR = "21610"  # "Attempt to send to unsubscribed recipient"


class MalformedWebhook(ValueError):
    """A signed request that lacks what Twilio always sends; the message says what."""


def keyword(text: str, opt_out_type: str | None = None) -> Command | None:
    """The SMS keyword this message is, in any supported language, or None."""
    declared = (opt_out_type or "").strip().upper()
    if declared == "STOP":
        return Command.STOP
    found = detect_in_any_language(text, SMS_KEYWORDS)
    if found is None and declared == "HELP":
        return Command.HELP
    return found  # Twilio also marks "YES" as START: never let that turn a consent into one


def needs_rewrite(text: str, opt_out_type: str | None) -> Command | None:
    """The command to hand the engine in English, when it might not know this word."""
    command = keyword(text, opt_out_type)
    if command is None or is_word_of(text, SMS_KEYWORDS, "en"):
        return None
    return command


def for_engine(connection: Connection, inbound: InboundMessage, opt_out_type: str | None) -> str:
    """The text to hand the engine: the message itself, or the English command it means.

    Only a keyword the engine would miss is rewritten (it then records the command word, not
    the tenant's spelling of it); START only for an opted-out number, because otherwise the
    word may be an answer.
    """
    command = needs_rewrite(inbound.text, opt_out_type)
    if command is None:
        return inbound.text
    contact = find_contact(connection, inbound.channel, inbound.address)
    # The engine reads commands in the open conversation's language and English, and in
    # every language when no conversation is open (it then answers in the keyword's).
    is_open = contact is not None and contact.session_id is not None
    if not is_open and detect_in_any_language(inbound.text, SMS_KEYWORDS) is command:
        return inbound.text
    language = contact.session_language if contact is not None and is_open else None
    if is_word_of(inbound.text, (command,), language or "en"):
        return inbound.text
    opted_out = contact is not None and contact.opted_out
    if command is Command.START and not opted_out:
        return inbound.text
    return COMMAND_WORD[command]


def cancel_other_pending(
    connection: Connection,
    address: str,
    keep: list[int],
    now: datetime.datetime,
    channel: str = CHANNEL,
) -> int:
    """After a STOP, nothing already queued may still go out, except the confirmation.

    Only while the number is opted out: a late copy of an old STOP must not cancel the
    messages of a survey the tenant has since opted back in to.
    """
    if not is_opted_out(connection, channel, address):
        return 0
    result = connection.execute(
        update(OUTBOUND)
        .where(
            OUTBOUND.c.channel == channel,
            OUTBOUND.c.address == address,
            OUTBOUND.c.status == OutboundStatus.PENDING.value,
            OUTBOUND.c.id.not_in(keep),
        )
        .values(status=OutboundStatus.CANCELLED.value, error="opted out: STOP", status_at=now)
    )
    return result.rowcount or 0


@dataclass(frozen=True)
class StatusUpdate:
    message_sid: str
    status: OutboundStatus | None  # None: a status the outbox does not track
    error_code: str | None
    to: str | None  # E.164, when Twilio sent a readable number

    @property
    def opted_out(self) -> bool:
        return self.error_code == OPTED_OUT_ERROR

    @property
    def error(self) -> str | None:
        return f"twilio {self.error_code}" if self.error_code else None


def _required(form: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = form.get(name)
        if value:
            return value
    raise MalformedWebhook(f"The request has no {names[0]}; Twilio always sends one.")


@functools.lru_cache(maxsize=1024)
def _e164(sender: str, region: str) -> str:
    """Parsing a number costs more than the rest of reading a webhook; a tenant answering
    a survey sends several in a row from one number, so recent numbers are remembered."""
    return normalise_phone(sender, region)


def inbound_message(
    form: Mapping[str, str], *, region: str, received_at: datetime.datetime
) -> InboundMessage:
    """The engine's view of one inbound SMS webhook (text may be empty for a picture)."""
    sid = _required(form, "MessageSid", "SmsSid")
    sender = _required(form, "From")
    try:
        address = _e164(sender, region)
    except InvalidPhoneNumber as error:
        raise MalformedWebhook(f"The sender (From) cannot be answered by SMS. {error}") from None
    return InboundMessage(
        channel=CHANNEL,
        address=address,
        provider_id=sid[:128],
        text=form.get("Body", ""),
        received_at=received_at,
    )


def status_update(form: Mapping[str, str], *, region: str) -> StatusUpdate:
    sid = _required(form, "MessageSid", "SmsSid")
    status_name = _required(form, "MessageStatus", "SmsStatus").strip().lower()
    error_code = (form.get("ErrorCode") or "").strip() or None
    to: str | None = None
    if form.get("To"):
        try:
            to = normalise_phone(form["To"], region)
        except InvalidPhoneNumber:
            to = None
    return StatusUpdate(sid[:128], TWILIO_STATUSES.get(status_name), error_code, to)


__all__ = [
    "CHANNEL",
    "OPTED_OUT_ERROR",
    "MalformedWebhook",
    "StatusUpdate",
    "cancel_other_pending",
    "for_engine",
    "inbound_message",
    "keyword",
    "needs_rewrite",
    "status_update",
]
