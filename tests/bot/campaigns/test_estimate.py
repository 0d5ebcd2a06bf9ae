"""The pre-launch estimate: audience, channels, SMS parts per language, cost, time, reasons."""

from __future__ import annotations

import datetime

import pytest

from bot.campaigns.estimate import Estimate, estimate_campaign
from bot.campaigns.offline import offline_preference
from bot.campaigns.spec import parse_spec
from bot.service import Service
from tests.support.campaigns import add_tenant, phone, spec
from tests.support.services import Clock


def estimate(service: Service, clock: Clock, **overrides: object) -> Estimate:
    campaign = parse_spec(spec(clock, **overrides))
    questionnaire = service.registry.latest(campaign.questionnaire)
    settings = service.settings.model_copy(
        update={"sms_price_per_part": 0.05, "price_per_message": 0.01}
    )
    with service.database.engine.connect() as connection:
        return estimate_campaign(
            connection, questionnaire, campaign, settings, clock.now, available=["sms"]
        )


def test_welsh_and_urdu_invitations_cost_more_parts_than_english(
    service: Service, clock: Clock
) -> None:
    for number, language in enumerate(("en", "en", "cy", "ur")):
        add_tenant(service, f"T{number}", sms=phone(number), language=language,
                   attributes={"area": "North" if number < 2 else "South"})  # fmt: skip
    english = estimate(service, clock, audience={"area": "North"})
    mixed = estimate(service, clock, audience={"area": "South"})
    assert (english.population, english.sample, english.channels) == (2, 2, {"sms": 2})
    assert [part.code for part in english.languages] == ["en"]
    assert english.languages[0].encoding == "GSM-7"
    by_code = {part.code: part for part in mixed.languages}
    assert set(by_code) == {"cy", "ur"}
    assert by_code["ur"].encoding == "UCS-2"
    assert by_code["ur"].name == "اردو"
    assert by_code["cy"].name == "Cymraeg"
    assert by_code["ur"].parts_each > english.languages[0].parts_each
    assert mixed.sms_parts > english.sms_parts
    assert mixed.cost == round(mixed.sms_parts * 0.05 + 2 * 0.01, 2)
    assert mixed.priced


def test_unreachable_tenants_are_counted_by_reason_and_letters_listed(
    service: Service, clock: Clock
) -> None:
    add_tenant(service, "A", sms=phone(1))
    add_tenant(service, "B", telegram="555")  # no sender for Telegram here
    add_tenant(service, "C", sms=phone(3), attributes={"preferred_channel": "letter"})
    found = estimate(service, clock, channels=["sms", "telegram"])
    assert found.population == 3
    # C asked for letters: counted and listed, never messaged.
    assert found.channels == {"sms": 1}
    assert sorted(found.unreachable.values()) == [1, 1]
    reasons = " ".join(found.unreachable)
    assert "telegram: no sender is configured" in reasons
    assert "asked to be contacted by letter" in reasons
    assert found.offline == {"letter": 1}


def test_a_margin_sample_and_the_sending_time_inside_allowed_hours(
    service: Service, clock: Clock
) -> None:
    for number in range(40):
        add_tenant(service, f"T{number:02d}", sms=phone(number))
    start = datetime.datetime(2026, 11, 6, 19, 50, tzinfo=datetime.UTC)  # a Friday evening
    found = estimate(
        service,
        clock,
        starts_at=start.isoformat(),
        ends_at=(start + datetime.timedelta(days=20)).isoformat(),
        days="mon-fri",
        hours="09:00-20:00",
        sample={"margin": 0.1},
        send_rate_per_minute={"sms": 1},
    )
    assert found.responses_needed == found.sample < 40
    assert found.sending_minutes == found.sample
    # Ten minutes on Friday, the rest from 09:00 on Monday.
    rest = found.sample - 10
    assert found.finishes_at == datetime.datetime(2026, 11, 9, 9, rest, tzinfo=datetime.UTC)
    assert found.fits


def test_offline_preferences_are_read_in_any_spelling() -> None:
    assert offline_preference("Letter") == "letter"
    assert offline_preference("phone call") == "phone"
    assert offline_preference("web_chat") is None
    assert offline_preference(None) is None


def test_a_large_audience_is_estimated_from_a_sample_and_scaled(
    service: Service, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.campaigns.estimate.CHANNEL_SAMPLE", 10)
    for number in range(40):
        add_tenant(service, f"T{number:02d}", sms=phone(number) if number % 2 else None)
    found = estimate(service, clock)
    assert (found.sample, found.scaled_from) == (40, 10)
    assert found.invitations + found.unreachable_count == 40
