"""A campaign over WhatsApp: the tenant who asked for WhatsApp is invited there by template,
and after 24 hours of silence reminded by template, through the real campaign ticks."""

from __future__ import annotations

import datetime

from sqlalchemy import insert

from bot.storage.tables import IDENTITIES, OUTBOUND
from tests.support.campaigns import add_tenant, create, outbox, targets, tick
from tests.support.whatsapp import TEMPLATES, TENANT, WhatsApp, whatsapp_fixture  # noqa: F401


def test_a_campaign_invites_and_reminds_a_whatsapp_tenant_by_template(whatsapp: WhatsApp) -> None:
    service, clock = whatsapp.service, whatsapp.clock
    respondent = add_tenant(
        service, "T-1", sms=TENANT, attributes={"preferred_channel": "whatsapp"}
    )
    with service.database.engine.begin() as connection:
        connection.execute(
            insert(IDENTITIES).values(
                respondent_id=respondent, channel="whatsapp", address=TENANT,
                created_at=clock.now,
            )
        )  # fmt: skip
    campaign = create(
        service, clock, reminder_interval_hours=24, send_rate_per_minute={"whatsapp": 0}
    )
    tick(service, clock, available=("sms", "whatsapp"))
    (target,) = targets(service, campaign)
    assert target.channel == "whatsapp"
    (invitation,) = outbox(service)
    assert (invitation.channel, invitation.purpose) == ("whatsapp", "invitation")
    assert whatsapp.drain().sent == 1
    assert (
        whatsapp.fake.sent_to(f"whatsapp:{TENANT}")[0].content_sid == TEMPLATES["invitation"]["en"]
    )

    clock.advance(hours=24, minutes=5)
    tick(service, clock, available=("sms", "whatsapp"))
    reminder = outbox(service, OUTBOUND.c.purpose == "reminder")
    assert len(reminder) == 1
    assert whatsapp.drain().sent == 1
    sent = whatsapp.fake.sent_to(f"whatsapp:{TENANT}")
    assert [message.content_sid for message in sent] == [
        TEMPLATES["invitation"]["en"],
        TEMPLATES["reminder"]["en"],
    ]
    assert whatsapp.fake.sent_to(TENANT) == []  # nothing by SMS
    assert clock.now - sent[0].date_created >= datetime.timedelta(hours=24)
