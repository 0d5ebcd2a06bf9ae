"""The daily case digest is emailed to the configured officers' addresses over SMTP, with
case numbers, categories and deadlines only: no tenant reference, address or words."""

from __future__ import annotations

import datetime

from pydantic import SecretStr

from api.scheduler import case_digest
from bot.engine.engine import Engine
from bot.service import Service
from tests.support.concerns import comment_after_repair
from tests.support.fakes.smtp import FakeSmtp
from tests.support.services import Clock

FRIDAY = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC)


def test_the_digest_is_emailed_to_the_digest_addresses_without_tenant_words(
    service: Service, clock: Clock
) -> None:
    clock.now = FRIDAY
    comment_after_repair(service, "the walls are mouldy and my name is Jane Doe")
    clock.now = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)
    with FakeSmtp() as smtp:
        settings = service.settings.model_copy(
            update={**smtp.settings(), "digest_email_to": ["cases@riverside.example"]}
        )
        engine = Engine(service.database, service.registry, settings, clock)
        case_digest(Service(settings, service.database, service.registry, engine))
    (mail,) = smtp.messages
    assert mail["To"] == "cases@riverside.example" and mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == "Case deadlines 20 May 2026: 1 overdue, 0 due within 2 days"
    text = str(mail.get_content())
    assert "- case 1 (damp and mould): investigate overdue since 18 May 2026" in text
    assert "http://127.0.0.1:8000/console/concerns" in text
    assert "mouldy" not in text and "Jane" not in text and "+44" not in text


def test_without_smtp_the_digest_is_only_logged(service: Service, clock: Clock) -> None:
    with FakeSmtp() as smtp:
        service.settings.digest_email_to = ["cases@riverside.example"]
        service.settings.smtp_url = SecretStr("")
        case_digest(service)
    assert smtp.messages == []
