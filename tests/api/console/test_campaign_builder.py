"""The console's campaign builder and campaign page, through the app (no browser)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.access import users
from bot.access.audit import list_audit
from bot.campaigns.tick import run_campaigns
from bot.service import Service
from bot.storage.tables import CAMPAIGNS
from tests.support.auth import add_user, client_for, sign_in
from tests.support.campaigns import add_tenant, phone
from tests.support.services import Clock
from tests.support.twilio import twilio_settings

FORM = {
    "name": "Damp check",
    "questionnaire": "post_repair",
    "starts_at": "2026-11-02T10:00",
    "days": "mon-sun",
    "hours": "08:00-21:00",
    "timezone": "Europe/London",
    "reminders": "1",
    "reminder_interval_hours": "48",
    "sample": "all",
    "sample_method": "random",
    "response_rate": "100",
    "use_preferences": "1",
}


@pytest.fixture
def client(service: Service) -> TestClient:
    service.settings = twilio_settings(service.settings).model_copy(
        update={"sms_price_per_part": 0.04, "public_base_url": "http://testserver"}
    )
    return client_for(service)


@pytest.fixture
def csrf(client: TestClient, service: Service) -> str:
    add_user(service, "officer@example.org", users.Role.OFFICER)
    return sign_in(client, "officer@example.org")


def tenants(service: Service) -> None:
    for number, (area, language) in enumerate(
        [("North", "en"), ("North", "en"), ("South", "cy"), ("South", "ur")]
    ):
        add_tenant(service, f"T-{number}", sms=phone(number), language=language,
                   attributes={"area": area, "tenure": "low_cost_rental"})  # fmt: skip
    add_tenant(service, "T-9", attributes={"area": "South", "preferred_channel": "Letter"})


def number(html: str, element: str) -> int:
    found = re.search(rf'id="{element}">(\d+)<', html)
    assert found, element
    return int(found.group(1))


def test_the_estimate_follows_the_audience_and_costs_more_in_urdu(
    client: TestClient, service: Service, csrf: str
) -> None:
    tenants(service)
    north = client.post("/console/campaigns/estimate", data={**FORM, "csrf": csrf, "area": "North"})
    south = client.post("/console/campaigns/estimate", data={**FORM, "csrf": csrf, "area": "south"})
    assert north.status_code == south.status_code == 200
    assert number(north.text, "estimate-audience") == 2
    assert number(south.text, "estimate-audience") == 3
    assert number(south.text, "estimate-parts") > number(north.text, "estimate-parts")
    assert "اردو" in south.text and "Cymraeg" in south.text
    assert "Unicode: 70 characters a part" in south.text
    assert "asked to be contacted by letter" in south.text  # listed, never messaged
    assert "1 want a letter" in south.text
    assert "£" in south.text


def test_check_without_javascript_shows_the_estimate_and_creates_nothing(
    client: TestClient, service: Service, csrf: str
) -> None:
    tenants(service)
    checked = client.post(
        "/console/campaigns",
        data={**FORM, "csrf": csrf, "tenure": "Low cost rental", "check": "1"},
    )
    assert checked.status_code == 200
    assert number(checked.text, "estimate-audience") == 4  # T-9 has no tenure
    assert 'value="Damp check"' in checked.text
    with service.database.engine.connect() as connection:
        assert connection.execute(select(CAMPAIGNS.c.id)).first() is None


def test_a_form_problem_is_a_sentence_in_the_estimate(client: TestClient, csrf: str) -> None:
    shown = client.post(
        "/console/campaigns/estimate",
        data={**FORM, "csrf": csrf, "sample": "margin", "margin": "four"},
    )
    assert "Margin of error: write it as a percentage such as 4 for ±4%." in shown.text


def test_an_officer_builds_a_sampled_campaign_and_gets_the_letter_list(
    client: TestClient, service: Service, csrf: str, clock: Clock
) -> None:
    tenants(service)
    created = client.post(
        "/console/campaigns",
        data={
            **FORM,
            "csrf": csrf,
            "area": "South",
            "sample": "margin",
            "margin": "5",
            "sample_method": "stratified",
            "stratify_by": "area",
            "channels": "sms",
            "rate_sms": "30",
            "not_surveyed_days": "90",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"].split("?")[0]
    with service.database.engine.connect() as connection:
        row = connection.execute(select(CAMPAIGNS)).one()
    assert row.audience == {"area": ["South"], "not_surveyed_days": 90}
    assert row.sample["margin"] == 0.05 and row.sample["by"] == "area"
    assert row.send_rates == {"sms": 30.0}
    page = client.get(path)
    title = service.registry.latest("post_repair").title.get("en")
    assert f"<dd>{title.replace('${landlord}', 'Riverside Homes')}</dd>" in page.text
    assert number(page.text, "campaign-audience") == 3
    assert "1 tenant asked for a letter" in page.text
    client.post(f"{path}/schedule", data={"csrf": csrf})
    letters = client.get(f"{path}/letters")
    assert letters.status_code == 200
    assert letters.headers["content-type"].startswith("text/csv")
    assert letters.text.splitlines()[1].startswith("T-9,,a letter")
    with service.database.engine.connect() as connection:
        actions = [entry.action for entry in list_audit(connection, limit=10).entries]
    assert {"campaign_create", "campaign_schedule", "campaign_letter_list"} <= set(actions)


def test_a_campaign_that_reached_nobody_says_why(
    service: Service, csrf: str, client: TestClient, clock: Clock
) -> None:
    add_tenant(service, "T-1", telegram="123")
    created = client.post(
        "/console/campaigns",
        data={**FORM, "csrf": csrf, "tenant_refs": "T-1", "channels": "telegram"},
        follow_redirects=False,
    )
    path = created.headers["location"].split("?")[0]
    client.post(f"{path}/schedule", data={"csrf": csrf})
    run_campaigns(service, clock.now, available=["sms"])
    page = client.get(path)
    assert "Why tenants were not invited" in page.text
    assert "telegram: no sender is configured" in page.text


def test_an_analyst_cannot_download_the_letter_list(
    client: TestClient, service: Service, csrf: str
) -> None:
    add_user(service, "analyst@example.org", users.Role.ANALYST)
    created = client.post("/console/campaigns", data={**FORM, "csrf": csrf}, follow_redirects=False)
    path = created.headers["location"].split("?")[0]
    analyst = client_for(service)
    sign_in(analyst, "analyst@example.org")
    assert analyst.get(f"{path}/letters").status_code == 403
    assert "Download the letter" not in analyst.get(path).text
