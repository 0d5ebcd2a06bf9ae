"""`/metrics` during an SMS conversation, who may scrape it, and `/ready`.

Every test here runs on SQLite and PostgreSQL (the `service` fixture).
"""

from __future__ import annotations

import datetime

from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import update
from starlette.requests import Request

from api.ops.monitoring import may_scrape
from bot.settings import Settings
from bot.storage.tables import OUTBOUND
from tests.support.concerns import comment_after_repair
from tests.support.twilio import TENANT, Twilio, twilio_fixture  # noqa: F401

TOKEN = "scrape-token-for-tests"


def allow_scrapes(twilio: Twilio, **changes: object) -> None:
    state = twilio.client.app.state  # type: ignore[attr-defined]
    state.settings = state.settings.model_copy(
        update={"metrics_token": SecretStr(TOKEN), **changes}
    )


def scrape(twilio: Twilio) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = twilio.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def sample(
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


WEBHOOK_COUNT = "doorstep_webhook_seconds_count"


def test_a_conversation_moves_the_webhook_histogram_and_the_outbox(twilio: Twilio) -> None:
    allow_scrapes(twilio)
    before = scrape(twilio)
    assert sample(before, "doorstep_outbox_due", channel="sms") == 0

    assert twilio.sms("REPAIR").status_code == 200
    during = scrape(twilio)
    inbound = {"channel": "sms", "kind": "inbound"}
    assert sample(during, WEBHOOK_COUNT, **inbound) == sample(before, WEBHOOK_COUNT, **inbound) + 1
    assert sample(during, "doorstep_outbox_due", channel="sms") == 1  # the consent question

    sent_before = sample(during, "doorstep_messages_sent_total", channel="sms")
    assert twilio.drain().sent == 1
    after = scrape(twilio)
    assert sample(after, "doorstep_outbox_due", channel="sms") == 0
    assert sample(after, "doorstep_messages_sent_total", channel="sms") == sent_before + 1

    assert twilio.sms("yes").status_code == 200
    replied = scrape(twilio)
    assert sample(replied, WEBHOOK_COUNT, **inbound) == sample(before, WEBHOOK_COUNT, **inbound) + 2
    assert sample(replied, "doorstep_outbox_due", channel="sms") == 1


def test_provider_refusals_are_counted_by_their_code(twilio: Twilio) -> None:
    allow_scrapes(twilio)
    labels = {"channel": "sms", "kind": "opted_out", "code": "21610"}
    before = sample(scrape(twilio), "doorstep_send_failures_total", **labels)
    twilio.service.engine.start(channel="sms", address=TENANT, questionnaire_id="post_repair")
    twilio.fake.opt_out(TENANT)
    assert twilio.drain().opted_out == 1
    assert sample(scrape(twilio), "doorstep_send_failures_total", **labels) == before + 1


def test_open_concerns_and_campaign_gauges_are_always_there(twilio: Twilio) -> None:
    allow_scrapes(twilio)
    found = scrape(twilio)
    assert sample(found, "doorstep_concerns_open") == 0
    assert ("doorstep_concerns_oldest_open_seconds", ()) in found


NEAR = "doorstep_cases_by_next_deadline"
GAS = {"severity": "emergency", "category": "safety"}


def test_a_case_moves_through_the_deadline_gauge_as_its_clock_runs(twilio: Twilio) -> None:
    allow_scrapes(twilio)
    before = scrape(twilio)
    for window in ("overdue", "within_24h", "within_7d", "later", "not_set"):
        assert (NEAR, tuple(sorted({**GAS, "due": window}.items()))) in before
    comment_after_repair(twilio.service, "there is a gas smell in the kitchen")
    found = scrape(twilio)
    assert sample(found, NEAR, **GAS, due="within_24h") == 1  # make safe within 24 hours
    assert sample(found, NEAR, **GAS, due="overdue") == 0
    twilio.clock.advance(hours=25)
    found = scrape(twilio)
    assert sample(found, NEAR, **GAS, due="within_24h") == 0
    assert sample(found, NEAR, **GAS, due="overdue") == 1
    names = {labels for (name, labels) in found if name == NEAR}
    assert all(key in {"severity", "category", "due"} for labels in names for key, _ in labels)


def test_metrics_refuse_strangers_with_a_sentence(twilio: Twilio) -> None:
    allow_scrapes(twilio)
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = twilio.client.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"].endswith(".")
        assert "doorstep_" not in response.text


def request_from(host: str, authorization: str | None = None) -> Request:
    headers = [(b"authorization", authorization.encode())] if authorization else []
    return Request({"type": "http", "client": (host, 40000), "headers": headers})


def test_metrics_open_to_allowed_networks_or_the_token(settings: Settings) -> None:
    settings = settings.model_copy(update={"metrics_networks": ["10.0.0.0/8", "::1/128"]})
    assert may_scrape(request_from("10.1.2.3"), settings)
    assert may_scrape(request_from("::1"), settings)
    assert not may_scrape(request_from("192.168.1.9"), settings)
    assert not may_scrape(request_from("testclient"), settings)
    # With no token set, no header opens it.
    assert not may_scrape(request_from("192.168.1.9", "Bearer "), settings)
    settings = settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    assert may_scrape(request_from("192.168.1.9", f"Bearer {TOKEN}"), settings)
    assert not may_scrape(request_from("192.168.1.9", f"Bearer {TOKEN}x"), settings)


def test_ready_when_the_dispatcher_keeps_up_and_not_when_it_falls_behind(twilio: Twilio) -> None:
    assert twilio.client.get("/ready").json() == {"status": "ready"}
    twilio.service.engine.start(channel="sms", address=TENANT, questionnaire_id="post_repair")
    assert twilio.client.get("/ready").status_code == 200  # due just now: not behind
    long_ago = twilio.clock() - datetime.timedelta(minutes=30)
    with twilio.service.database.transaction() as session:
        session.connection().execute(update(OUTBOUND).values(due_at=long_ago))
    response = twilio.client.get("/ready")
    assert response.status_code == 503
    problem = response.json()["problem"]
    assert "waiting longer than 300 seconds" in problem and "on sms" in problem
    assert TENANT not in response.text
    twilio.drain()
    assert twilio.client.get("/ready").status_code == 200
