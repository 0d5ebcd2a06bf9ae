"""Email through SMTP: an invitation email from the outbox, with one-click unsubscribe.

The outbox row's body holds the composed email (`bot.outreach.email_message`); this adds the
envelope and headers: `List-Unsubscribe` (a mailto and the https one-click page) and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). The server's answers become
the outbox's: a 5xx refusal of the recipient or of the message marks the address failed, a
4xx answer or a dropped connection is retried, a refused login is reported to operators.
"""

from __future__ import annotations

import asyncio
import json
import logging
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import ClassVar
from urllib.parse import quote

from bot.engine.messages import OutboundMessage
from bot.outreach.email_message import EmailContent
from bot.outreach.invites import unsubscribe_url
from bot.settings import Settings
from channels.base import Channel, PermanentSendError, RateLimit, SendResult, TransientSendError
from channels.email.smtp import SmtpServer

logger = logging.getLogger(__name__)


class EmailChannel(Channel):
    name: ClassVar[str] = "email"

    def __init__(
        self,
        *,
        server: SmtpServer,
        sender: str,
        settings: Settings,
        rate_per_second: float = 5.0,
    ) -> None:
        self.server = server
        self.sender = sender
        self.settings = settings
        self.mailbox = parseaddr(settings.email_unsubscribe_mailbox or sender)[1]
        self.rate_limit = RateLimit(per_second=rate_per_second)

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailChannel | None:
        """The channel for these settings, or None when no SMTP server is configured."""
        if not settings.email_enabled:
            return None
        return cls(
            server=SmtpServer.from_url(settings.smtp_url.get_secret_value()),
            sender=settings.email_from,
            settings=settings,
            rate_per_second=settings.email_rate_per_second,
        )

    def build(self, message: OutboundMessage) -> EmailMessage:
        """The email for one outbox row (its Message-ID is the provider id)."""
        content = EmailContent.from_body(message.body)
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = Address(addr_spec=message.address)
        email["Subject"] = content.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain=self.mailbox.rpartition("@")[2] or None)
        mailto = f"mailto:{self.mailbox}?subject={quote('unsubscribe ' + content.unsubscribe)}"
        https = unsubscribe_url(self.settings, content.unsubscribe)
        email["List-Unsubscribe"] = f"<{mailto}>, <{https}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email.set_content(content.text)
        email.add_alternative(content.html, subtype="html")
        email["Content-Language"] = message.language  # after the body: set_content clears it
        return email

    async def send(self, message: OutboundMessage) -> SendResult:
        try:
            email = self.build(message)
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            raise PermanentSendError(
                "the outbox row does not hold an email", code="format"
            ) from None
        try:
            await asyncio.to_thread(self.server.send, email)
        except (smtplib.SMTPException, OSError) as error:
            raise send_error(error) from None
        return SendResult(provider_id=str(email["Message-ID"]).strip("<>")[:128])


def send_error(error: Exception) -> TransientSendError | PermanentSendError:
    """The SMTP server's answer as the outbox understands it (codes only, never addresses)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        code = codes[0] if codes else 550
        return _by_code(code, "the mail server refused the address", address=True)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        logger.error("the SMTP server refused Doorstep's login; check DOORSTEP_SMTP_URL")
        return TransientSendError("the mail server refused Doorstep's login", code="auth")
    if isinstance(error, smtplib.SMTPSenderRefused):
        logger.error("the SMTP server refused the from address; check DOORSTEP_EMAIL_FROM")
        return _by_code(error.smtp_code, "the mail server refused the from address", address=False)
    if isinstance(error, smtplib.SMTPResponseException):  # DATA refused, and the like
        return _by_code(error.smtp_code, "the mail server refused the message", address=True)
    return TransientSendError(f"could not reach the mail server ({type(error).__name__})")


def _by_code(code: int, what: str, *, address: bool) -> TransientSendError | PermanentSendError:
    if 400 <= code < 500:
        return TransientSendError(f"{what} for now (SMTP {code})", code=str(code))
    return PermanentSendError(
        f"{what} (SMTP {code})", code=str(code), address_failed=address and code >= 500
    )
