"""A local SMTP server (aiosmtpd) that keeps what it is given and refuses what it is told.

with FakeSmtp() as smtp:
    settings = settings.model_copy(update=smtp.settings())
    ...
    (mail,) = smtp.messages
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from pydantic import SecretStr

from tests.support.ports import free_port


@dataclass
class _Handler:
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply at RCPT

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class FakeSmtp:
    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def refuse(self, address: str, reply: str = "550 5.1.1 No such mailbox here") -> None:
        self.handler.refuse[address.lower()] = reply

    def settings(self) -> dict[str, Any]:
        """The settings that send through this server."""
        return {
            "smtp_url": SecretStr(f"smtp://127.0.0.1:{self.port}"),
            "email_from": "Riverside Homes <surveys@riverside.example>",
        }

    def __enter__(self) -> FakeSmtp:
        self.controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.controller.stop()
