"""The best channel for a tenant: preferred, recommended, then fallbacks."""

from __future__ import annotations

import datetime
from typing import Any

from bot.outreach.channel_choice import ChannelChoice, NoChannel, best_channel, choose_channel
from bot.outreach.contact_policy import add_do_not_contact
from bot.service import Service
from tests.support.repairs import tenant

ALL = ("sms", "telegram", "webchat")
SMS = "+447700900001"
CHAT = "5550001"


def choose(service: Service, respondent_id: int, allowed: Any = ALL, **options: Any) -> Any:
    with service.database.engine.begin() as connection:
        return choose_channel(
            connection, respondent_id, allowed, settings=service.settings, **options
        )


def test_the_preferred_channel_comes_first(service: Service) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS, telegram=CHAT, preferred_channel="telegram")
    assert choose(service, tenant_id) == ChannelChoice("telegram", CHAT, source="preferred")


def test_a_missing_preferred_identity_falls_back(service: Service) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS, preferred_channel="telegram")
    assert choose(service, tenant_id) == ChannelChoice("sms", SMS, source="fallback")


def test_an_opted_out_preferred_identity_falls_back(service: Service) -> None:
    tenant_id = tenant(
        service,
        "T-1",
        sms=SMS,
        telegram=CHAT,
        opted_out=("telegram",),
        preferred_channel="telegram",
    )
    assert choose(service, tenant_id) == ChannelChoice("sms", SMS, source="fallback")


def test_the_segment_recommendation_comes_before_the_fallbacks(service: Service) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS, telegram=CHAT, recommended_channel="telegram")
    assert choose(service, tenant_id).source == "recommended"
    both = tenant(
        service, "T-2", sms="+447700900002", telegram="5550002",
        preferred_channel="sms", recommended_channel="telegram",
    )  # fmt: skip
    assert choose(service, both).channel == "sms"


def test_a_do_not_contact_address_is_skipped(service: Service) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS, telegram=CHAT, preferred_channel="sms")
    with service.database.engine.begin() as connection:
        add_do_not_contact(
            connection,
            channel="sms",
            address=SMS,
            reason="number reassigned",
            now=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
        )
    assert choose(service, tenant_id).channel == "telegram"


def test_web_chat_only_questionnaires_reach_sms_tenants_by_link(service: Service) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS)
    profile = service.registry.latest("tenant_profile")
    assert "sms" not in profile.channels
    choice = choose(service, tenant_id, profile.channels)
    assert choice == ChannelChoice("sms", SMS, via_link=True)
    assert choice.kind == "webchat_link"
    # A tenant who prefers web chat gets a link too; without links, SMS itself is used.
    web = tenant(service, "T-2", sms="+447700900002", preferred_channel="web_chat")
    assert choose(service, web).via_link
    assert choose(service, web, links=False) == ChannelChoice("sms", "+447700900002")


def test_only_configured_senders_are_used(service: Service) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS, telegram=CHAT)
    assert choose(service, tenant_id, available={"telegram"}).channel == "telegram"


def test_no_usable_channel_says_why_without_addresses(service: Service) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS, opted_out=("sms",), preferred_channel="email")
    choice = choose(service, tenant_id)
    assert isinstance(choice, NoChannel) and not choice
    assert "sms: no identity that has not opted out or been blocked" in choice.reason
    assert SMS not in choice.reason
    with service.database.engine.begin() as connection:
        assert best_channel(connection, tenant_id, ALL, settings=service.settings) is None


def test_a_campaign_policy_replaces_the_fallback_order(service: Service) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS, telegram=CHAT, preferred_channel="sms")
    choice = choose(service, tenant_id, policy=["telegram", "sms"], use_preferences=False)
    assert choice.channel == "telegram"
