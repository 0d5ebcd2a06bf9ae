"""WhatsApp through Twilio: free replies inside the 24-hour window, templates outside it.

The same Twilio account, REST call and status callbacks as SMS (the client, its quiet HTTP
client and the reading of Twilio's errors are the SMS channel's). What differs:

- Invitations and reminders always go as approved Content templates, and so does anything
  else once 24 hours have passed since the tenant last wrote (a "reopen" template).
- A free reply WhatsApp refuses as outside the window (63016, e.g. when the tenant's last
  message is older than we knew) is sent once more as the reopen template, never again.
- Inside the window, a question with up to three short options goes with quick-reply
  buttons and one with up to ten as a list picker (`channels/whatsapp/interactive.py`);
  other choices go as numbered text, and tenants type the number, as by SMS.
- Each message books one slot in the shared send schedule (WhatsApp bills per message).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
from typing import Any, ClassVar

import requests
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from bot.engine.messages import OutboundMessage
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import utcnow
from channels.base import Channel, PermanentSendError, RateLimit, SendResult, TransientSendError
from channels.sms.render import sms_body
from channels.sms.sender import FIND_SENT_LIMIT, REQUEST_TIMEOUT, QuietHttpClient, send_error
from channels.whatsapp import inbound, window
from channels.whatsapp.interactive import ContentBook, choices_for
from channels.whatsapp.templates import NoTemplate, Template, TemplateBook, variables

logger = logging.getLogger(__name__)
STATUS_PATH = "/webhooks/twilio/whatsapp/status"
MAX_BODY = 1600  # characters Twilio accepts in one WhatsApp message body
TEMPLATE_PURPOSES = frozenset({"invitation", "reminder", "reopen"})


def whatsapp_error(error: Exception) -> TransientSendError | PermanentSendError:
    """Twilio's refusal, read with WhatsApp's own error codes first."""
    code = getattr(error, "code", None)
    known = inbound.meaning(str(code) if code is not None else None)
    if known is None:
        return send_error(error)
    if known.transient:
        return TransientSendError(known.reason, code=str(code), retry_after=1.0)
    return PermanentSendError(known.reason, code=str(code), opted_out=known.opted_out)


class WhatsAppChannel(Channel):
    name: ClassVar[str] = "whatsapp"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        public_base_url: str,
        from_number: str,
        templates: TemplateBook,
        landlord: str,
        last_heard: window.LastHeard,
        rate_per_second: float = 10.0,
        clock: Any = utcnow,
        http_client: Any | None = None,
        client: Any | None = None,
    ) -> None:
        self.rate_limit = RateLimit(per_second=rate_per_second)
        self.from_address = inbound.address_of(from_number)
        self.status_callback_base = public_base_url.rstrip("/") + STATUS_PATH
        self.templates = templates
        self.landlord = landlord
        self.last_heard = last_heard
        self.clock = clock
        self.http_client = http_client or QuietHttpClient(timeout=REQUEST_TIMEOUT)
        self.client = client or Client(account_sid, auth_token, http_client=self.http_client)
        _ = self.client.messages  # load Twilio's API modules now, not at the first send
        self.contents = ContentBook(self.client)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        database: Database | None = None,
        *,
        http_client: Any | None = None,
        clock: Any = utcnow,
    ) -> WhatsAppChannel | None:
        """The channel for these settings, or None when no WhatsApp sender is configured."""
        if not settings.whatsapp_enabled:
            return None
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            public_base_url=settings.public_base_url,
            from_number=inbound.bare_number(settings.whatsapp_from, settings.sms_default_region),
            templates=TemplateBook(settings.whatsapp_templates),
            landlord=settings.landlord_name,
            last_heard=window.reader(database, settings.database_url),
            rate_per_second=settings.whatsapp_rate_per_second,
            clock=clock,
            http_client=http_client,
        )

    def units(self, message: OutboundMessage) -> int:
        return 1  # one slot per WhatsApp message, however long

    def status_callback(self, message: OutboundMessage) -> str:
        return f"{self.status_callback_base}?outbox={message.id}"

    async def template_for(self, message: OutboundMessage) -> Template | None:
        """The template this message must go as, or None when it may go as it is."""
        purpose = message.purpose if message.purpose in TEMPLATE_PURPOSES else None
        if purpose is None:
            heard = await asyncio.to_thread(self.last_heard, message.address)
            if window.is_open(heard, self.clock()):
                return None
            purpose = "reopen"
        try:
            return self.templates.choose(purpose, message.language)
        except NoTemplate as missing:
            raise PermanentSendError(str(missing), code="template") from None

    async def send(self, message: OutboundMessage) -> SendResult:
        template = await self.template_for(message)
        if template is not None:
            return await self._create(message, self._template_fields(message, template))
        try:
            return await self._create(message, await self._free_content(message))
        except PermanentSendError as refused:
            if refused.code != inbound.OUTSIDE_WINDOW:
                raise
        # Outside the window after all: once as the reopen template, and no more.
        try:
            reopen = self.templates.choose("reopen", message.language)
        except NoTemplate:
            raise PermanentSendError(
                "the tenant last wrote more than 24 hours ago and no WhatsApp template is "
                "configured for re-openings, so the message was not sent",
                code=inbound.OUTSIDE_WINDOW,
            ) from None
        return await self._create(message, self._template_fields(message, reopen))

    async def _free_content(self, message: OutboundMessage) -> dict[str, str]:
        """Buttons where WhatsApp allows them, else the text with numbered options."""
        choices = choices_for(message)
        if choices is not None:
            try:
                sid = await asyncio.to_thread(self.contents.sid, choices)
            except (TwilioException, requests.RequestException) as error:
                # The question still goes, as numbered text; the buttons are a convenience.
                logger.warning("could not create WhatsApp buttons (%s)", type(error).__name__)
            else:
                return {"content_sid": sid, "content_variables": json.dumps({"1": message.body})}
        body = sms_body(message)
        if len(body) > MAX_BODY:
            raise PermanentSendError("the message is longer than 1,600 characters", code="length")
        return {"body": body}

    def _template_fields(self, message: OutboundMessage, template: Template) -> dict[str, str]:
        return {
            "content_sid": template.content_sid,
            "content_variables": json.dumps(variables(message, self.landlord)),
        }

    async def _create(self, message: OutboundMessage, content: dict[str, str]) -> SendResult:
        try:
            created = await asyncio.to_thread(
                self.client.messages.create,
                to=inbound.address_of(message.address),
                from_=self.from_address,
                status_callback=self.status_callback(message),
                **content,
            )
        except (TwilioException, requests.RequestException) as error:
            raise whatsapp_error(error) from None
        return SendResult(provider_id=str(created.sid), segments=1)

    @property
    def can_find_sent(self) -> bool:
        return True

    async def find_sent(
        self, message: OutboundMessage, since: datetime.datetime
    ) -> SendResult | None:
        """After a crash: a message Twilio accepted for this number since `since`.

        A template's stored body is WhatsApp's rendering, not ours, so any outbound message
        to the number in that time counts: a lost reminder is better than a doubled one.
        """
        bodies = {sms_body(message), message.body}  # as numbered text, or above its buttons
        try:
            recent = await asyncio.to_thread(
                self.client.messages.list,
                to=inbound.address_of(message.address),
                limit=FIND_SENT_LIMIT,
            )
        except (TwilioException, requests.RequestException) as error:
            raise whatsapp_error(error) from None
        for candidate in recent:
            created_at = candidate.date_created
            if (
                str(candidate.direction or "").startswith("outbound")
                and isinstance(created_at, datetime.datetime)
                and created_at >= since
                and (message.purpose is not None or candidate.body in bodies)
            ):
                return SendResult(provider_id=str(candidate.sid), segments=1)
        return None

    async def stop(self) -> None:
        session = getattr(self.http_client, "session", None)
        if session is not None:
            await asyncio.to_thread(session.close)
