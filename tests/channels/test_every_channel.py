"""One conversation, every channel: SMS, WhatsApp, Telegram and web chat, on SQLite and PostgreSQL.

The tenant drives the real app through `channel_driver` (tests/support/channel_plugin.py), so the
same steps and the same expected rows hold whichever way the tenant answers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.service import Service
from bot.storage.models import (
    Answer,
    AnswerStatus,
    ChannelIdentity,
    OutboundRecord,
    OutboundStatus,
    Session,
    SessionState,
)
from tests.support.channel_plugin import ChannelDriver


def current_answers(service: Service) -> dict[str, Any]:
    with service.database.sessions() as session:
        rows = session.scalars(
            select(Answer).where(Answer.status == AnswerStatus.CURRENT.value).order_by(Answer.id)
        )
        return {row.question: (row.value, row.channel) for row in rows}


def sessions(service: Service) -> list[Session]:
    with service.database.sessions() as session:
        return list(session.scalars(select(Session).order_by(Session.id)))


def identity(driver: ChannelDriver) -> ChannelIdentity:
    with driver.service.database.sessions() as session:
        return session.scalars(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == driver.name,
                ChannelIdentity.address == driver.address,
            )
        ).one()


def outbox_shown_or_due(driver: ChannelDriver) -> int:
    """Rows meant for the tenant that were not cancelled: sent, displayed or still due."""
    with driver.service.database.sessions() as session:
        rows = session.scalars(
            select(OutboundRecord).where(
                OutboundRecord.channel == driver.name,
                OutboundRecord.address == driver.address,
                OutboundRecord.status != OutboundStatus.CANCELLED.value,
            )
        )
        return len(list(rows))


def test_post_repair_survey_stores_the_same_answers_on_every_channel(
    channel_driver: ChannelDriver,
) -> None:
    tenant = channel_driver
    consent = tenant.start_keyword_or_invite("post_repair")
    assert "Riverside Homes" in consent and "take part" in consent
    question = tenant.say("yes")
    assert "How satisfied or dissatisfied are you with your recent repair?" in question
    assert "Fairly satisfied" in question
    assert "right first time" in tenant.choose(2)
    assert "keep the appointment" in tenant.say("yes")
    question = tenant.say("no")
    assert "polite" in question and "Polite, but left a mess" in question
    assert "anything else" in tenant.choose(2)
    assert "Thank you" in tenant.say("The plumber was quick but the boiler still rattles")

    assert current_answers(tenant.service) == {
        "repair_overall": (2, tenant.name),
        "right_first_time": (True, tenant.name),
        "appointment_kept": (False, tenant.name),
        "operative_conduct": (2, tenant.name),
        "comment": ("The plumber was quick but the boiler still rattles", tenant.name),
    }
    (session,) = sessions(tenant.service)
    assert session.channel == tenant.name
    assert session.state == SessionState.COMPLETED.value
    assert session.completed_at is not None


def test_stop_opts_the_address_out_and_nothing_more_is_delivered(
    channel_driver: ChannelDriver,
) -> None:
    tenant = channel_driver
    tenant.start_keyword_or_invite("post_repair")
    tenant.say("yes")
    tenant.service.engine.remind(channel=tenant.name, address=tenant.address)
    assert "How satisfied" in tenant.deliver()  # a reminder reaches the tenant
    confirmation = tenant.say("STOP")
    assert "not get any more messages" in confirmation
    assert identity(tenant).opted_out_at is not None
    (session,) = sessions(tenant.service)
    assert session.state == SessionState.OPTED_OUT.value
    seen, outbox = tenant.seen(), outbox_shown_or_due(tenant)
    for text in ("2", "REPAIR", "hello?"):
        assert tenant.say(text) == ""
    assert tenant.service.engine.remind(channel=tenant.name, address=tenant.address) == []
    assert tenant.deliver() == ""
    assert tenant.seen() == seen
    assert outbox_shown_or_due(tenant) == outbox
    assert current_answers(tenant.service) == {}
