"""Email in the channel picker: the preferred channel when stated, a fallback only where the
landlord's order names it, never without a sender, a web chat offer or a usable address."""

from __future__ import annotations

from typing import Any

from bot.outreach.channel_choice import ChannelChoice, NoChannel, choose_channel
from bot.outreach.email_addresses import ensure_identity
from bot.outreach.optout import mark_address_failed
from bot.service import Service
from tests.support.campaigns import add_tenant

ALL = ("sms", "telegram", "webchat")
SENDERS = ("sms", "telegram", "email")
SMS = "+447700900001"


def choose(service: Service, respondent_id: int, allowed: Any = ALL, **options: Any) -> Any:
    options.setdefault("available", SENDERS)
    with service.database.engine.begin() as connection:
        return choose_channel(
            connection, respondent_id, allowed, settings=service.settings, **options
        )


def test_a_stated_email_preference_is_an_email_with_a_web_chat_link(service: Service) -> None:
    tenant = add_tenant(
        service, "T1", sms=SMS, attributes={"preferred_channel": "email", "email": " A@B.org "}
    )
    assert choose(service, tenant) == ChannelChoice("email", "a@b.org", True, "preferred")
    refused = choose(service, tenant, available=("sms",), policy=[])
    assert isinstance(refused, NoChannel) and "email: no sender is configured" in refused.reason
    no_chat = choose(service, tenant, allowed=("sms",), policy=[])
    assert "the questionnaire is not offered there" in no_chat.reason


def test_email_is_a_fallback_only_where_the_landlord_lists_it(service: Service) -> None:
    tenant = add_tenant(service, "T1", attributes={"email": "a@b.org"})
    default = choose(service, tenant)
    assert isinstance(default, NoChannel) and "email" not in default.reason
    allowed = choose(service, tenant, policy=["sms", "email"])
    assert allowed == ChannelChoice("email", "a@b.org", True, "fallback")


def test_a_failed_address_is_passed_over_with_its_reason(service: Service) -> None:
    tenant = add_tenant(
        service, "T1", attributes={"preferred_channel": "email", "email": "a@b.org"}
    )
    with service.database.engine.begin() as connection:
        ensure_identity(connection, tenant, "a@b.org", service.engine.clock())
        mark_address_failed(connection, "email", "a@b.org", "mailbox gone", service.engine.clock())
    found = choose(service, tenant, policy=[])
    assert found.reason == "No usable channel (email: the email address failed (mailbox gone))."
