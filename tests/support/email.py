"""What the email tests share: a service sending through a local SMTP server, tenants with
an email address, one dispatcher round, and the parts of a received email."""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from bot.dispatch.dispatcher import Dispatcher, DispatchStats
from bot.engine.engine import Engine
from bot.service import Service
from bot.storage.tables import IDENTITIES
from channels.email.sender import EmailChannel
from tests.support.campaigns import add_tenant
from tests.support.fakes.smtp import FakeSmtp
from tests.support.services import Clock

EMAIL_CHANNELS = ("sms", "telegram", "email")
_LINK = re.compile(r"http://127\.0\.0\.1:8000/chat/([A-Za-z0-9_-]+)")


def email_service(service: Service, smtp: FakeSmtp, clock: Clock) -> Service:
    """The same database and questionnaires, with email sending on."""
    settings = service.settings.model_copy(update=smtp.settings())
    engine = Engine(service.database, service.registry, settings, clock)
    return Service(settings, service.database, service.registry, engine)


def add_email_tenant(
    service: Service, ref: str, address: str, *, language: str | None = None, **options: Any
) -> int:
    attributes = {"email": address, "preferred_channel": "email", **options.pop("attributes", {})}
    return add_tenant(service, ref, attributes=attributes, language=language, **options)


def dispatch(service: Service, clock: Clock) -> DispatchStats:
    channel = EmailChannel.from_settings(service.settings)
    assert channel is not None
    return asyncio.run(Dispatcher(service.database, {"email": channel}, clock=clock).drain())


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a received email."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def link_token(text: str) -> str:
    found = _LINK.search(text)
    assert found, "the email holds no personal web chat link"
    return found[1]


def email_identity(service: Service, address: str) -> Any:
    with service.database.engine.connect() as connection:
        return connection.execute(
            select(IDENTITIES).where(
                IDENTITIES.c.channel == "email", IDENTITIES.c.address == address
            )
        ).first()
