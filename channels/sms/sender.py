"""SMS through Twilio: sends outbox messages with the Twilio REST client.

The Twilio client is synchronous (requests), so each call runs in a worker thread. Twilio's
errors become the outbox's: 21610 (the number sent STOP to Twilio) opts the number out,
other refusals are permanent, rate limits, Twilio's own trouble and the network are
transient. Every send asks for a status callback to `POST /webhooks/twilio/status`, with
the outbox row's id in the signed URL so an early callback still finds its row.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
import threading
import time
from typing import Any, ClassVar

import requests
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.engine.messages import OutboundMessage
from bot.settings import Settings
from bot.tenants.phone import InvalidPhoneNumber, normalise_phone
from channels.base import Channel, PermanentSendError, RateLimit, SendResult, TransientSendError
from channels.sms.inbound import OPTED_OUT_ERROR
from channels.sms.render import SmsText, render_sms

logger = logging.getLogger(__name__)
STATUS_PATH = "/webhooks/twilio/status"
REQUEST_TIMEOUT = 15.0  # seconds; a hung connection must not hold a dispatcher slot forever
FIND_SENT_LIMIT = 50  # recent messages to one number looked at when reconciling after a crash
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")


class QuietHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's requests client without its INFO log lines (they carry phone numbers)."""

    def log_request(self, kwargs: dict[str, Any]) -> None:
        pass

    def log_response(self, status_code: int, response: Any) -> None:
        pass


class SegmentPacer:
    """At most `per_second` SMS parts a second from this process (senders bill by part)."""

    def __init__(self, per_second: float) -> None:
        self.per_second = per_second
        self._next = 0.0
        # A thread lock, not an asyncio one: nothing awaits inside, and tests drain the
        # same channel from several event loops.
        self._lock = threading.Lock()

    async def wait(self, segments: int) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + segments / self.per_second
        if start > now:
            await asyncio.sleep(start - now)


def send_error(error: Exception) -> TransientSendError | PermanentSendError:
    """Twilio's answer (or the network's silence) as the outbox understands it."""
    if isinstance(error, requests.RequestException):
        return TransientSendError(f"could not reach Twilio ({type(error).__name__})")
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    code_text = str(code) if code is not None else None
    # Twilio's message text can quote the number, so only codes go into the outbox.
    reason = f"Twilio refused the message (HTTP {status}, error {code_text or 'none'})"
    if code_text == OPTED_OUT_ERROR:
        return PermanentSendError(
            "the number has opted out with Twilio", code=code_text, opted_out=True
        )
    if status == 429 or code_text == "20429":
        return TransientSendError("Twilio asked us to slow down", code=code_text, retry_after=1.0)
    if not isinstance(status, int) or status >= 500:
        return TransientSendError(f"Twilio is having trouble (HTTP {status})", code=code_text)
    if status in (401, 403):
        logger.error("Twilio refused Doorstep's credentials; check DOORSTEP_TWILIO_* settings")
    return PermanentSendError(reason, code=code_text)


class SmsChannel(Channel):
    name: ClassVar[str] = "sms"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        public_base_url: str,
        messaging_service_sid: str = "",
        from_number: str = "",
        rate_per_second: float = 10.0,
        gsm7_replacements: bool = True,
        http_client: Any | None = None,
        client: Any | None = None,
    ) -> None:
        if not (messaging_service_sid or from_number):
            raise ValueError(
                "Twilio is configured without a sender: set DOORSTEP_TWILIO_MESSAGING_SERVICE_SID "
                "or DOORSTEP_TWILIO_FROM."
            )
        self.rate_limit = RateLimit(per_second=rate_per_second)
        self.messaging_service_sid = messaging_service_sid
        self.from_number = from_number
        self.status_callback_base = public_base_url.rstrip("/") + STATUS_PATH
        self.gsm7_replacements = gsm7_replacements
        self.http_client = http_client or QuietHttpClient(timeout=REQUEST_TIMEOUT)
        self.client = client or Client(account_sid, auth_token, http_client=self.http_client)
        # Twilio loads its API modules on first use (a few tenths of a second): do it now, so
        # the first send leaves at its booked moment and does not bunch up with the next.
        _ = self.client.messages
        self._pacer = SegmentPacer(rate_per_second)

    @classmethod
    def from_settings(cls, settings: Settings, http_client: Any | None = None) -> SmsChannel | None:
        """The channel for these settings, or None when Twilio is not configured."""
        if not settings.sms_enabled:
            return None
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            public_base_url=settings.public_base_url,
            messaging_service_sid=settings.twilio_messaging_service_sid,
            from_number=sender_id(settings.twilio_from, settings.sms_default_region),
            rate_per_second=settings.sms_rate_per_second,
            gsm7_replacements=settings.sms_gsm7_replacements,
            http_client=http_client,
        )

    def render(self, message: OutboundMessage) -> SmsText:
        return render_sms(message, gsm7_replacements=self.gsm7_replacements)

    def units(self, message: OutboundMessage) -> int:
        """The parts this message is sent in: what the shared send schedule books."""
        return self.render(message).segments

    def status_callback(self, message: OutboundMessage) -> str:
        return f"{self.status_callback_base}?outbox={message.id}"

    async def send(self, message: OutboundMessage) -> SendResult:
        text = self.render(message)
        if text.too_long:
            raise PermanentSendError("the message is longer than 1,600 characters", code="length")
        sender: dict[str, str] = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        await self._pacer.wait(text.segments)
        try:
            created = await asyncio.to_thread(
                self.client.messages.create,
                to=message.address,
                body=text.body,
                status_callback=self.status_callback(message),
                **sender,
            )
        except (TwilioException, requests.RequestException) as error:
            raise send_error(error) from None
        return SendResult(provider_id=str(created.sid), segments=text.segments)

    @property
    def can_find_sent(self) -> bool:
        return True

    async def find_sent(
        self, message: OutboundMessage, since: datetime.datetime
    ) -> SendResult | None:
        """After a crash: the Twilio message with this body sent to this number since `since`.

        Raises TransientSendError when Twilio cannot be asked, so the row is neither resent
        nor given up on a guess.
        """
        text = self.render(message)
        try:
            recent = await asyncio.to_thread(
                self.client.messages.list, to=message.address, limit=FIND_SENT_LIMIT
            )
        except (TwilioException, requests.RequestException) as error:
            raise send_error(error) from None
        for candidate in recent:
            created_at = candidate.date_created
            if (
                str(candidate.direction or "").startswith("outbound")
                and candidate.body == text.body
                and isinstance(created_at, datetime.datetime)
                and created_at >= since
            ):
                return SendResult(provider_id=str(candidate.sid), segments=text.segments)
        return None

    async def stop(self) -> None:
        session = getattr(self.http_client, "session", None)
        if session is not None:
            await asyncio.to_thread(session.close)


def sender_id(configured: str, region: str) -> str:
    """DOORSTEP_TWILIO_FROM as Twilio wants it: E.164, or an alphanumeric sender ID."""
    if not configured or ALPHANUMERIC_SENDER.match(configured):
        return configured
    try:
        return normalise_phone(configured, region)
    except InvalidPhoneNumber as error:
        raise ValueError(f"DOORSTEP_TWILIO_FROM is not usable: {error}") from None
