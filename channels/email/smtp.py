"""SMTP connections from `DOORSTEP_SMTP_URL`, and what the server's answers mean.

`smtp://user:pass@host:587?starttls=1` (STARTTLS), `smtps://user:pass@host:465` (TLS from
the start), `smtp://host:25` (a local relay, no encryption). The standard library's
`smtplib` is synchronous: callers run it in a worker thread.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from bot.settings import Settings
from bot.settings_checks import smtp_description, smtp_starttls

TIMEOUT = 15.0  # seconds; a hung server must not hold a dispatcher slot forever


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str = ""
    password: str = ""
    tls: bool = False  # smtps: TLS from the first byte
    starttls: bool = False
    timeout: float = TIMEOUT

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if tls else 25),
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            tls=tls,
            starttls=smtp_starttls(parts.query),
        )

    def connect(self) -> smtplib.SMTP:
        """An open, greeted and (when configured) authenticated connection."""
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.tls:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            if self.starttls:
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password)
        except BaseException:
            client.close()
            raise
        return client

    def send(self, message: EmailMessage) -> None:
        """One message on a fresh connection; smtplib's exceptions pass through."""
        client = self.connect()
        try:
            client.send_message(message)
        finally:
            try:
                client.quit()
            except smtplib.SMTPException:
                client.close()


def send_plain(settings: Settings, recipients: list[str], subject: str, text: str) -> None:
    """A plain-text email to officers (the case digest) from the configured From address."""
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid()
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(text)
    SmtpServer.from_url(settings.smtp_url.get_secret_value()).send(message)


def reachability(url: str) -> tuple[bool, str]:
    """Whether the configured server answers and accepts the login, in a sentence."""
    where = smtp_description(url)
    if not url:
        return False, where
    server = SmtpServer.from_url(url)
    try:
        server.connect().quit()
    except smtplib.SMTPAuthenticationError:
        return False, f"{where} It answered but refused the user name or password."
    except (OSError, smtplib.SMTPException) as error:
        return False, f"{where} It could not be reached ({type(error).__name__})."
    return True, f"{where} It answered and accepted Doorstep's login."
